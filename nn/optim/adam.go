package optim

import (
	"math"

	"github.com/ivadogo/ivadogo/autograd"
)

// Adam is torch.optim.Adam (amsgrad off), or torch.optim.AdamW when
// Decoupled is set: then weight decay shrinks the weights directly
// (w ← w·(1 − lr·λ)) instead of being added to the gradient.
type Adam struct {
	params
	Beta1, Beta2 float64
	Eps          float64
	WeightDecay  float64
	Decoupled    bool

	step int
	m, v [][]float32
}

// NewAdam returns Adam with PyTorch's defaults: betas (0.9, 0.999), eps
// 1e-8, no weight decay.
func NewAdam(ps []*autograd.Value, lr float64) *Adam {
	return &Adam{params: params{list: ps, lr: lr}, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// NewAdamW returns AdamW with PyTorch's defaults: betas (0.9, 0.999), eps
// 1e-8, weight decay 0.01.
func NewAdamW(ps []*autograd.Value, lr float64) *Adam {
	a := NewAdam(ps, lr)
	a.WeightDecay = 0.01
	a.Decoupled = true
	return a
}

// Steps returns how many updates have been applied.
func (a *Adam) Steps() int { return a.step }

// Step applies one Adam update. The moments are kept per parameter; the
// bias corrections use the global step count as PyTorch does when every
// parameter gets a gradient at every step.
func (a *Adam) Step() {
	if a.m == nil {
		a.m = make([][]float32, len(a.list))
		a.v = make([][]float32, len(a.list))
	}
	a.step++
	// 1−β is taken in float64 before the cast, as PyTorch passes it as a
	// Python float: float32(1−0.999) and 1−float32(0.999) differ by 1e-5.
	b1, b2 := float32(a.Beta1), float32(a.Beta2)
	c1, c2 := float32(1-a.Beta1), float32(1-a.Beta2)
	bc1 := 1 - math.Pow(a.Beta1, float64(a.step))
	bc2 := 1 - math.Pow(a.Beta2, float64(a.step))
	stepSize := float32(a.lr / bc1)
	bc2s := float32(math.Sqrt(bc2))
	eps := float32(a.Eps)
	wd := float32(a.WeightDecay)
	shrink := float32(1 - a.lr*a.WeightDecay)
	for i, p := range a.list {
		w, g := grad(p)
		if w == nil {
			continue
		}
		if a.m[i] == nil {
			a.m[i] = make([]float32, len(w))
			a.v[i] = make([]float32, len(w))
		}
		m, v := a.m[i], a.v[i]
		for j := range w {
			gj := g[j]
			if wd != 0 {
				if a.Decoupled {
					w[j] *= shrink
				} else {
					gj += wd * w[j]
				}
			}
			m[j] = b1*m[j] + c1*gj
			v[j] = b2*v[j] + c2*gj*gj
			denom := float32(math.Sqrt(float64(v[j])))/bc2s + eps
			w[j] -= stepSize * (m[j] / denom)
		}
	}
}
