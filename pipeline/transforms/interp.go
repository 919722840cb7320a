package transforms

import "math"

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

// splinePole2 is the pole of the quadratic B-spline prefilter.
var splinePole2 = math.Sqrt(8) - 3

// splineFilter1D turns samples into quadratic B-spline coefficients in
// place, with mirror boundaries, as scipy's spline_filter1d(order=2).
func splineFilter1D(c []float64) {
	n := len(c)
	if n == 1 {
		return
	}
	z := splinePole2
	gain := (1 - z) * (1 - 1/z)
	for i := range c {
		c[i] *= gain
	}
	// causal init, mirror
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
}

// splineFilter prefilters a volume along each axis.
func splineFilter(v []float64, shape [3]int) {
	for ax := 0; ax < 3; ax++ {
		n := shape[ax]
		if n <= 1 {
			continue
		}
		line := make([]float64, n)
		forLines(shape, ax, func(start, stride int) {
			for i := range line {
				line[i] = v[start+i*stride]
			}
			splineFilter1D(line)
			for i := range line {
				v[start+i*stride] = line[i]
			}
		})
	}
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
// The tensor-product interpolation is done one axis at a time (9 taps per
// voxel instead of 27 for order 2).
func zoom(v []float32, in, out [3]int, order int) []float32 {
	c := make([]float64, len(v))
	for i, x := range v {
		c[i] = float64(x)
	}
	if order == 2 {
		splineFilter(c, in)
	}
	cur, shape := c, in
	for ax := 0; ax < 3; ax++ {
		next := shape
		next[ax] = out[ax]
		cur = zoomAxis(cur, shape, next, ax, order)
		shape = next
	}
	res := make([]float32, len(cur))
	for i, x := range cur {
		res[i] = float32(x)
	}
	return res
}

// zoomAxis resamples axis ax of c (shape in) to length out[ax].
func zoomAxis(c []float64, in, out [3]int, ax, order int) []float64 {
	n, m := in[ax], out[ax]
	step := 1.0
	if m > 1 {
		step = float64(n-1) / float64(m-1)
	}
	taps := order + 1
	idxs := make([]int, m*taps)
	ws := make([]float64, m*taps)
	for o := 0; o < m; o++ {
		var w [3]float64
		start := weights(order, float64(o)*step, &w)
		for t := 0; t < taps; t++ {
			idxs[o*taps+t] = mirrorIndex(start+t, n)
			ws[o*taps+t] = w[t]
		}
	}
	res := make([]float64, out[0]*out[1]*out[2])
	inStrides := [3]int{in[1] * in[2], in[2], 1}
	outStrides := [3]int{out[1] * out[2], out[2], 1}
	a, b := (ax+1)%3, (ax+2)%3
	for i := 0; i < in[a]; i++ {
		for j := 0; j < in[b]; j++ {
			src := i*inStrides[a] + j*inStrides[b]
			dst := i*outStrides[a] + j*outStrides[b]
			for o := 0; o < m; o++ {
				var s float64
				for t := 0; t < taps; t++ {
					s += ws[o*taps+t] * c[src+idxs[o*taps+t]*inStrides[ax]]
				}
				res[dst+o*outStrides[ax]] = s
			}
		}
	}
	return res
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
