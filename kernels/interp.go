package kernels

import (
	"fmt"
	"math"
)

// interpAxis holds, for each output position along one axis, the two
// input positions it reads and their weights.
type interpAxis[T Float] struct {
	i0, i1 []int
	w0, w1 []T
}

// newInterpAxis computes PyTorch's source indices for one axis. Linear:
// with align_corners the source is o·(in−1)/(out−1) (0 when out = 1);
// without, it is max((o + ½)·in/out − ½, 0) (area_pixel_compute_source_index),
// computed in T as PyTorch computes it in the tensor's type; i0 = ⌊src⌋,
// i1 = min(i0 + 1, in − 1), w1 = src − i0 clamped to [0, 1], w0 = 1 − w1.
// Nearest: src = min(⌊o·(in/out)⌋, in − 1) in float32 arithmetic, as
// PyTorch's legacy 'nearest' does for every type.
func newInterpAxis[T Float](in, out int, mode InterpMode, alignCorners bool) interpAxis[T] {
	a := interpAxis[T]{i0: make([]int, out), i1: make([]int, out), w0: make([]T, out), w1: make([]T, out)}
	var scale T
	switch {
	case alignCorners && out > 1:
		scale = T(in-1) / T(out-1)
	case !alignCorners:
		scale = T(in) / T(out)
	}
	nearestScale := float32(in) / float32(out)
	for o := 0; o < out; o++ {
		switch {
		case in == out:
			a.i0[o], a.i1[o], a.w0[o] = o, o, 1
		case mode == Nearest:
			i := o >> 1
			if out != 2*in {
				i = min(int(math.Floor(float64(float32(o)*nearestScale))), in-1)
			}
			a.i0[o], a.i1[o], a.w0[o] = i, i, 1
		default:
			var src T
			if alignCorners {
				src = scale * T(o)
			} else {
				src = max(scale*(T(o)+0.5)-0.5, 0)
			}
			i := int(src)
			a.i0[o] = i
			a.i1[o] = i
			if i < in-1 {
				a.i1[o] = i + 1
			}
			l1 := min(max(src-T(i), 0), 1)
			a.w0[o], a.w1[o] = 1-l1, l1
		}
	}
	return a
}

type interpGeom struct {
	planes, nd    int
	in, out       [3]int
	inVol, outVol int
}

func (p InterpParams) geom(kernel string) interpGeom {
	nd, bad := spatialRank(p.In, "Out", p.Out)
	if bad == "" && (p.Out == nil || (p.Mode != Nearest && p.Mode != Linear) || p.N < 0 || p.C < 1) {
		bad = "invalid interpolation"
	}
	if bad != "" {
		panic(fmt.Sprintf("kernels: %s: %s: %+v", kernel, bad, p))
	}
	g := interpGeom{planes: p.N * p.C, nd: nd}
	spatial(&g.in, p.In, nd, 1)
	spatial(&g.out, p.Out, nd, 1)
	for i := 0; i < 3; i++ {
		if g.in[i] < 1 || g.out[i] < 1 {
			panic(fmt.Sprintf("kernels: %s: invalid interpolation %+v", kernel, p))
		}
	}
	g.inVol, g.outVol = g.in[0]*g.in[1]*g.in[2], g.out[0]*g.out[1]*g.out[2]
	return g
}

// InterpForward resizes x [N, C, In...] to y [N, C, Out...] as PyTorch's
// F.interpolate with size=Out: mode 'nearest', or 'linear'/'bilinear'/
// 'trilinear' with the given align_corners. Along each axis output o reads
// inputs i0, i1 with weights w0, w1 (see the source-index rules of
// InterpMode's values), and y is the separable product
//
//	y[n,c,d,h,w] = Σ_{a,b,e ∈ {0,1}} wd_a·wh_b·ww_e · x[n,c,id_a,ih_b,iw_e].
//
// y is overwritten.
func InterpForward[T Float](p InterpParams, x, y []T) {
	g := p.geom("InterpForward")
	mustLen("InterpForward", "x", len(x), g.planes*g.inVol)
	mustLen("InterpForward", "y", len(y), g.planes*g.outVol)
	if interpForwardF32 != nil {
		if xf, ok := any(x).([]float32); ok && interpForwardF32(p, xf, any(y).([]float32)) {
			return
		}
	}
	interpGeneric(&g, p, x, y, false)
}

// InterpBackward computes the gradient of InterpForward: every dy[n,c,j]
// is added, times each weight, to the input positions output j reads.
// dx is [N, C, In...] and is overwritten.
func InterpBackward[T Float](p InterpParams, dy, dx []T) {
	g := p.geom("InterpBackward")
	mustLen("InterpBackward", "dy", len(dy), g.planes*g.outVol)
	mustLen("InterpBackward", "dx", len(dx), g.planes*g.inVol)
	if interpBackwardF32 != nil {
		if dyf, ok := any(dy).([]float32); ok && interpBackwardF32(p, dyf, any(dx).([]float32)) {
			return
		}
	}
	interpGeneric(&g, p, dx, dy, true)
}

// interpGeneric runs interpolation forward (a is x, b is y) or, when
// backward is set, its adjoint (a is dx, b is dy). Each output row (one
// (d, h) position) reads at most four input rows; the mode is chosen
// outside the innermost loop so that the loop is a plain gather.
func interpGeneric[T Float](g *interpGeom, p InterpParams, a, b []T, backward bool) {
	var ax [3]interpAxis[T]
	for i := 0; i < 3; i++ {
		ax[i] = newInterpAxis[T](g.in[i], g.out[i], p.Mode, p.AlignCorners)
	}
	H, W, OW := g.in[1], g.in[2], g.out[2]
	// Nearest copies (so that an infinity is not multiplied by a zero
	// weight), and a problem without a depth axis skips the depth terms.
	nearest := p.Mode == Nearest
	flat := g.in[0] == 1 && g.out[0] == 1
	i0, i1, w0, w1 := ax[2].i0, ax[2].i1, ax[2].w0, ax[2].w1
	Parallel(g.planes, 1, func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			ap := a[pl*g.inVol : (pl+1)*g.inVol]
			bp := b[pl*g.outVol : (pl+1)*g.outVol]
			if backward {
				clear(ap)
			}
			j := 0
			for od := 0; od < g.out[0]; od++ {
				d0, d1 := ax[0].i0[od]*H, ax[0].i1[od]*H
				wd0, wd1 := ax[0].w0[od], ax[0].w1[od]
				for oh := 0; oh < g.out[1]; oh++ {
					br := bp[j : j+OW]
					j += OW
					r00 := ap[(d0+ax[1].i0[oh])*W:][:W]
					if nearest {
						if backward {
							for o, v := range br {
								r00[i0[o]] += v
							}
						} else {
							for o := range br {
								br[o] = r00[i0[o]]
							}
						}
						continue
					}
					r01 := ap[(d0+ax[1].i1[oh])*W:][:W]
					wh0, wh1 := ax[1].w0[oh], ax[1].w1[oh]
					if backward {
						a00, a01 := wd0*wh0, wd0*wh1
						for o, v := range br {
							r00[i0[o]] += a00 * w0[o] * v
							r00[i1[o]] += a00 * w1[o] * v
							r01[i0[o]] += a01 * w0[o] * v
							r01[i1[o]] += a01 * w1[o] * v
						}
						if flat {
							continue
						}
						r10 := ap[(d1+ax[1].i0[oh])*W:][:W]
						r11 := ap[(d1+ax[1].i1[oh])*W:][:W]
						a10, a11 := wd1*wh0, wd1*wh1
						for o, v := range br {
							r10[i0[o]] += a10 * w0[o] * v
							r10[i1[o]] += a10 * w1[o] * v
							r11[i0[o]] += a11 * w0[o] * v
							r11[i1[o]] += a11 * w1[o] * v
						}
						continue
					}
					if flat {
						for o := range br {
							br[o] = wh0*(w0[o]*r00[i0[o]]+w1[o]*r00[i1[o]]) + wh1*(w0[o]*r01[i0[o]]+w1[o]*r01[i1[o]])
						}
						continue
					}
					r10 := ap[(d1+ax[1].i0[oh])*W:][:W]
					r11 := ap[(d1+ax[1].i1[oh])*W:][:W]
					for o := range br {
						br[o] = wd0*(wh0*(w0[o]*r00[i0[o]]+w1[o]*r00[i1[o]])+wh1*(w0[o]*r01[i0[o]]+w1[o]*r01[i1[o]])) +
							wd1*(wh0*(w0[o]*r10[i0[o]]+w1[o]*r10[i1[o]])+wh1*(w0[o]*r11[i0[o]]+w1[o]*r11[i1[o]]))
					}
				}
			}
		}
	})
}
