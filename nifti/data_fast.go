package nifti

import (
	"encoding/binary"
	"errors"
	"fmt"
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
func (d *decoder[T]) fastRaw(r io.Reader, nbytes int64) (bool, error) {
	if d.slope != 1 || d.inter != 0 {
		return false, nil
	}
	hostOrder := (d.order == binary.LittleEndian) == hostLittle
	if !hostOrder {
		return false, nil
	}
	var zero T
	size := int(unsafe.Sizeof(zero))
	if !((d.dt == Float32 && size == 4) || (d.dt == Float64 && size == 8)) {
		return false, nil
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(d.dst))), len(d.dst)*size)
	got, err := io.ReadFull(r, b[:nbytes])
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return true, fmt.Errorf("truncated data: expected %d bytes, got %d", nbytes, got)
		}
		return true, err
	}
	return true, nil
}

// fastWrite writes float32 (float64) values stored as float32 (float64)
// in the host's byte order straight from the slice, with no conversion
// buffer.
func (e *encoder) fastWrite(w io.Writer) (bool, error) {
	b, ok := e.rawBytes(0, int64(e.n))
	if !ok {
		return false, nil
	}
	_, err := w.Write(b)
	return true, err
}

// rawBytes returns the memory of voxels [lo, hi) when it is already the
// stored form: float values of the stored float type, host byte order.
func (e *encoder) rawBytes(lo, hi int64) ([]byte, bool) {
	if (e.h.ByteOrder == binary.LittleEndian) != hostLittle {
		return nil, false
	}
	switch {
	case e.h.Datatype == Float32 && e.f32 != nil:
		v := e.f32[lo:hi]
		return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), 4*len(v)), true
	case e.h.Datatype == Float64 && e.f64 != nil:
		v := e.f64[lo:hi]
		return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), 8*len(v)), true
	}
	return nil, false
}

// fastRawAt is fastRaw for voxels [lo, hi) of the destination.
func (d *decoder[T]) fastRawAt(r io.Reader, lo, hi int64) (bool, error) {
	part := *d
	part.dst = d.dst[lo:hi]
	return part.fastRaw(r, (hi-lo)*int64(d.dt.Size()))
}
