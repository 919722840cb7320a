package autograd

import (
	"github.com/ivadogo/ivadogo/kernels"
	"github.com/ivadogo/ivadogo/tensor"
)

const grain = 1 << 14

// zip returns f(g, a) elementwise for same-shaped g and a.
func zip[E Float](g, a *tensor.Dense[E], f func(g, a E) E) *tensor.Dense[E] {
	out := tensor.Empty[E](g.Shape()...)
	d, gs, as := out.Data(), g.Contiguous().Data(), a.Contiguous().Data()
	kernels.Parallel(len(d), grain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			d[i] = f(gs[i], as[i])
		}
	})
	return out
}

// sumTo reduces g to shape (undoing broadcasting), releasing g when the
// result is a new tensor and g was a temporary of the caller's.
func sumTo[E Float](g *tensor.Dense[E], shape []int, temp bool) *tensor.Dense[E] {
	r := tensor.SumTo(g, shape)
	if temp && r.Storage() != g.Storage() {
		g.Release()
	}
	return r
}

func vars[E Float](vs ...*Var[E]) []*Var[E] { return vs }

func grads[E Float](gs ...*tensor.Dense[E]) []*tensor.Dense[E] { return gs }
