package autograd_test

import (
	"math"
	"testing"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/nn"
	"github.com/ivadogo/ivadogo/nn/optim"
	"github.com/ivadogo/ivadogo/tensor"
)

// TestUnetStepEarlyRelease trains ivadomed's U-Net (batch norm, in-place
// ReLU and dropout, max pooling, bilinear upsampling, concatenation) for
// three steps with and without the release of forward data by Drop and
// during Backward: the losses and every gradient must be bit for bit the
// same. A
// backward pass that read a buffer after it went back to the pool would
// read another step's gradient, or panic, instead.
func TestUnetStepEarlyRelease(t *testing.T) {
	run := func(early bool) (losses []float32, grads [][]float32) {
		old := autograd.SetEarlyRelease(early)
		defer autograd.SetEarlyRelease(old)
		nn.SetSeed(4)
		m := nn.NewUnet(nn.UnetConfig{Depth: 2, Filters: 8, Dropout: 0.3})
		rng := tensor.NewRNG(5)
		x := autograd.Const(tensor.Uniform[float32](rng, -1, 1, 2, 1, 32, 32))
		y := tensor.Uniform[float32](rng, 0, 1, 2, 1, 32, 32)
		for i, v := range y.Data() {
			y.Data()[i] = float32(math.Round(float64(v)))
		}
		target := autograd.Const(y)
		ps := nn.Parameters(m)
		opt := optim.NewAdam(ps, 1e-2)
		nn.SetTraining(m, true)
		for range 3 {
			opt.ZeroGrad()
			loss := nn.DiceLoss(m.Forward(x), target)
			losses = append(losses, loss.Item())
			loss.Backward()
			for _, p := range ps {
				grads = append(grads, p.Grad().Clone().Data())
			}
			opt.Step()
			loss.Release()
		}
		return losses, grads
	}
	l0, g0 := run(false)
	l1, g1 := run(true)
	for i := range l0 {
		if l0[i] != l1[i] {
			t.Fatalf("step %d: loss %v with early release, %v without", i, l1[i], l0[i])
		}
	}
	for i := range g0 {
		for j := range g0[i] {
			if math.Float32bits(g0[i][j]) != math.Float32bits(g1[i][j]) {
				t.Fatalf("gradient %d (of %d) element %d: %v with early release, %v without", i, len(g0), j, g1[i][j], g0[i][j])
			}
		}
	}
}
