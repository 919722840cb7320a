package autograd

import (
	"fmt"

	"github.com/ivadogo/ivadogo/kernels"
	"github.com/ivadogo/ivadogo/tensor"
)

// InterpolateConcat is Concat(1, Interpolate(x, size of skip, mode,
// alignCorners), skip), a U-Net decoder's upsampling and concatenation,
// with the same values and gradients, bit for bit: the interpolation is
// written straight into the concatenation's channels, sample by sample,
// instead of into a tensor of its own that the concatenation then copies,
// and the backward pass interpolates back from the gradient's channels in
// place. The upsampled map (two thirds of the concatenation in ivadomed's
// U-Net) is never made, in either pass. Like Concat it reads only its
// inputs' shapes in backward, and when both inputs can be recomputed (see
// Drop) so can its output.
func InterpolateConcat[E Float](x, skip *Var[E], mode InterpMode, alignCorners bool) *Var[E] {
	xs, ss := x.Shape(), skip.Shape()
	if len(xs) < 3 || len(xs) > 5 || len(ss) != len(xs) || xs[0] != ss[0] {
		panic(fmt.Sprintf("autograd: InterpolateConcat of shapes %v and %v", xs, ss))
	}
	n, c1, c2 := xs[0], xs[1], ss[1]
	p := kernels.InterpParams{N: 1, C: c1, In: xs[2:], Out: ss[2:], Mode: mode, AlignCorners: alignCorners}
	in := c1 // one sample of x
	for _, v := range xs[2:] {
		in *= v
	}
	// fill writes the concatenation into dst (contiguous per sample) from
	// x's and skip's data, or rebuilds a released part.
	fill := func(dst *tensor.Dense[E]) {
		xc, xcopy := contig(x.data)
		xd := xc.Data()
		for b := range n {
			kernels.InterpForward(p, xd[b*in:(b+1)*in], dst.Narrow(0, b, 1).Narrow(1, 0, c1).Data())
		}
		if xcopy {
			xc.Release()
		}
		// CopyFrom spreads the strided copy over the workers.
		dst.Narrow(1, c1, c2).CopyFrom(skip.data)
	}
	out := tensor.Empty[E](append([]int{n, c1 + c2}, ss[2:]...)...)
	fill(out)
	v := fresh(recordBlind("InterpolateConcat", out, vars(x, skip), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		g, gcopy := contig(gy)
		gs := make([]*tensor.Dense[E], 2)
		if needs(x) {
			dx := tensor.Empty[E](xs...)
			d := dx.Data()
			for b := range n {
				kernels.InterpBackward(p, g.Narrow(0, b, 1).Narrow(1, 0, c1).Data(), d[b*in:(b+1)*in])
			}
			gs[0] = dx
		}
		if needs(skip) {
			ds := tensor.Empty[E](ss...)
			ds.CopyFrom(g.Narrow(1, c1, c2))
			gs[1] = ds
		}
		if gcopy {
			g.Release()
		}
		return gs
	}))
	if v.requiresGrad && x.remat != nil && skip.remat != nil {
		v.remat = func(dst *tensor.Dense[E]) {
			bx := rebuild(x)
			if skip.data.Storage().Released() {
				// skip straight into its channels, then x's interpolation.
				skip.remat(dst.Narrow(1, c1, c2))
				xc := x.data.Data()
				for b := range n {
					kernels.InterpForward(p, xc[b*in:(b+1)*in], dst.Narrow(0, b, 1).Narrow(1, 0, c1).Data())
				}
			} else {
				fill(dst)
			}
			if bx {
				x.data.Release()
			}
		}
	}
	return v
}
