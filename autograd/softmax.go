package autograd

import (
	"github.com/ivadogo/ivadogo/tensor"
)

// Softmax returns exp(x)/Σexp(x) along axis (computed with the maximum
// subtracted, so large inputs do not overflow).
func Softmax[E Float](x *Var[E], axis int) *Var[E] {
	ax := []int{axis}
	m := tensor.Max(x.data, ax, true)
	y := tensor.Sub(x.data, m)
	m.Release()
	e := tensor.Exp(y)
	y.Release()
	s := tensor.Sum(e, ax, true)
	out := tensor.Div(e, s)
	e.Release()
	s.Release()
	return record("Softmax", out, vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		// gx = y·(gy − Σ gy·y)
		gyy := tensor.Mul(gy, out)
		dot := tensor.Sum(gyy, ax, true)
		gyy.Release()
		d := tensor.Sub(gy, dot)
		dot.Release()
		g := tensor.Mul(out, d)
		d.Release()
		return grads(g)
	})
}

// LogSoftmax returns x − log Σexp(x) along axis, computed stably.
func LogSoftmax[E Float](x *Var[E], axis int) *Var[E] {
	ax := []int{axis}
	m := tensor.Max(x.data, ax, true)
	y := tensor.Sub(x.data, m)
	m.Release()
	e := tensor.Exp(y)
	s := tensor.Sum(e, ax, true)
	e.Release()
	ls := tensor.Log(s)
	s.Release()
	out := tensor.Sub(y, ls)
	y.Release()
	ls.Release()
	return record("LogSoftmax", out, vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		// gx = gy − softmax·Σ gy
		sg := tensor.Sum(gy, ax, true)
		p := tensor.Exp(out)
		ps := tensor.Mul(p, sg)
		p.Release()
		sg.Release()
		g := tensor.Sub(gy, ps)
		ps.Release()
		return grads(g)
	})
}
