package bench

import (
	"testing"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/kernels"
	"github.com/ivadogo/ivadogo/nn"
	"github.com/ivadogo/ivadogo/nn/optim"
	"github.com/ivadogo/ivadogo/tensor"
)

// TestUNetStepMemory bounds the memory in use during a training step of
// ivadomed's 2D U-Net (depth 3, dropout, batch norm, bilinear upsampling;
// 8 filters, batch 4 of 1×64×64: the 2D config scaled down 64 times): the
// activations left after the forward pass, and the peak of tensors plus
// the kernels' large scratch during the step. Before the decoder dropped
// what it had concatenated and Backward released activations as it went,
// they were 12.2 and 16.0 MB, then 9.2 and 10.7 MB; since each conv block
// keeps only its ReLU output and the concatenations and the second
// convolutions' inputs are rebuilt in the backward pass, 4.2 and 8.3 MB;
// since a convolution rebuilds its input for its weight gradient alone,
// the upsampling is written into the concatenation, the decoder drops
// what it concatenated before the convolutions and the pooled maps are
// rebuilt too, 3.9 and 6.5 MB.
func TestUNetStepMemory(t *testing.T) {
	nn.SetSeed(1)
	m := nn.NewUnet(nn.UnetConfig{Depth: 3, Filters: 8, Dropout: 0.3})
	rng := tensor.NewRNG(2)
	x := autograd.Const(tensor.Uniform[float32](rng, 0, 1, 4, 1, 64, 64))
	y := autograd.Const(tensor.Uniform[float32](rng, 0, 1, 4, 1, 64, 64))
	opt := optim.NewAdam(nn.Parameters(m), 1e-3)
	nn.SetTraining(m, true)
	var kept, fwd, peak int64
	for range 3 {
		opt.ZeroGrad()
		live := tensor.Pool().LiveBytes
		tensor.ResetPeakLive()
		loss := nn.DiceLoss(m.Forward(x), y)
		fwd = tensor.Pool().LiveBytes - live
		loss.Backward()
		opt.Step()
		loss.Release()
		peak = tensor.Pool().PeakLiveBytes - live
		kept = tensor.Pool().HeldBytes + kernels.ScratchBytes()
	}
	t.Logf("activations %.2f MB, peak in use %.2f MB, kept between steps %.1f MB", float64(fwd)/1e6, float64(peak)/1e6, float64(kept)/1e6)
	if fwd > 4.5e6 || peak > 7e6 {
		t.Fatalf("a step keeps %.2f MB of activations and peaks at %.2f MB in use, want at most 4.5 and 7", float64(fwd)/1e6, float64(peak)/1e6)
	}
}
