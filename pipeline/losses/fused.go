package losses

import (
	"math"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/tensor"
)

// The voxelwise losses are single ops with their gradient written out:
// built from elementary ops they would record a dozen full-size
// intermediates per batch.

// flat returns the values of a Var in order (a pinned view of its data).
func flat[E autograd.Float](x *v[E]) []E { return x.Data().Contiguous().Data() }

// scalarOp records a one-element op whose gradient with respect to p is
// grad·(upstream gradient).
func scalarOp[E autograd.Float](name string, value float64, p *v[E], grad []float64) *v[E] {
	return autograd.Op(name, tensor.Scalar(E(value)), []*v[E]{p}, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		g := float64(gy.Item())
		gd := make([]E, len(grad))
		for i, x := range grad {
			gd[i] = E(g * x)
		}
		return []*tensor.Dense[E]{tensor.FromSlice(gd, p.Shape()...)}
	})
}

// bce is PyTorch's BCELoss (mean): logarithms clamped at −100, gradient
// (p−t)/max(p(1−p), 1e-12)/N as PyTorch's backward computes it.
func bce[E autograd.Float](p, t *v[E]) *v[E] {
	pd, td := flat(p), flat(t)
	n := float64(len(pd))
	grad := make([]float64, len(pd))
	var sum float64
	for i := range pd {
		x, y := float64(pd[i]), float64(td[i])
		lp := math.Max(math.Log(x), -100)
		lq := math.Max(math.Log(1-x), -100)
		sum -= y*lp + (1-y)*lq
		grad[i] = (x - y) / math.Max(x*(1-x), 1e-12) / n
	}
	return scalarOp("BinaryCrossEntropyLoss", sum/n, p, grad)
}

// focal is ivadomed's FocalLoss (a sum): p clamped to [eps, 1−eps] (no
// gradient outside, as torch.clamp), log p_t = t·log p + (1−t)·log(1−p),
// −a_t·log p_t·(1−p_t)^γ.
func focal[E autograd.Float](p, t *v[E], gamma, alpha, eps float64) *v[E] {
	pd, td := flat(p), flat(t)
	grad := make([]float64, len(pd))
	var sum float64
	for i := range pd {
		x, y := float64(pd[i]), float64(td[i])
		inside := x >= eps && x <= 1-eps
		x = math.Min(math.Max(x, eps), 1-eps)
		var logpt, pt float64
		switch y {
		case 1: // hard labels skip a logarithm and the exponential
			logpt, pt = math.Log(x), x
		case 0:
			logpt, pt = math.Log(1-x), 1-x
		default:
			logpt = y*math.Log(x) + (1-y)*math.Log(1-x)
			pt = math.Exp(logpt)
		}
		at := alpha*y + (1-alpha)*(1-y)
		q := 1 - pt
		qg1 := powFast(q, gamma-1)
		sum += -at * logpt * qg1 * q
		if inside {
			dlog := y/x - (1-y)/(1-x)
			// d/dx of −a_t·logpt·q^γ, q = 1 − exp(logpt)
			grad[i] = -at * (dlog*qg1*q + logpt*gamma*qg1*(-pt*dlog))
		}
	}
	return scalarOp("FocalLoss", sum, p, grad)
}

// powFast is math.Pow with the common small integer exponents unrolled.
func powFast(x, e float64) float64 {
	switch e {
	case 0:
		return 1
	case 1:
		return x
	case 2:
		return x * x
	}
	return math.Pow(x, e)
}
