package nn

import (
	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/tensor"
)

// AttentionGate is the additive attention gate of Oktay et al. (2018) as
// ivadomed's GridAttentionBlockND: the skip features x are weighted by
// σ(ψ(ReLU(θ(x) + φ(g)))) computed against the gating signal g, then
// passed through a 1×1 convolution and batch norm (W).
type AttentionGate struct {
	Base
	W          *Sequential // conv 1×1 (in→in, bias) then BatchNorm
	Theta      *Conv       // kernel = stride = sub-sampling factor, no bias
	Phi        *Conv       // 1×1, gating→inter, bias
	Psi        *Conv       // 1×1, inter→1, bias
	dims, inCh int
}

// NewAttentionGate returns a gate for in channels of skip features and
// gating channels of gating signal, with inter intermediate channels and
// sub-sampling factor 2, in dims spatial dimensions. The convolutions and
// batch norm are initialised as ivadomed's weights_init_kaiming does.
func NewAttentionGate(dims, in, gating, inter int) *AttentionGate {
	if inter <= 0 {
		inter = max(in/2, 1)
	}
	m := &AttentionGate{dims: dims, inCh: in}
	bn := NewBatchNorm(in, 0.1)
	m.W = NewSequential(NewConv(dims, in, in, ConvConfig{Kernel: []int{1}}), bn)
	m.Theta = NewConv(dims, in, inter, ConvConfig{Kernel: []int{2}, Stride: []int{2}, NoBias: true})
	m.Phi = NewConv(dims, gating, inter, ConvConfig{Kernel: []int{1}})
	m.Psi = NewConv(dims, inter, 1, ConvConfig{Kernel: []int{1}})
	m.Child("W", m.W)
	m.Child("theta", m.Theta)
	m.Child("phi", m.Phi)
	m.Child("psi", m.Psi)
	for _, c := range []*Conv{m.W.Layers[0].(*Conv), m.Theta, m.Phi, m.Psi} {
		kaimingNormalInit(c)
	}
	bn.Weight.Data().FillNormal(rng, 1, 0.02)
	return m
}

// kaimingNormalInit is ivadomed's weights_init_kaiming for a convolution:
// kaiming_normal_(w, a=0, mode='fan_in'); the bias keeps its default.
func kaimingNormalInit(c *Conv) {
	c.Weight.Data().KaimingNormal(rng, 0, tensor.FanIn, "leaky_relu")
}

// Forward gates x [N, in, spatial...] with g [N, gating, spatial'...] and
// returns the gated features and the attention map [N, 1, spatial...].
func (m *AttentionGate) Forward(x, g *autograd.Value) (out, att *autograd.Value) {
	thetaX := m.Theta.Forward(x)
	phiG := autograd.Interpolate(m.Phi.Forward(g), thetaX.Shape()[2:], autograd.InterpLinear, true)
	f := autograd.ReluInPlace(autograd.Add(thetaX, phiG))
	s := autograd.Sigmoid(m.Psi.Forward(f))
	s = autograd.Interpolate(s, x.Shape()[2:], autograd.InterpLinear, true)
	out = m.W.Forward(autograd.Mul(s, x))
	if tracer != nil {
		trace(m, "AttentionGate", out, 0)
	}
	return out, s
}

// GatingSignal is ivadomed's UnetGridGatingSignal3: conv 1×1×1 (bias),
// BatchNorm3d and ReLU, registered as "conv1" = Sequential(0 conv, 1 BN,
// 2 ReLU).
type GatingSignal struct {
	Base
	Conv1 *Sequential
}

// NewGatingSignal returns the gating block from in to out channels.
func NewGatingSignal(in, out int) *GatingSignal {
	m := &GatingSignal{Conv1: NewSequential(NewConv(3, in, out, ConvConfig{Kernel: []int{1}}), NewBatchNorm(out, 0.1), ReLU())}
	m.Child("conv1", m.Conv1)
	return m
}

// Forward implements Layer.
func (m *GatingSignal) Forward(x *autograd.Value) *autograd.Value { return m.Conv1.Forward(x) }
