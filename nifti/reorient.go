package nifti

import (
	"errors"
	"fmt"
)

// Orientation returns the orientation of img's voxel axes in world space,
// from the affine nibabel would use.
func (img *Image) Orientation() Orientation { return IOOrientation(img.Header.Affine()) }

// Canonical returns img with its voxel axes permuted and flipped so that
// they run closest to R, A and S (nibabel's as_closest_canonical). The
// world position of every voxel is unchanged: the affine is updated, so
// writing the result gives an image that overlays the original. To put a
// result computed on the canonical image back into the input's space use
// Reorient with the input's Orientation.
func (img *Image) Canonical() (*Image, error) { return img.Reorient(RAS) }

// Reorient returns img with its first three voxel axes permuted and
// flipped into orientation to (nibabel's as_reoriented with
// ornt_transform(img's orientation, to)). Axes beyond the third (time,
// channels) are kept as they are. The sform and the qform are each moved
// with the voxel axes, so both still map every voxel to the same world
// point; an image with neither gets the new affine as its sform (code 2).
func (img *Image) Reorient(to Orientation) (*Image, error) {
	from := img.Orientation()
	t, err := orientTransform(from, to)
	if err != nil {
		return nil, fmt.Errorf("nifti: reorient %s to %s: %w", from, to, err)
	}
	return img.apply(t), nil
}

// orientTransform is nibabel's ornt_transform: for each input axis, the
// output axis it goes to and whether it is flipped (-1).
func orientTransform(from, to Orientation) (Orientation, error) {
	var t Orientation
	for i := range from {
		if from[i].Axis < 0 || to[i].Axis < 0 {
			return t, errors.New("an axis has no orientation (degenerate affine)")
		}
	}
	for endIn, e := range to {
		found := false
		for startIn, s := range from {
			if e.Axis == s.Axis {
				flip := 1
				if s.Dir != e.Dir {
					flip = -1
				}
				t[startIn] = AxisOrientation{endIn, flip}
				found = true
				break
			}
		}
		if !found {
			return t, errors.New("orientations do not name the same axes")
		}
	}
	return t, nil
}

// invOrntAffine is nibabel's inv_ornt_aff: the voxel transform V with
// new_affine = affine · V for voxel axes moved by t in a volume of the
// given spatial shape.
func invOrntAffine(t Orientation, shape [3]int) Affine {
	var reorder, flip Affine
	for i := range 3 {
		reorder[i][t[i].Axis] = 1
		c := -(float64(shape[i]) - 1) / 2
		flip[i][i] = float64(t[i].Dir)
		flip[i][3] = float64(t[i].Dir)*c - c
	}
	reorder[3][3], flip[3][3] = 1, 1
	return matMul(flip, reorder)
}

func matMul(a, b Affine) Affine {
	var c Affine
	for i := range 4 {
		for j := range 4 {
			s := 0.0
			for k := range 4 {
				s += a[i][k] * b[k][j]
			}
			c[i][j] = s
		}
	}
	return c
}

// spatial3 returns the first three axes of shape (1 for missing ones) and
// how many values each spatial volume is repeated (time, channels).
func spatial3(shape []int) ([3]int, int) {
	s := [3]int{1, 1, 1}
	rest := 1
	for i, d := range shape {
		if i < 3 {
			s[i] = d
		} else {
			rest *= d
		}
	}
	return s, rest
}

// apply moves the voxel axes by t and updates the header.
func (img *Image) apply(t Orientation) *Image {
	h := img.Header.Clone()
	// The header's shape holds the spatial axes; the data may add a
	// channel axis after the others.
	hs := img.Header.Shape()
	in3, _ := spatial3(hs)
	nvals := len(img.Data)
	if img.Data == nil {
		nvals = len(img.Data64)
	}
	rest := 0
	if vol := in3[0] * in3[1] * in3[2]; vol > 0 {
		rest = nvals / vol
	}
	var out3 [3]int
	for i := range 3 {
		out3[t[i].Axis] = in3[i]
	}
	v := invOrntAffine(t, in3)
	aff := matMul(img.Header.Affine(), v)
	outShape := append([]int(nil), out3[:]...)
	if len(hs) > 3 {
		outShape = append(outShape, hs[3:]...)
	}
	if c := h.Datatype.Channels(); c > 1 {
		outShape = append(outShape, c)
	}
	out := &Image{Header: h, Shape: outShape}
	if img.Data != nil {
		out.Data = make([]float32, len(img.Data))
		permute(out.Data, img.Data, in3, t, rest)
	}
	if img.Data64 != nil {
		out.Data64 = make([]float64, len(img.Data64))
		permute(out.Data64, img.Data64, in3, t, rest)
	}
	// Header: dims, voxel sizes, dim_info and both transforms.
	var zooms [3]float64
	for i := range 3 {
		zooms[t[i].Axis] = h.Pixdim[i+1]
	}
	analyze := h.analyzeToPair()
	qcode, scode := h.effQformCode(), h.effSformCode()
	newQ := matMul(h.qformFrom(h.fixedPixdim()), v)
	h.SrowX, h.SrowY, h.SrowZ = aff[0], aff[1], aff[2]
	if scode == 0 && qcode == 0 {
		h.SformCode = 2
		newQ = aff
	} else if scode == 0 {
		// The sform was unused: keep it moved along but unused.
		s := matMul(img.Header.SForm(), v)
		h.SrowX, h.SrowY, h.SrowZ = s[0], s[1], s[2]
	}
	h.setQForm(newQ)
	if !analyze { // Analyze: setQForm's voxel sizes, see analyzeToPair
		for i := range 3 {
			h.Pixdim[i+1] = zooms[i]
		}
	}
	ndim := max(int(h.Dim[0]), 3)
	h.Dim[0] = int64(ndim)
	for i := range 3 {
		h.Dim[i+1] = int64(out3[i])
	}
	// dim_info: 2 bits each for the frequency, phase and slice axes (1-based).
	di := h.DimInfo
	var nd byte
	for k := range 3 {
		ax := (di >> (2 * k)) & 3
		if ax >= 1 && ax <= 3 {
			ax = byte(t[ax-1].Axis + 1)
		}
		nd |= ax << (2 * k)
	}
	h.DimInfo = nd
	return out
}

// permute copies src (spatial shape in, repeated rest times) into dst with
// the voxel axes moved by t.
func permute[T float32 | float64](dst, src []T, in [3]int, t Orientation, rest int) {
	var out [3]int
	var inStride [3]int
	inStride[0], inStride[1], inStride[2] = 1, in[0], in[0]*in[1]
	// For output axis j: the input axis feeding it, its start and step.
	var start, step [3]int
	for i := range 3 {
		j := t[i].Axis
		out[j] = in[i]
		if t[i].Dir < 0 {
			start[j] = (in[i] - 1) * inStride[i]
			step[j] = -inStride[i]
		} else {
			step[j] = inStride[i]
		}
	}
	vol := in[0] * in[1] * in[2]
	for r := 0; r < rest; r++ {
		s := src[r*vol : (r+1)*vol]
		d := dst[r*vol : (r+1)*vol]
		o := 0
		base := start[0] + start[1] + start[2]
		for z := 0; z < out[2]; z++ {
			pz := base + z*step[2]
			for y := 0; y < out[1]; y++ {
				p := pz + y*step[1]
				for x := 0; x < out[0]; x++ {
					d[o] = s[p]
					o++
					p += step[0]
				}
			}
		}
	}
}
