package autograd

import (
	"math"

	"github.com/ivadogo/ivadogo/tensor"
)

// Add returns a + b, broadcasting.
func Add[E Float](a, b *Var[E]) *Var[E] {
	out := tensor.Add(a.data, b.data)
	return fresh(record("Add", out, vars(a, b), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		var ga, gb *tensor.Dense[E]
		if needs(a) {
			ga = sumTo(gy, a.Shape(), false)
		}
		if needs(b) {
			gb = sumTo(gy, b.Shape(), false)
		}
		return grads(ga, gb)
	}))
}

// Sub returns a − b, broadcasting.
func Sub[E Float](a, b *Var[E]) *Var[E] {
	out := tensor.Sub(a.data, b.data)
	return record("Sub", out, vars(a, b), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		var ga, gb *tensor.Dense[E]
		if needs(a) {
			ga = sumTo(gy, a.Shape(), false)
		}
		if needs(b) {
			gb = sumTo(tensor.Neg(gy), b.Shape(), true)
		}
		return grads(ga, gb)
	})
}

// Mul returns a·b elementwise, broadcasting.
func Mul[E Float](a, b *Var[E]) *Var[E] {
	out := tensor.Mul(a.data, b.data)
	return record("Mul", out, vars(a, b), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		var ga, gb *tensor.Dense[E]
		if needs(a) {
			ga = sumTo(tensor.Mul(gy, b.data), a.Shape(), true)
		}
		if needs(b) {
			gb = sumTo(tensor.Mul(gy, a.data), b.Shape(), true)
		}
		return grads(ga, gb)
	})
}

// Div returns a/b elementwise, broadcasting.
func Div[E Float](a, b *Var[E]) *Var[E] {
	out := tensor.Div(a.data, b.data)
	return record("Div", out, vars(a, b), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		var ga, gb *tensor.Dense[E]
		if needs(a) {
			ga = sumTo(tensor.Div(gy, b.data), a.Shape(), true)
		}
		if needs(b) {
			// d(a/b)/db = −(a/b)/b = −out/b
			m := tensor.Mul(gy, out)
			t := tensor.Map2(m, b.data, func(x, y E) E { return -x / y })
			m.Release()
			gb = sumTo(t, b.Shape(), true)
		}
		return grads(ga, gb)
	})
}

// AddScalar returns x + s.
func AddScalar[E Float](x *Var[E], s E) *Var[E] {
	return record("AddScalar", tensor.AddScalar(x.data, s), vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		return grads(gy)
	})
}

// MulScalar returns x·s.
func MulScalar[E Float](x *Var[E], s E) *Var[E] {
	return record("MulScalar", tensor.MulScalar(x.data, s), vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		return grads(tensor.MulScalar(gy, s))
	})
}

// Neg returns −x.
func Neg[E Float](x *Var[E]) *Var[E] { return MulScalar(x, -1) }

// Pow returns x raised elementwise to the constant power p.
func Pow[E Float](x *Var[E], p E) *Var[E] {
	return record("Pow", tensor.Pow(x.data, p), vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		return grads(zip(gy, x.data, func(g, a E) E {
			return g * p * E(math.Pow(float64(a), float64(p-1)))
		}))
	})
}

// Square returns x² elementwise.
func Square[E Float](x *Var[E]) *Var[E] {
	return record("Square", tensor.Mul(x.data, x.data), vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		return grads(zip(gy, x.data, func(g, a E) E { return 2 * g * a }))
	})
}

// Exp returns eˣ elementwise.
func Exp[E Float](x *Var[E]) *Var[E] {
	out := tensor.Exp(x.data)
	return record("Exp", out, vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		return grads(tensor.Mul(gy, out))
	})
}

// Log returns the natural logarithm elementwise.
func Log[E Float](x *Var[E]) *Var[E] {
	return record("Log", tensor.Log(x.data), vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		return grads(tensor.Div(gy, x.data))
	})
}

// Sqrt returns √x elementwise.
func Sqrt[E Float](x *Var[E]) *Var[E] {
	out := tensor.Sqrt(x.data)
	return record("Sqrt", out, vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		return grads(zip(gy, out, func(g, y E) E { return g / (2 * y) }))
	})
}

// Abs returns |x| elementwise; its gradient at 0 is 0, as PyTorch's.
func Abs[E Float](x *Var[E]) *Var[E] {
	return record("Abs", tensor.Abs(x.data), vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		return grads(zip(gy, x.data, func(g, a E) E {
			switch {
			case a > 0:
				return g
			case a < 0:
				return -g
			}
			return 0
		}))
	})
}

// Maximum returns the elementwise maximum of a and b, broadcasting. Where
// they are equal the gradient is split evenly between them, as PyTorch's.
func Maximum[E Float](a, b *Var[E]) *Var[E] { return extremum("Maximum", a, b, tensor.Maximum[E], 1) }

// Minimum returns the elementwise minimum of a and b, broadcasting, with
// ties split as in Maximum.
func Minimum[E Float](a, b *Var[E]) *Var[E] { return extremum("Minimum", a, b, tensor.Minimum[E], -1) }

func extremum[E Float](op string, a, b *Var[E], f func(x, y *tensor.Dense[E]) *tensor.Dense[E], sign E) *Var[E] {
	out := f(a.data, b.data)
	share := func(gy, self, other *tensor.Dense[E]) *tensor.Dense[E] {
		// the share of gy that goes to self: 1 where self wins, ½ on ties
		w := tensor.Map2(self, other, func(x, y E) E {
			switch {
			case sign*(x-y) > 0:
				return 1
			case x == y:
				return 0.5
			}
			return 0
		})
		g := tensor.Mul(gy, w)
		w.Release()
		return sumTo(g, self.Shape(), true)
	}
	return record(op, out, vars(a, b), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		var ga, gb *tensor.Dense[E]
		if needs(a) {
			ga = share(gy, a.data, b.data)
		}
		if needs(b) {
			gb = share(gy, b.data, a.data)
		}
		return grads(ga, gb)
	})
}
