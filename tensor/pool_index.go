package tensor

import "unsafe"

// Int32s returns a buffer of n int32 values with unspecified contents,
// taken from the float32 pool (the two have the same size), and counted
// in use as a tensor's buffer is until ReleaseInt32s. Max pooling's index
// buffers come from here: a free list of their own kept 15 MB of them
// resident beside the pool in the 2D U-Net config, idle at a training
// step's peak while the pool served the tensors.
func Int32s(n int) []int32 {
	b := alloc[float32](n, false)
	if cap(b) == 0 {
		return []int32{}
	}
	return unsafe.Slice((*int32)(unsafe.Pointer(unsafe.SliceData(b))), cap(b))[:n]
}

// ReleaseInt32s hands back a buffer from Int32s, whole and unchanged in
// length; it may not be used afterwards.
func ReleaseInt32s(b []int32) {
	if cap(b) == 0 {
		return
	}
	statLive.Add(-int64(len(b)) * 4)
	poolOf[float32]().put(unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(b))), cap(b)))
}
