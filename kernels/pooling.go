package kernels

import "fmt"

// poolGeom is a pooling normalised to three spatial axes (leading axes of
// size 1 for 1D and 2D).
type poolGeom struct {
	planes           int // N·C
	in, k, s, p, out [3]int
	inVol, outVol    int
}

func (p PoolParams) geom(kernel string) poolGeom {
	nd, bad := spatialRank(p.In, "Kernel,Stride,Pad", p.Kernel, p.Stride, p.Pad)
	if bad == "" && (p.Kernel == nil || !positive(p.Kernel, 1) || !positive(p.Stride, 1) || !positive(p.Pad, 0)) {
		bad = "kernel and stride must be positive and padding not negative"
	}
	if bad != "" {
		panic(fmt.Sprintf("kernels: %s: %s: %+v", kernel, bad, p))
	}
	g := poolGeom{planes: p.N * p.C}
	spatial(&g.in, p.In, nd, 1)
	spatial(&g.k, p.Kernel, nd, 1)
	spatial(&g.p, p.Pad, nd, 0)
	if p.Stride == nil {
		g.s = g.k
	} else {
		spatial(&g.s, p.Stride, nd, 1)
	}
	ok := p.N >= 0 && p.C > 0
	for i := 0; i < 3; i++ {
		// PyTorch: pad should be at most half of the kernel size, and the
		// padded input must hold one window.
		ok = ok && g.in[i] > 0 && 2*g.p[i] <= g.k[i] && g.in[i]+2*g.p[i] >= g.k[i]
		g.out[i] = poolOutSize(g.in[i], g.k[i], g.s[i], g.p[i], p.CeilMode)
	}
	if !ok {
		panic(fmt.Sprintf("kernels: %s: invalid pooling %+v", kernel, p))
	}
	g.inVol, g.outVol = g.in[0]*g.in[1]*g.in[2], g.out[0]*g.out[1]*g.out[2]
	return g
}

// window returns, along axis a, the clipped input window [lo, hi) of
// output position o and the length of the window clipped only to the
// right padding, which is average pooling's divisor along that axis.
func (g *poolGeom) window(a, o int) (lo, hi, padded int) {
	lo = o*g.s[a] - g.p[a]
	hi = min(lo+g.k[a], g.in[a]+g.p[a])
	padded = hi - lo
	return max(lo, 0), min(hi, g.in[a]), padded
}

// MaxPoolForward computes PyTorch's max_pool1d/2d/3d with
// return_indices: y[n,c,j] is the largest x[n,c,i] over the window
// i ∈ [j·stride − pad, j·stride − pad + kernel) clipped to the input (the
// padding counts as −∞), the first one on ties, NaN (the last one) if the window
// holds a NaN. idx[n,c,j] receives the flat index of the chosen i within the
// (n, c) plane. x is [N, C, In...]; y and idx are [N, C, Out()...].
func MaxPoolForward[T Float](p PoolParams, x, y []T, idx []int32) {
	g := p.geom("MaxPoolForward")
	mustLen("MaxPoolForward", "x", len(x), g.planes*g.inVol)
	mustLen("MaxPoolForward", "y", len(y), g.planes*g.outVol)
	mustLen("MaxPoolForward", "idx", len(idx), g.planes*g.outVol)
	if maxPoolForwardF32 != nil {
		if xf, ok := any(x).([]float32); ok && maxPoolForwardF32(p, xf, any(y).([]float32), idx) {
			return
		}
	}
	maxPoolForwardGeneric(&g, x, y, idx)
}

// MaxPoolBackward routes each dy[n,c,j] to the input element that
// MaxPoolForward chose: dx[n,c,i] = Σ_{j : idx[n,c,j] = i} dy[n,c,j].
// dx is [N, C, In...] and is overwritten.
func MaxPoolBackward[T Float](p PoolParams, dy []T, idx []int32, dx []T) {
	g := p.geom("MaxPoolBackward")
	mustLen("MaxPoolBackward", "dy", len(dy), g.planes*g.outVol)
	mustLen("MaxPoolBackward", "idx", len(idx), g.planes*g.outVol)
	mustLen("MaxPoolBackward", "dx", len(dx), g.planes*g.inVol)
	if maxPoolBackwardF32 != nil {
		if dyf, ok := any(dy).([]float32); ok && maxPoolBackwardF32(p, dyf, idx, any(dx).([]float32)) {
			return
		}
	}
	Parallel(g.planes, 1, func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			d := dx[pl*g.inVol : (pl+1)*g.inVol]
			clear(d)
			o := pl * g.outVol
			for j, i := range idx[o : o+g.outVol] {
				if i < 0 || int(i) >= g.inVol {
					panic(fmt.Sprintf("kernels: MaxPoolBackward: idx[%d] = %d outside the plane of %d elements", o+j, i, g.inVol))
				}
				d[i] += dy[o+j]
			}
		}
	})
}

// AvgPoolForward computes PyTorch's avg_pool1d/2d/3d with
// count_include_pad=true: y[n,c,j] is the sum of x over the window
// clipped to the input, divided by the window's size clipped only to the
// padded input (so zero padding counts, but with CeilMode the part of a
// window beyond the right padding does not).
func AvgPoolForward[T Float](p PoolParams, x, y []T) {
	g := p.geom("AvgPoolForward")
	mustLen("AvgPoolForward", "x", len(x), g.planes*g.inVol)
	mustLen("AvgPoolForward", "y", len(y), g.planes*g.outVol)
	if avgPoolForwardF32 != nil {
		if xf, ok := any(x).([]float32); ok && avgPoolForwardF32(p, xf, any(y).([]float32)) {
			return
		}
	}
	avgPoolGeneric(&g, x, y, false)
}

// AvgPoolBackward computes the gradient of AvgPoolForward: every dy[n,c,j]
// divided by its window's divisor is added to each input element of its
// clipped window. dx is overwritten.
func AvgPoolBackward[T Float](p PoolParams, dy, dx []T) {
	g := p.geom("AvgPoolBackward")
	mustLen("AvgPoolBackward", "dy", len(dy), g.planes*g.outVol)
	mustLen("AvgPoolBackward", "dx", len(dx), g.planes*g.inVol)
	if avgPoolBackwardF32 != nil {
		if dyf, ok := any(dy).([]float32); ok && avgPoolBackwardF32(p, dyf, any(dx).([]float32)) {
			return
		}
	}
	avgPoolGeneric(&g, dx, dy, true)
}
