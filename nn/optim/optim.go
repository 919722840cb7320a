package optim

import (
	"github.com/ivadogo/ivadogo/autograd"
)

// Optimizer updates parameters from their accumulated gradients.
type Optimizer interface {
	// Step applies one update to every parameter that has a gradient.
	Step()
	// ZeroGrad drops the parameters' gradients and hands their buffers
	// back (PyTorch's zero_grad(set_to_none=True)): in a training step
	// laid out by tensor.StartStep they then share the step's arena with
	// the activations instead of staying resident beside it. A parameter
	// that had a gradient and gets none in a later step is still updated
	// as with a zero gradient (momentum and weight decay go on), as with
	// PyTorch's zero_grad(set_to_none=False), which ivadomed calls.
	ZeroGrad()
	// LR returns the current learning rate; SetLR changes it (schedules
	// call it once per epoch or batch).
	LR() float64
	SetLR(lr float64)
}

// params is the part every optimiser shares.
type params struct {
	list []*autograd.Value
	lr   float64
	// had marks the parameters that have had a gradient (see grad);
	// zeros is the gradient of one that has none now.
	had   []bool
	zeros []float32
}

func (p *params) LR() float64      { return p.lr }
func (p *params) SetLR(lr float64) { p.lr = lr }
func (p *params) ZeroGrad() {
	for _, v := range p.list {
		v.DropGrad()
	}
}

// grad returns parameter i's data and gradient slices for an update: nil
// data when the parameter is frozen or never had a gradient (PyTorch
// skips those too), and zeros for one that had a gradient before but got
// none since ZeroGrad.
func (p *params) grad(i int) (w, g []float32) {
	if p.had == nil {
		p.had = make([]bool, len(p.list))
	}
	v := p.list[i]
	w, g = grad(v)
	switch {
	case g != nil:
		p.had[i] = true
	case v.RequiresGrad() && p.had[i]:
		// The updates only read the gradient: one buffer of zeros, kept,
		// serves every such parameter (a HeMIS encoder whose contrast is
		// missing from a batch would otherwise make its own each step).
		n := v.Data().Len()
		if len(p.zeros) < n {
			p.zeros = make([]float32, n)
		}
		w, g = v.Data().Data(), p.zeros[:n]
	}
	return w, g
}

// grad returns the parameter's data and gradient slices, or nil data when
// the parameter is frozen or got no gradient (PyTorch skips those too).
func grad(v *autograd.Value) (w, g []float32) {
	if !v.RequiresGrad() {
		return nil, nil
	}
	gt := v.Grad()
	if gt == nil {
		return nil, nil
	}
	return v.Data().Data(), gt.Contiguous().Data()
}
