package autograd

import (
	"fmt"

	"github.com/ivadogo/ivadogo/kernels"
	"github.com/ivadogo/ivadogo/tensor"
)

// PoolOpts are the hyper-parameters of MaxPool and AvgPool, one value per
// spatial axis. Nil Stride means Stride = Kernel (PyTorch's default), nil
// Pad means 0.
type PoolOpts struct {
	Kernel, Stride, Pad []int
	CeilMode            bool
}

func poolParams(op string, xs []int, o PoolOpts) (kernels.PoolParams, []int) {
	if len(xs) < 3 || len(xs) > 5 || len(o.Kernel) != len(xs)-2 {
		panic(fmt.Sprintf("autograd: %s of shape %v with kernel %v: want N×C×(1 to 3 spatial axes) and one kernel size per spatial axis", op, xs, o.Kernel))
	}
	p := kernels.PoolParams{N: xs[0], C: xs[1], In: xs[2:], Kernel: o.Kernel, Stride: o.Stride, Pad: o.Pad, CeilMode: o.CeilMode}
	return p, append([]int{xs[0], xs[1]}, p.Out()...)
}

// MaxPool is PyTorch's max_pool1d/2d/3d (by x's rank). The gradient goes
// to the element chosen in each window (the first on ties).
//
// When x can be recomputed (see Drop), so can the output, and the
// backward pass finds the chosen elements again from x instead of
// keeping their indices from the forward pass.
func MaxPool[E Float](x *Var[E], o PoolOpts) *Var[E] {
	xs := x.Shape()
	p, out := poolParams("MaxPool", xs, o)
	xc, xcopy := contig(x.data)
	y := tensor.Empty[E](out...)
	n := y.Len()
	idx := getIndex(n)
	kernels.MaxPoolForward(p, xc.Data(), y.Data(), idx)
	if xcopy {
		xc.Release()
	}
	// forward runs the pooling again from x, rebuilt if Drop released
	// it, into dst (contiguous) and idx.
	forward := func(dst *tensor.Dense[E], idx []int32) {
		built := rebuild(x)
		kernels.MaxPoolForward(p, x.data.Data(), dst.Data(), idx)
		if built {
			x.data.Release()
		}
	}
	again := x.remat != nil && !xcopy && GradEnabled() && x.requiresGrad
	if again {
		putIndex(idx)
		idx = nil
	}
	v := fresh(recordBlind("MaxPool", y, vars(x), func() {
		if idx != nil {
			putIndex(idx)
		}
	}, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		ix := idx
		if ix == nil {
			ix = getIndex(n)
			defer putIndex(ix)
			tmp := tensor.Empty[E](out...)
			forward(tmp, ix)
			tmp.Release()
		}
		g, gcopy := contig(gy)
		dx := tensor.Empty[E](xs...)
		kernels.MaxPoolBackward(p, g.Data(), ix, dx.Data())
		if gcopy {
			g.Release()
		}
		return grads(dx)
	}))
	if again && v.requiresGrad {
		v.remat = func(dst *tensor.Dense[E]) {
			ix := getIndex(n)
			if dst.IsContiguous() {
				forward(dst, ix)
			} else {
				tmp := tensor.Empty[E](out...)
				forward(tmp, ix)
				dst.CopyFrom(tmp)
				tmp.Release()
			}
			putIndex(ix)
		}
	}
	return v
}

// AvgPool is PyTorch's avg_pool1d/2d/3d with count_include_pad=True (its
// default): padding zeros count in the divisor.
func AvgPool[E Float](x *Var[E], o PoolOpts) *Var[E] {
	xs := x.Shape()
	p, out := poolParams("AvgPool", xs, o)
	xc, xcopy := contig(x.data)
	y := tensor.Empty[E](out...)
	kernels.AvgPoolForward(p, xc.Data(), y.Data())
	if xcopy {
		xc.Release()
	}
	return record("AvgPool", y, vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		g, gcopy := contig(gy)
		dx := tensor.Empty[E](xs...)
		kernels.AvgPoolBackward(p, g.Data(), dx.Data())
		if gcopy {
			g.Release()
		}
		return grads(dx)
	})
}

// Max pooling's index buffers come from the tensor pool, as int32 views
// of its float32 buffers (see tensor.Int32s): a free list of their own
// kept them resident beside the pool while nothing used them.
func getIndex(n int) []int32 { return tensor.Int32s(n) }

func putIndex(b []int32) { tensor.ReleaseInt32s(b) }
