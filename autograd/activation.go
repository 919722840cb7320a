package autograd

import (
	"math"

	"github.com/ivadogo/ivadogo/tensor"
)

// Relu returns max(x, 0); its gradient at 0 is 0, as PyTorch's.
func Relu[E Float](x *Var[E]) *Var[E] {
	out := tensor.Relu(x.data)
	return record("Relu", out, vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		return grads(zip(gy, out, func(g, y E) E {
			if y > 0 {
				return g
			}
			return 0
		}))
	})
}

// LeakyRelu returns x where x > 0 and slope·x elsewhere (PyTorch's
// default slope is 0.01).
func LeakyRelu[E Float](x *Var[E], slope E) *Var[E] {
	out := tensor.Map(x.data, func(a E) E {
		if a > 0 {
			return a
		}
		return a * slope
	})
	return record("LeakyRelu", out, vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		return grads(zip(gy, x.data, func(g, a E) E {
			if a > 0 {
				return g
			}
			return g * slope
		}))
	})
}

// Elu returns x where x > 0 and alpha·(eˣ − 1) elsewhere.
func Elu[E Float](x *Var[E], alpha E) *Var[E] {
	out := tensor.Map(x.data, func(a E) E {
		if a > 0 {
			return a
		}
		return alpha * E(math.Expm1(float64(a)))
	})
	return record("Elu", out, vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		return grads(zip(gy, x.data, func(g, a E) E {
			if a > 0 {
				return g
			}
			return g * alpha * E(math.Exp(float64(a)))
		}))
	})
}

// Sigmoid returns 1/(1 + e^−x).
func Sigmoid[E Float](x *Var[E]) *Var[E] {
	out := tensor.Sigmoid(x.data)
	return record("Sigmoid", out, vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		return grads(zip(gy, out, func(g, y E) E { return g * y * (1 - y) }))
	})
}

// Tanh returns tanh x.
func Tanh[E Float](x *Var[E]) *Var[E] {
	out := tensor.Tanh(x.data)
	return record("Tanh", out, vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		return grads(zip(gy, out, func(g, y E) E { return g * (1 - y*y) }))
	})
}

// Clamp limits x to [lo, hi]. The gradient passes where lo ≤ x ≤ hi and
// is 0 elsewhere, as PyTorch's. Use ±Inf for a one-sided clamp.
func Clamp[E Float](x *Var[E], lo, hi E) *Var[E] {
	return record("Clamp", tensor.Clamp(x.data, lo, hi), vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		return grads(zip(gy, x.data, func(g, a E) E {
			if a >= lo && a <= hi {
				return g
			}
			return 0
		}))
	})
}
