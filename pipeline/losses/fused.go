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

// diceCE is DiceCE's value and gradient in one pass over the voxels.
func diceCE[E autograd.Float](p, t *v[E], smooth float64) *v[E] {
	shape := p.Shape()
	nb, nc := shape[0], shape[1]
	sp := 1
	for _, d := range shape[2:] {
		sp *= d
	}
	pd, td := flat(p), flat(t)
	// per channel: Σp·t, Σp, Σt over batch and space
	inter := make([]float64, nc)
	sum := make([]float64, nc)
	for b := 0; b < nb; b++ {
		for c := 0; c < nc; c++ {
			off := (b*nc + c) * sp
			for i := off; i < off+sp; i++ {
				x, y := float64(pd[i]), float64(td[i])
				inter[c] += x * y
				sum[c] += x + y
			}
		}
	}
	grad := make([]float64, len(pd))
	var dice float64
	num := make([]float64, nc)
	den := make([]float64, nc)
	clamped := make([]bool, nc)
	for c := 0; c < nc; c++ {
		num[c] = 2*inter[c] + smooth
		den[c] = sum[c] + smooth // 2TP+FP+FN = Σp + Σt
		if den[c] < 1e-8 {
			den[c], clamped[c] = 1e-8, true
		}
		dice += num[c] / den[c]
	}
	dice /= float64(nc)
	var ce float64
	if nc == 1 {
		n := float64(len(pd))
		for i := range pd {
			x, y := float64(pd[i]), float64(td[i])
			ce -= y*math.Max(math.Log(x), -100) + (1-y)*math.Max(math.Log(1-x), -100)
			grad[i] = (x - y) / math.Max(x*(1-x), 1e-12) / n
		}
		ce /= n
	} else {
		m := float64(nb * sp)
		for i := range pd {
			x, y := float64(pd[i]), float64(td[i])
			if y == 0 {
				continue
			}
			ce -= y * math.Log(math.Max(x, 1e-7))
			if x >= 1e-7 {
				grad[i] = -y / x / m
			}
		}
		ce /= m
	}
	for b := 0; b < nb; b++ {
		for c := 0; c < nc; c++ {
			off := (b*nc + c) * sp
			for i := off; i < off+sp; i++ {
				// d(num/den)/dp = (2t·den − num·[den not clamped]) / den²
				g := 2 * float64(td[i]) * den[c]
				if !clamped[c] {
					g -= num[c]
				}
				grad[i] -= g / (den[c] * den[c]) / float64(nc)
			}
		}
	}
	return scalarOp("DiceCELoss", ce-dice, p, grad)
}
