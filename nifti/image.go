package nifti

import (
	"encoding/binary"
	"fmt"
)

// Image is a header with its voxel data, scaled and converted to float.
type Image struct {
	Header *Header
	// Shape is the shape of Data: the header's shape, plus a trailing
	// channel axis of 3 (RGB24), 4 (RGBA32) or 2 (complex: real, imag).
	Shape []int
	// Data holds the voxels in Fortran order (first index fastest), with
	// scl_slope/scl_inter applied in float64 and then rounded to float32.
	// It is nil for an image read with ReadFloat64.
	Data []float32
	// Data64 holds the same values in float64, exactly as nibabel's
	// get_fdata returns them; it is filled only by ReadFloat64.
	Data64 []float64
}

// New makes a NIfTI-1 image of float32 voxels from data (Fortran order)
// with the given shape (up to 7 axes) and voxel-to-world affine. As
// nibabel does for a new image, the affine goes in the sform with code 2
// (aligned) and, stripped of shears, in the qform with code 0; the voxel
// sizes are the affine's column norms. New panics if len(data) does not
// match the shape, a programming error.
func New(data []float32, shape []int, affine Affine) *Image {
	n := 1
	for _, d := range shape {
		n *= d
	}
	if len(shape) == 0 || len(shape) > 7 || n != len(data) {
		panic(fmt.Sprintf("nifti.New: %d values do not fill shape %v (1 to 7 axes)", len(data), shape))
	}
	h := NewHeader(Float32, shape, affine)
	return &Image{Header: h, Shape: append([]int(nil), shape...), Data: data}
}

// NewHeader makes a little-endian NIfTI-1 single-file header for voxels
// of type dt and the given shape, with the affine set as New describes.
func NewHeader(dt Datatype, shape []int, affine Affine) *Header {
	h := &Header{
		Format:    NIfTI1Single,
		SizeofHdr: sizeofHdr1,
		Regular:   'r',
		Datatype:  dt,
		Bitpix:    int16(8 * dt.Size()),
		VoxOffset: 352,
		SclSlope:  1,
		Magic:     "n+1",
		XYZTUnits: 2, // mm; nibabel leaves 0, but every ivadomed file says mm
	}
	h.ByteOrder = binary.LittleEndian
	h.Dim[0] = int64(len(shape))
	for i := range 7 {
		h.Dim[i+1] = 1
		h.Pixdim[i+1] = 1
	}
	for i, d := range shape {
		h.Dim[i+1] = int64(d)
	}
	h.SetAffine(affine)
	return h
}

// voxelCount returns the number of voxels of shape, or an error for a
// negative or overflowing axis.
func voxelCount(shape []int) (int64, error) {
	n := int64(1)
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("negative dimension in shape %v", shape)
		}
		if d != 0 && n > (1<<62)/int64(d) {
			return 0, fmt.Errorf("shape %v is too large", shape)
		}
		n *= int64(d)
	}
	return n, nil
}

// dataShape returns the shape of the Data of an image with header h.
func dataShape(h *Header) []int {
	s := h.Shape()
	if c := h.Datatype.Channels(); c > 1 {
		s = append(s, c)
	}
	return s
}

// NewLike makes an image on ref's grid (same header: affine, voxel sizes,
// orientation codes, byte order) holding data stored as dt with no
// scaling; extensions are not carried over. This is how a prediction is
// written in the space of the image it was made from. shape is the
// spatial shape (plus a channel axis for RGB or complex types); NewLike
// panics when data does not fill it, a programming error.
func NewLike(ref *Image, data []float32, shape []int, dt Datatype) *Image {
	n := 1
	for _, d := range shape {
		n *= d
	}
	if n != len(data) || len(shape) == 0 {
		panic(fmt.Sprintf("nifti.NewLike: %d values do not fill shape %v", len(data), shape))
	}
	h := ref.Header.Clone()
	h.Extensions = nil
	h.Datatype = dt
	h.Bitpix = int16(8 * dt.Size())
	h.SclSlope, h.SclInter = 1, 0
	h.CalMin, h.CalMax = 0, 0
	spatial := shape
	if c := dt.Channels(); c > 1 && len(shape) > 1 {
		spatial = shape[:len(shape)-1]
	}
	if !equalShape(spatial, h.Shape()) {
		for i := range h.Dim {
			h.Dim[i] = 1
		}
		h.Dim[0] = int64(len(spatial))
		for i, d := range spatial {
			h.Dim[i+1] = int64(d)
		}
	}
	return &Image{Header: h, Shape: append([]int(nil), shape...), Data: data}
}

func equalShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
