package autograd

import (
	"fmt"

	"github.com/ivadogo/ivadogo/kernels"
	"github.com/ivadogo/ivadogo/tensor"
)

// InterpMode selects Interpolate's method.
type InterpMode = kernels.InterpMode

const (
	// InterpNearest is PyTorch's 'nearest': src = floor(dst·in/out).
	InterpNearest = kernels.Nearest
	// InterpLinear is 'linear', 'bilinear' or 'trilinear' by x's rank.
	InterpLinear = kernels.Linear
)

// Interpolate resizes the spatial axes of x [N, C, spatial...] to size,
// as torch.nn.functional.interpolate(x, size=size, mode=...,
// align_corners=alignCorners) (alignCorners is ignored for InterpNearest). For
// an integer scale factor f, pass size = f·in: PyTorch then uses the same
// coordinate maths.
func Interpolate[E Float](x *Var[E], size []int, mode InterpMode, alignCorners bool) *Var[E] {
	xs := x.Shape()
	if len(xs) < 3 || len(xs) > 5 || len(size) != len(xs)-2 {
		panic(fmt.Sprintf("autograd: Interpolate of shape %v to size %v", xs, size))
	}
	p := kernels.InterpParams{N: xs[0], C: xs[1], In: xs[2:], Out: size, Mode: mode, AlignCorners: alignCorners}
	xc, xcopy := contig(x.data)
	y := tensor.Empty[E](append([]int{xs[0], xs[1]}, size...)...)
	kernels.InterpForward(p, xc.Data(), y.Data())
	if xcopy {
		xc.Release()
	}
	v := fresh(recordBlind("Interpolate", y, vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		g, gcopy := contig(gy)
		dx := tensor.Empty[E](xs...)
		kernels.InterpBackward(p, g.Data(), dx.Data())
		if gcopy {
			g.Release()
		}
		return grads(dx)
	}))
	if v.requiresGrad && available(x) && x.data.IsContiguous() {
		v.remat = func(dst *tensor.Dense[E]) {
			built := rebuild(x)
			xd := x.data.Data()
			in := len(xd) / max(xs[0], 1)
			eachSample(dst, func(b0, b1 int, d []E) {
				q := p
				q.N = b1 - b0
				kernels.InterpForward(q, xd[b0*in:b1*in], d)
			})
			if built {
				x.data.Release()
			}
		}
	}
	return v
}
