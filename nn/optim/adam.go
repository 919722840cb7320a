package optim

import (
	"fmt"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/kernels"
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
	kp := kernels.AdamParams{LR: a.lr, Beta1: a.Beta1, Beta2: a.Beta2, Eps: a.Eps,
		WeightDecay: a.WeightDecay, Step: a.step, Decoupled: a.Decoupled}
	for i := range a.list {
		w, g := a.params.grad(i)
		if w == nil {
			continue
		}
		if a.m[i] == nil {
			a.m[i] = make([]float32, len(w))
			a.v[i] = make([]float32, len(w))
			// Fault the new pages in here: faulted in by the kernel's
			// AVX-512 stores instead, the first step of a 7-million
			// parameter model took 271 ms instead of 6 (the clears,
			// about 40).
			clear(a.m[i])
			clear(a.v[i])
		}
		// The kernel follows PyTorch's update in float32, with 1−β taken
		// in float64 as PyTorch passes it.
		kernels.AdamUpdate(kp, w, g, a.m[i], a.v[i])
	}
}

// AdamState is Adam's internal state: the step count and the first and
// second moments per parameter (nil for a parameter not updated yet), in
// the order of the parameter list. Checkpoints save it to resume training
// exactly.
type AdamState struct {
	Step int
	M, V [][]float32
}

// Moments returns the step count and the first and second moments
// themselves, not a copy (nil slices before the first Step): they are
// valid until the next Step or SetState, which overwrite them. A
// checkpoint written beside the next forward pass reads them here rather
// than holding a copy as large as the model twice over.
func (a *Adam) Moments() (step int, m, v [][]float32) {
	m, v = make([][]float32, len(a.list)), make([][]float32, len(a.list))
	copy(m, a.m)
	copy(v, a.v)
	return a.step, m, v
}

// State returns a copy of the optimiser's state.
func (a *Adam) State() AdamState {
	s := AdamState{Step: a.step, M: make([][]float32, len(a.list)), V: make([][]float32, len(a.list))}
	for i := range a.m {
		s.M[i] = append([]float32(nil), a.m[i]...)
		s.V[i] = append([]float32(nil), a.v[i]...)
	}
	return s
}

// SetState restores a state taken by State on an optimiser over
// parameters of the same shapes.
func (a *Adam) SetState(s AdamState) error {
	if len(s.M) != len(a.list) || len(s.V) != len(a.list) {
		return fmt.Errorf("optim: Adam state for %d parameters, the optimiser has %d", len(s.M), len(a.list))
	}
	for i, p := range a.list {
		n := p.Data().Len()
		for _, mv := range [][]float32{s.M[i], s.V[i]} {
			if mv != nil && len(mv) != n {
				return fmt.Errorf("optim: Adam state of parameter %d has %d values, the parameter %d", i, len(mv), n)
			}
		}
	}
	a.step = s.Step
	a.m, a.v = make([][]float32, len(a.list)), make([][]float32, len(a.list))
	for i := range a.list {
		a.m[i] = append([]float32(nil), s.M[i]...)
		a.v[i] = append([]float32(nil), s.V[i]...)
		if len(a.m[i]) == 0 {
			a.m[i], a.v[i] = nil, nil
		}
	}
	// A parameter with moments has had a gradient (see params.grad).
	a.had = make([]bool, len(a.list))
	for i := range a.list {
		a.had[i] = a.m[i] != nil
	}
	return nil
}
