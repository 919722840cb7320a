package nn

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/nn/optim"
	"github.com/ivadogo/ivadogo/tensor"
)

// PeerModel builds the model of a whole-model case of the PyTorch peer
// benchmark (shared/bench/README.md §e) from its name prefix:
// "unet2d_d<depth>_f<filters>_…" is ivadomed's 2D Unet and
// "unet3d_mod_f<filters>_…" its Modified3DUNet, both with one input and
// one output channel, dropout 0.3, momentum 0.1 and a sigmoid.
func PeerModel(name string) (Layer, error) {
	parts := strings.Split(name, "_")
	num := func(s, prefix string) (int, error) {
		if !strings.HasPrefix(s, prefix) {
			return 0, fmt.Errorf("nn: peer case %q: want %q… in %q", name, prefix, s)
		}
		return strconv.Atoi(s[len(prefix):])
	}
	switch {
	case len(parts) >= 3 && parts[0] == "unet2d":
		d, err := num(parts[1], "d")
		if err != nil {
			return nil, err
		}
		f, err := num(parts[2], "f")
		if err != nil {
			return nil, err
		}
		return NewUnet(UnetConfig{Depth: d, Filters: f}), nil
	case len(parts) >= 3 && parts[0] == "unet3d" && parts[1] == "mod":
		f, err := num(parts[2], "f")
		if err != nil {
			return nil, err
		}
		return NewModified3DUNet(Modified3DUNetConfig{Filters: f}), nil
	}
	return nil, fmt.Errorf("nn: no model for peer benchmark case %q", name)
}

// DiceLoss is ivadomed's DiceLoss over the whole batch:
// −(2·Σ(p·t) + 1)/(Σp + Σt + 1).
func DiceLoss(pred, target *autograd.Value) *autograd.Value {
	inter := autograd.SumAll(autograd.Mul(pred, target))
	num := autograd.AddScalar(autograd.MulScalar(inter, 2), 1)
	den := autograd.AddScalar(autograd.Add(autograd.SumAll(pred), autograd.SumAll(target)), 1)
	return autograd.Neg(autograd.Div(num, den))
}

// PeerStep returns the two timed operations of a model case of the peer
// benchmark, on fixed data (x ~ U[0,1), target = U[0,1) > 0.5) of the given
// input shape: train is one step (forward in training mode, Dice loss,
// backward, Adam with lr 1e-3, drop the gradients) and infer one forward
// pass in evaluation mode.
func PeerStep(m Layer, input []int) (train, infer func()) {
	g := tensor.NewRNG(0)
	x := autograd.Const(tensor.Uniform[float32](g, 0, 1, input...))
	tv := tensor.Uniform[float32](g, 0, 1, input...)
	for i, v := range tv.Data() {
		if v > 0.5 {
			tv.Data()[i] = 1
		} else {
			tv.Data()[i] = 0
		}
	}
	target := autograd.Const(tv)
	opt := optim.NewAdam(Parameters(m), 1e-3)
	// Each call is a step of the tensor package's arena, as a training
	// step of the pipeline is: its buffers are laid out from the first.
	key := fmt.Sprintf("%p %v", m, input)
	train = func() {
		step := tensor.StartStep("peer train " + key)
		SetTraining(m, true)
		loss := DiceLoss(m.Forward(x), target)
		loss.Backward()
		opt.Step()
		opt.ZeroGrad()
		loss.Release()
		step.End()
	}
	infer = func() {
		step := tensor.StartStep("peer infer " + key)
		SetTraining(m, false)
		// Recording the graph (the parameters require gradients) and
		// releasing it hands every intermediate back to the buffer pool;
		// under NoGrad they would be garbage, re-allocated and zeroed on
		// every call.
		y := m.Forward(x)
		y.Release()
		step.End()
	}
	return train, infer
}
