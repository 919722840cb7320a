package optim

import "github.com/ivadogo/ivadogo/autograd"

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
	for i, p := range s.list {
		w, g := grad(p)
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
