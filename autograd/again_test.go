package autograd_test

import (
	"testing"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/nn"
	"github.com/ivadogo/ivadogo/tensor"
)

// TestCheapConvOutputReleased checks that a U-Net whose first convolution
// is cheap (one input channel, 3×3) keeps one map of its first block less
// through the step than one whose first convolution is not (four
// channels: 36 multiply-adds per output, over cheapConv): the block's
// ReLU output goes back after the forward pass and is convolved again for
// the backward passes that read it. TestUnetStepEarlyRelease checks that
// the rebuilt map gives the same gradients, bit for bit.
func TestCheapConvOutputReleased(t *testing.T) {
	const n, f, h, w = 2, 8, 32, 32
	kept := func(cin int) int64 {
		nn.SetSeed(4)
		m := nn.NewUnet(nn.UnetConfig{InChannels: cin, Depth: 2, Filters: f, Dropout: 0.3})
		nn.SetTraining(m, true)
		rng := tensor.NewRNG(5)
		x := autograd.Const(tensor.Uniform[float32](rng, -1, 1, n, cin, h, w))
		y := autograd.Const(tensor.Uniform[float32](rng, 0, 1, n, 1, h, w))
		live := tensor.Pool().LiveBytes
		loss := nn.DiceLoss(m.Forward(x), y)
		k := tensor.Pool().LiveBytes - live
		loss.Backward()
		loss.Release()
		return k
	}
	one, four := kept(1), kept(4)
	if want := int64(n * f * h * w * 4); four-one != want {
		t.Errorf("after the forward pass %d bytes are kept with 1 input channel, %d with 4: want one %d-byte map less", one, four, want)
	}
}
