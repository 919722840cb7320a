package optim

import (
	"fmt"

	"github.com/ivadogo/ivadogo/autograd"
)

// SGD is torch.optim.SGD: stochastic gradient descent with optional
// momentum (with dampening), Nesterov momentum and L2 weight decay.
type SGD struct {
	params
	Momentum    float64
	Dampening   float64
	Nesterov    bool
	WeightDecay float64

	buf [][]float32
}

// NewSGD returns plain SGD; set the fields for momentum and weight decay.
func NewSGD(ps []*autograd.Value, lr float64) *SGD {
	return &SGD{params: params{list: ps, lr: lr}}
}

// Step applies one SGD update.
func (s *SGD) Step() {
	if s.Nesterov && (s.Momentum <= 0 || s.Dampening != 0) {
		panic("optim: Nesterov momentum requires a momentum and zero dampening")
	}
	if s.buf == nil {
		s.buf = make([][]float32, len(s.list))
	}
	lr := float32(s.lr)
	mom, undamp, wd := float32(s.Momentum), float32(1-s.Dampening), float32(s.WeightDecay)
	for i := range s.list {
		w, g := s.params.grad(i)
		if w == nil {
			continue
		}
		first := false
		if s.Momentum != 0 && s.buf[i] == nil {
			s.buf[i] = make([]float32, len(w))
			first = true
		}
		b := s.buf[i]
		for j := range w {
			d := g[j]
			if wd != 0 {
				d += wd * w[j]
			}
			if mom != 0 {
				// The first step copies the gradient into the buffer
				// without dampening, as PyTorch does.
				if first {
					b[j] = d
				} else {
					b[j] = mom*b[j] + undamp*d
				}
				if s.Nesterov {
					d += mom * b[j]
				} else {
					d = b[j]
				}
			}
			w[j] -= lr * d
		}
	}
}

// State returns a copy of the momentum buffers, one per parameter (nil
// before the parameter's first update or without momentum), for
// checkpoints.
func (s *SGD) State() [][]float32 {
	out := make([][]float32, len(s.list))
	for i := range s.buf {
		out[i] = append([]float32(nil), s.buf[i]...)
		if len(out[i]) == 0 {
			out[i] = nil
		}
	}
	return out
}

// SetState restores momentum buffers taken by State on an optimiser over
// parameters of the same shapes.
func (s *SGD) SetState(bufs [][]float32) error {
	if len(bufs) != len(s.list) {
		return fmt.Errorf("optim: SGD state for %d parameters, the optimiser has %d", len(bufs), len(s.list))
	}
	for i, p := range s.list {
		if bufs[i] != nil && len(bufs[i]) != p.Data().Len() {
			return fmt.Errorf("optim: SGD state of parameter %d has %d values, the parameter %d", i, len(bufs[i]), p.Data().Len())
		}
	}
	s.buf = make([][]float32, len(s.list))
	s.had = make([]bool, len(s.list))
	for i, b := range bufs {
		if b != nil {
			s.buf[i] = append([]float32(nil), b...)
			s.had[i] = true // see params.grad
		}
	}
	return nil
}
