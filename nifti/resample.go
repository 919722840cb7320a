package nifti

import (
	"fmt"
	"math"
)

// Interp is the interpolation order of Zoom and Resample: the degree of
// the B-spline, as scipy.ndimage's order argument.
type Interp int

// The interpolations. ivadomed resamples images with Quadratic (spline
// order 2) and labels with Linear; Nearest keeps label values exact.
const (
	Nearest   Interp = 0
	Linear    Interp = 1
	Quadratic Interp = 2
	Cubic     Interp = 3
)

// splinePoles are the poles of the B-spline prefilter of each order.
var splinePoles = map[Interp]float64{
	Quadratic: math.Sqrt(8) - 3,
	Cubic:     math.Sqrt(3) - 2,
}

// ZoomShape is scipy.ndimage.zoom's output shape: round(shape·factor)
// with Python's rounding (half to even).
func ZoomShape(shape []int, factors []float64) []int {
	out := make([]int, len(shape))
	for i, d := range shape {
		f := 1.0
		if i < len(factors) {
			f = factors[i]
		}
		out[i] = int(math.RoundToEven(float64(d) * f))
	}
	return out
}

// Zoom resamples a volume (Fortran order, the given shape) to outShape as
// scipy.ndimage.zoom(input, zoom, order, mode='constant',
// grid_mode=False) does: output voxel k along an axis samples input
// coordinate k·(in-1)/(out-1), so the corner voxels stay aligned; splines
// of order 2 and 3 are prefiltered with mirror boundaries. The work is
// done in float64, one axis after the other (the tensor-product spline
// is separable), and rounded to T at the end.
//
// Zoom panics if len(data) does not match shape or a shape has a
// negative axis, programming errors.
func Zoom[T float32 | float64](data []T, shape, outShape []int, order Interp) []T {
	n := 1
	for _, d := range shape {
		n *= d
	}
	if n != len(data) || len(shape) != len(outShape) {
		panic(fmt.Sprintf("nifti.Zoom: %d values for shape %v, output shape %v", len(data), shape, outShape))
	}
	if order < Nearest || order > Cubic {
		panic(fmt.Sprintf("nifti.Zoom: interpolation order %d not in 0..3", order))
	}
	cur := make([]float64, len(data))
	for i, v := range data {
		cur[i] = float64(v)
	}
	curShape := append([]int(nil), shape...)
	if pole, ok := splinePoles[order]; ok {
		for ax := range shape {
			prefilter(cur, curShape, ax, pole)
		}
	}
	for ax := range shape {
		if outShape[ax] == curShape[ax] && order <= Linear {
			continue // sampling at the same points is the identity
		}
		cur, curShape = zoomAxis(cur, curShape, ax, outShape[ax], order)
	}
	out := make([]T, len(cur))
	for i, v := range cur {
		out[i] = T(v)
	}
	return out
}

// axisStrides returns the stride of axis ax in a Fortran-ordered array
// of the given shape (the product of the axes before it) and the number
// of blocks of shape[ax]·stride values (the product of the axes after).
func axisStrides(shape []int, ax int) (stride, outer int) {
	stride, outer = 1, 1
	for _, d := range shape[:ax] {
		stride *= d
	}
	for _, d := range shape[ax+1:] {
		outer *= d
	}
	return stride, outer
}

// lines calls fn for every 1-D line along axis ax of a Fortran-ordered
// array: its first element and the stride between elements.
func lines(shape []int, ax int, fn func(first, stride int)) {
	stride, outer := axisStrides(shape, ax)
	for o := 0; o < outer; o++ {
		for in := 0; in < stride; in++ {
			fn(o*stride*shape[ax]+in, stride)
		}
	}
}

// prefilter turns samples into B-spline coefficients along axis ax
// (scipy's spline_filter1d with mirror boundaries).
func prefilter(a []float64, shape []int, ax int, z float64) {
	n := shape[ax]
	if n <= 1 {
		return
	}
	gain := (1 - z) * (1 - 1/z)
	c := make([]float64, n)
	lines(shape, ax, func(first, stride int) {
		for i := range c {
			c[i] = a[first+i*stride] * gain
		}
		// Causal initialisation for a mirror-symmetric signal.
		zn1 := math.Pow(z, float64(n-1))
		zi := z
		c0 := c[0] + zn1*c[n-1]
		for i := 1; i < n-1; i++ {
			c0 += zi * (c[i] + zn1*c[n-1-i])
			zi *= z
		}
		c[0] = c0 / (1 - zn1*zn1)
		for i := 1; i < n; i++ {
			c[i] += z * c[i-1]
		}
		c[n-1] = (z*c[n-2] + c[n-1]) * z / (z*z - 1)
		for i := n - 2; i >= 0; i-- {
			c[i] = z * (c[i+1] - c[i])
		}
		for i := range c {
			a[first+i*stride] = c[i]
		}
	})
}

// mirror maps an index outside [0, n) back inside by whole-sample
// symmetric reflection (…c b | a b c d | c b…).
func mirror(i, n int) int {
	if n == 1 {
		return 0
	}
	p := 2 * (n - 1)
	i %= p
	if i < 0 {
		i += p
	}
	if i >= n {
		i = p - i
	}
	return i
}

// bspline returns the weights of the order-k B-spline at the k+1 sample
// points from start, for the coordinate x.
func bspline(x float64, k Interp) (start int, w [4]float64) {
	switch k {
	case Nearest:
		return int(math.Floor(x + 0.5)), [4]float64{1}
	case Linear:
		s := math.Floor(x)
		t := x - s
		return int(s), [4]float64{1 - t, t}
	case Quadratic:
		s := math.Floor(x + 0.5)
		t := x - s // in [-0.5, 0.5)
		w[0] = 0.5 * (0.5 - t) * (0.5 - t)
		w[1] = 0.75 - t*t
		w[2] = 0.5 * (0.5 + t) * (0.5 + t)
		return int(s) - 1, w
	default:
		s := math.Floor(x)
		t := x - s
		u := 1 - t
		w[0] = u * u * u / 6
		w[1] = 2.0/3 - t*t + t*t*t/2
		w[2] = 2.0/3 - u*u + u*u*u/2
		w[3] = t * t * t / 6
		return int(s) - 1, w
	}
}

// zoomAxis resamples axis ax of a to m samples.
func zoomAxis(a []float64, shape []int, ax, m int, k Interp) ([]float64, []int) {
	n := shape[ax]
	outShape := append([]int(nil), shape...)
	outShape[ax] = m
	total := 1
	for _, d := range outShape {
		total *= d
	}
	out := make([]float64, total)
	if total == 0 || n == 0 {
		return out, outShape
	}
	scale := 1.0
	if m > 1 {
		scale = float64(n-1) / float64(m-1)
	}
	// Per output sample: the input indices and weights.
	taps := int(k) + 1
	idx := make([]int, m*taps)
	wts := make([]float64, m*taps)
	for j := range m {
		x := float64(j) * scale
		if x > float64(n-1) {
			x = float64(n - 1)
		}
		s, w := bspline(x, k)
		for t := range taps {
			idx[j*taps+t] = mirror(s+t, n)
			wts[j*taps+t] = w[t]
		}
	}
	inStride, outer := axisStrides(shape, ax)
	for o := 0; o < outer; o++ {
		src := a[o*n*inStride : (o+1)*n*inStride]
		dst := out[o*m*inStride : (o+1)*m*inStride]
		for j := range m {
			d := dst[j*inStride : (j+1)*inStride]
			for t := range taps {
				w := wts[j*taps+t]
				if w == 0 {
					continue
				}
				s := src[idx[j*taps+t]*inStride:]
				for i := range d {
					d[i] += w * s[i]
				}
			}
		}
	}
	return out, outShape
}

// Resample returns img resampled along its first three axes to voxel
// sizes close to zooms (mm), as ivadomed's Resample transform does:
// factor = native voxel size / target, output shape round(shape·factor),
// scipy.ndimage.zoom sampling (see Zoom). A zoom of 0 keeps that axis.
// The affine and pixdim are updated to the exact new spacing
// (in-1)/(out-1) so the result stays in the same world space.
func (img *Image) Resample(zooms [3]float64, order Interp) (*Image, error) {
	hs := img.Header.Shape()
	in3, _ := spatial3(hs)
	cur := img.Header.Zooms()
	var out3 [3]int
	for i := range 3 {
		out3[i] = in3[i]
		if zooms[i] > 0 && i < len(cur) {
			out3[i] = int(math.RoundToEven(float64(in3[i]) * cur[i] / zooms[i]))
		}
		if out3[i] < 1 {
			return nil, fmt.Errorf("nifti: resample to %v mm: axis %d would have %d voxels", zooms, i, out3[i])
		}
	}
	return img.ResampleShape(out3, order)
}

// ResampleShape returns img resampled along its first three axes to the
// given spatial shape (Zoom on every volume and channel), with the affine
// and pixdim updated. It undoes Resample when given the original shape.
func (img *Image) ResampleShape(shape [3]int, order Interp) (*Image, error) {
	hs := img.Header.Shape()
	in3, _ := spatial3(hs)
	for i := range 3 {
		if shape[i] < 1 {
			return nil, fmt.Errorf("nifti: resample to shape %v: axes must be at least 1", shape)
		}
	}
	vol := in3[0] * in3[1] * in3[2]
	ovol := shape[0] * shape[1] * shape[2]
	h := img.Header.Clone()
	var scale [3]float64
	for i := range 3 {
		scale[i] = 1
		if shape[i] > 1 {
			scale[i] = float64(in3[i]-1) / float64(shape[i]-1)
		}
	}
	out := &Image{Header: h}
	out.Shape = append([]int(nil), shape[:]...)
	out.Shape = append(out.Shape, img.Shape[min(3, len(img.Shape)):]...)
	if img.Data != nil {
		out.Data = make([]float32, 0, len(img.Data)/max(vol, 1)*ovol)
		for v := 0; v+vol <= len(img.Data) && vol > 0; v += vol {
			out.Data = append(out.Data, Zoom(img.Data[v:v+vol], in3[:], shape[:], order)...)
		}
	}
	if img.Data64 != nil {
		out.Data64 = make([]float64, 0, len(img.Data64)/max(vol, 1)*ovol)
		for v := 0; v+vol <= len(img.Data64) && vol > 0; v += vol {
			out.Data64 = append(out.Data64, Zoom(img.Data64[v:v+vol], in3[:], shape[:], order)...)
		}
	}
	// Voxel k of the output sits at input coordinate k·scale.
	aff := img.Header.Affine()
	s := Affine{{scale[0], 0, 0, 0}, {0, scale[1], 0, 0}, {0, 0, scale[2], 0}, {0, 0, 0, 1}}
	newAff := matMul(aff, s)
	analyze := h.analyzeToPair()
	q := matMul(h.qformFrom(h.fixedPixdim()), s)
	pix := h.fixedPixdim()
	qcode, scode := h.effQformCode(), h.effSformCode()
	h.SrowX, h.SrowY, h.SrowZ = newAff[0], newAff[1], newAff[2]
	if scode == 0 && qcode == 0 {
		h.SformCode = 2
		q = newAff
	} else if scode == 0 {
		sf := matMul(img.Header.SForm(), s)
		h.SrowX, h.SrowY, h.SrowZ = sf[0], sf[1], sf[2]
	}
	h.setQForm(q)
	for i := 0; i < 3 && !analyze; i++ { // Analyze: setQForm's voxel sizes, see analyzeToPair
		h.Pixdim[i+1] = pix[i+1] * scale[i]
		if h.Format.Version() == 1 {
			h.Pixdim[i+1] = float64(float32(h.Pixdim[i+1]))
		}
	}
	h.Dim[0] = int64(max(int(h.Dim[0]), 3))
	for i := range 3 {
		h.Dim[i+1] = int64(shape[i])
	}
	return out, nil
}
