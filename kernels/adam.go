package kernels

import (
	"fmt"
	"math"
)

// AdamParams are the hyper-parameters of one Adam step, named as in
// torch.optim.Adam and AdamW.
type AdamParams struct {
	LR, Beta1, Beta2, Eps, WeightDecay float64
	Step                               int  // number of this step, 1 for the first
	Decoupled                          bool // AdamW: decay the weights instead of adding WeightDecay·param to the gradient
}

// AdamUpdate applies one step of PyTorch's Adam (amsgrad off) to param in
// place, updating the moments m and v in place:
//
//	g = grad + WeightDecay·param          (Adam; AdamW instead first sets param ·= 1 − LR·WeightDecay)
//	m = Beta1·m + (1 − Beta1)·g
//	v = Beta2·v + (1 − Beta2)·g²
//	param −= LR/(1 − Beta1^Step) · m / (√v/√(1 − Beta2^Step) + Eps)
//
// m and v start at zero before step 1.
func AdamUpdate[T Float](p AdamParams, param, grad, m, v []T) {
	mustSameLen("AdamUpdate", len(param), len(grad), len(m), len(v))
	if p.Step < 1 {
		panic(fmt.Sprintf("kernels: AdamUpdate: Step = %d, want ≥ 1", p.Step))
	}
	if adamF32 != nil {
		if pf, ok := any(param).([]float32); ok && adamF32(p, pf, any(grad).([]float32), any(m).([]float32), any(v).([]float32)) {
			return
		}
	}
	c := newAdamCoefs[T](p)
	if len(param) < parallelMin {
		adamRange(&c, param, grad, m, v)
		return
	}
	Parallel(len(param), elemGrain, func(lo, hi int) { adamRange(&c, param[lo:hi], grad[lo:hi], m[lo:hi], v[lo:hi]) })
}

// adamCoefs are the per-step constants of adamRange; the assembly
// kernels read the float32 instance by field offset, so the field order
// is fixed.
type adamCoefs[T Float] struct {
	b1, nb1, b2, nb2, step, bc2, eps, decay, shrink T
}

func newAdamCoefs[T Float](p AdamParams) adamCoefs[T] {
	c := adamCoefs[T]{
		b1: T(p.Beta1), nb1: T(1 - p.Beta1), b2: T(p.Beta2), nb2: T(1 - p.Beta2),
		step:  T(p.LR / (1 - math.Pow(p.Beta1, float64(p.Step)))),
		bc2:   T(math.Sqrt(1 - math.Pow(p.Beta2, float64(p.Step)))),
		eps:   T(p.Eps),
		decay: T(p.WeightDecay), shrink: 1,
	}
	if p.Decoupled {
		c.decay, c.shrink = 0, T(1-p.LR*p.WeightDecay)
	}
	return c
}

func adamRange[T Float](c *adamCoefs[T], param, grad, m, v []T) {
	grad, m, v = grad[:len(param)], m[:len(param)], v[:len(param)]
	for i, w := range param {
		g := grad[i] + c.decay*w
		w *= c.shrink
		mi := c.b1*m[i] + c.nb1*g
		vi := c.b2*v[i] + c.nb2*g*g
		m[i], v[i] = mi, vi
		param[i] = w - c.step*mi/(T(math.Sqrt(float64(vi)))/c.bc2+c.eps)
	}
}
