package optim

import (
	"github.com/ivadogo/ivadogo/autograd"
)

// Optimizer updates parameters from their accumulated gradients.
type Optimizer interface {
	// Step applies one update to every parameter that has a gradient.
	Step()
	// ZeroGrad drops the parameters' gradients (PyTorch's
	// zero_grad(set_to_none=True)).
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
}

func (p *params) LR() float64      { return p.lr }
func (p *params) SetLR(lr float64) { p.lr = lr }
func (p *params) ZeroGrad() {
	for _, v := range p.list {
		v.ZeroGrad()
	}
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
