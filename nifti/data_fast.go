package nifti

import (
	"encoding/binary"
	"io"
	"unsafe"
)

// hostLittle reports whether this machine stores numbers little-endian.
var hostLittle = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// fastRaw reads unscaled float32 (or float64 into float64) voxels stored
// in the host's byte order straight into the destination, skipping the
// intermediate buffer: the common case of preprocessed images.
func (d *decoder[T]) fastRaw(r io.Reader, nbytes int64) bool {
	if d.slope != 1 || d.inter != 0 {
		return false
	}
	hostOrder := (d.order == binary.LittleEndian) == hostLittle
	if !hostOrder {
		return false
	}
	var zero T
	size := int(unsafe.Sizeof(zero))
	if !((d.dt == Float32 && size == 4) || (d.dt == Float64 && size == 8)) {
		return false
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(d.dst))), len(d.dst)*size)
	_, err := io.ReadFull(r, b[:nbytes])
	return err == nil
}
