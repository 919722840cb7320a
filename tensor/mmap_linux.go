package tensor

import (
	"syscall"
	"unsafe"
)

// mapFloats returns n float32 of anonymous memory mapped outside the Go
// heap, and whether it was mapped (else it comes from the heap), for the
// step arena and a recorded step's buffers. Outside the heap the arena
// does not raise the garbage collector's goal: with GOGC 25 an arena of
// 300 MB on the heap let 75 MB more garbage stay resident before a
// collection. Its pages are zero and take no memory until written.
func mapFloats(n int) ([]float32, bool) {
	b, err := syscall.Mmap(-1, 0, n*4, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return make([]float32, n), false
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(b))), n), true
}

// unmapFloats unmaps memory that mapFloats mapped, whole; nothing may
// use it any more.
func unmapFloats(a []float32) {
	_ = syscall.Munmap(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(a))), len(a)*4))
}
