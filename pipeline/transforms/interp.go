package transforms

import (
	"math"

	"github.com/ivadogo/ivadogo/nifti"
)

// roundHalfEven is Python's round, which ivadomed and scipy use for
// shapes and crop offsets.
func roundHalfEven(x float64) int { return int(math.RoundToEven(x)) }

// mirrorIndex maps an index outside [0, n) onto it by whole-sample
// symmetry (… 2 1 | 0 1 2 … n−1 | n−2 …), scipy's "mirror".
func mirrorIndex(i, n int) int {
	if n == 1 {
		return 0
	}
	period := 2 * (n - 1)
	i %= period
	if i < 0 {
		i += period
	}
	if i >= n {
		i = period - i
	}
	return i
}

// reflectIndex maps an index by half-sample symmetry (… 1 0 | 0 1 … n−1 |
// n−1 n−2 …), scipy's "reflect".
func reflectIndex(i, n int) int {
	period := 2 * n
	i %= period
	if i < 0 {
		i += period
	}
	if i >= n {
		i = period - 1 - i
	}
	return i
}

// forLines calls fn(start, stride) for every line of the volume along
// axis ax.
func forLines(shape [3]int, ax int, fn func(start, stride int)) {
	strides := [3]int{shape[1] * shape[2], shape[2], 1}
	a, b := (ax+1)%3, (ax+2)%3
	for i := 0; i < shape[a]; i++ {
		for j := 0; j < shape[b]; j++ {
			fn(i*strides[a]+j*strides[b], strides[ax])
		}
	}
}

// weights fills the interpolation weights and first index of order 1 or 2
// at coordinate x.
func weights(order int, x float64, w *[3]float64) int {
	if order == 1 {
		f := math.Floor(x)
		t := x - f
		w[0], w[1] = 1-t, t
		return int(f)
	}
	f := math.Floor(x + 0.5)
	t := x - f
	w[0] = 0.5 * (0.5 - t) * (0.5 - t)
	w[1] = 0.75 - t*t
	w[2] = 0.5 * (0.5 + t) * (0.5 + t)
	return int(f) - 1
}

// sampleAt interpolates coefficients c (order 1: the samples; order 2:
// spline coefficients) at (x, y, z), indices outside mapped by mapIdx.
func sampleAt(c []float64, shape [3]int, order int, x [3]float64, mapIdx func(i, n int) int) float64 {
	if order == 1 && shape[2] == 1 {
		return bilinear(c, shape[0], shape[1], x[0], x[1], mapIdx)
	}
	var w [3][3]float64
	var start [3]int
	for a := 0; a < 3; a++ {
		start[a] = weights(order, x[a], &w[a])
	}
	var s float64
	for i := 0; i <= order; i++ {
		if w[0][i] == 0 {
			continue
		}
		ii := mapIdx(start[0]+i, shape[0])
		for j := 0; j <= order; j++ {
			if w[1][j] == 0 {
				continue
			}
			jj := mapIdx(start[1]+j, shape[1])
			wij := w[0][i] * w[1][j]
			for k := 0; k <= order; k++ {
				if w[2][k] == 0 {
					continue
				}
				kk := mapIdx(start[2]+k, shape[2])
				s += wij * w[2][k] * c[idx(shape, ii, jj, kk)]
			}
		}
	}
	return s
}

// zoom is scipy.ndimage.zoom (grid_mode False, mode "constant") of order 1
// or 2 to shape out: output voxel o samples the input at o·(in−1)/(out−1).
// nifti.Zoom does the work: a C-order volume of shape (a, b, c) is the
// same memory as a Fortran-order one of shape (c, b, a).
func zoom(v []float32, in, out [3]int, order int) []float32 {
	return nifti.Zoom(v, []int{in[2], in[1], in[0]}, []int{out[2], out[1], out[0]}, nifti.Interp(order))
}

// gaussianKernel is scipy's gaussian_filter1d kernel (truncate 4).
func gaussianKernel(sigma float64) []float64 {
	r := int(4*sigma + 0.5)
	k := make([]float64, 2*r+1)
	var s float64
	for i := range k {
		x := float64(i - r)
		k[i] = math.Exp(-0.5 * x * x / (sigma * sigma))
		s += k[i]
	}
	for i := range k {
		k[i] /= s
	}
	return k
}

// gaussianFilter smooths a volume along every axis with scipy's
// gaussian_filter; reflect chooses mode "reflect", otherwise "constant" 0.
// Like scipy it filters axes of length 1 too, which with mode "constant"
// scales the data by the kernel's centre weight.
func gaussianFilter(v []float64, shape [3]int, sigma float64, reflect bool) {
	if sigma <= 0 {
		return
	}
	k := gaussianKernel(sigma)
	r := len(k) / 2
	for ax := 0; ax < 3; ax++ {
		n := shape[ax]
		if n == 1 {
			// Only the centre tap lands inside: reflect sums every tap onto
			// the one sample (weights sum to 1), constant keeps k[r].
			if !reflect {
				for i := range v {
					v[i] *= k[r]
				}
			}
			continue
		}
		line := make([]float64, n)
		res := make([]float64, n)
		forLines(shape, ax, func(start, stride int) {
			for i := range line {
				line[i] = v[start+i*stride]
			}
			for i := 0; i < n; i++ {
				var s float64
				if i >= r && i+r < n {
					win := line[i-r : i+r+1]
					for t, w := range k {
						s += w * win[t]
					}
				} else {
					for t, w := range k {
						j := i + t - r
						if j < 0 || j >= n {
							if !reflect {
								continue
							}
							j = reflectIndex(j, n)
						}
						s += w * line[j]
					}
				}
				res[i] = s
			}
			for i := range res {
				v[start+i*stride] = res[i]
			}
		})
	}
}

// bilinear is sampleAt of order 1 on a single slice (the 2D training
// path), without the third axis.
func bilinear(c []float64, h, w int, x, y float64, mapIdx func(i, n int) int) float64 {
	fx, fy := math.Floor(x), math.Floor(y)
	tx, ty := x-fx, y-fy
	i0, j0 := int(fx), int(fy)
	i1, j1 := i0+1, j0+1
	if i0 < 0 || i1 >= h {
		i0, i1 = mapIdx(i0, h), mapIdx(i1, h)
	}
	if j0 < 0 || j1 >= w {
		j0, j1 = mapIdx(j0, w), mapIdx(j1, w)
	}
	a := c[i0*w+j0]*(1-ty) + c[i0*w+j1]*ty
	b := c[i1*w+j0]*(1-ty) + c[i1*w+j1]*ty
	return a*(1-tx) + b*tx
}
