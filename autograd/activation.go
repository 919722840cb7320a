package autograd

import (
	"math"

	"github.com/ivadogo/ivadogo/kernels"
	"github.com/ivadogo/ivadogo/tensor"
)

// Relu returns max(x, 0); its gradient at 0 is 0, as PyTorch's.
func Relu[E Float](x *Var[E]) *Var[E] {
	xc, xcopy := contig(x.data)
	out := tensor.Empty[E](x.Shape()...)
	kernels.Relu(out.Data(), xc.Data())
	if xcopy {
		xc.Release()
	}
	return record("Relu", out, vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		return grads(gradFrom(gy, out, kernels.ReluBackward[E]))
	})
}

// gradFrom returns the input gradient kernel(dx, y, gy) of an elementwise
// op whose backward reads y (its input or its output), gy made
// contiguous for it.
func gradFrom[E Float](gy, y *tensor.Dense[E], kernel func(dx, y, dy []E)) *tensor.Dense[E] {
	g, gcopy := contig(gy)
	dx := tensor.Empty[E](y.Shape()...)
	kernel(dx.Data(), y.Data(), g.Data())
	if gcopy {
		g.Release()
	}
	return dx
}

// LeakyRelu returns x where x > 0 and slope·x elsewhere (PyTorch's
// default slope is 0.01). The gradient at 0 is slope, as PyTorch's.
func LeakyRelu[E Float](x *Var[E], slope E) *Var[E] {
	xc, xcopy := contig(x.data)
	out := tensor.Empty[E](x.Shape()...)
	kernels.LeakyRelu(out.Data(), xc.Data(), slope)
	var saved []*tensor.Dense[E]
	if xcopy {
		saved = append(saved, xc)
	}
	// The backward pass reads x, not out: out may be overwritten in place,
	// and, where x stays (see available), dropped and rebuilt.
	v := fresh(record("LeakyRelu", out, vars(x), saved, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		return grads(gradFrom(gy, xc, func(dx, x, dy []E) { kernels.LeakyReluBackward(dx, x, dy, slope) }))
	}))
	if v.requiresGrad && !xcopy && available(x) {
		v.remat = func(dst *tensor.Dense[E]) {
			built := rebuild(x)
			// dst may be a concatenation's channels (Concat's rebuild):
			// contiguous sample by sample only.
			xd := x.data.Data()
			in := len(xd) / max(x.data.Dim(0), 1)
			eachSample(dst, func(b0, b1 int, d []E) { kernels.LeakyRelu(d, xd[b0*in:b1*in], slope) })
			if built {
				x.data.Release()
			}
		}
	}
	return v
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
		return grads(gradFrom(gy, out, kernels.SigmoidBackward[E]))
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
