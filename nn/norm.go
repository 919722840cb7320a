package nn

import (
	"fmt"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/tensor"
)

// BatchNorm is PyTorch's BatchNorm1d/2d/3d with affine weights and
// running statistics: in training mode it normalises with the batch's
// statistics and updates running_mean/running_var with Momentum (the
// unbiased variance, as PyTorch); in evaluation mode it uses the running
// statistics.
type BatchNorm struct {
	Base
	C                       int
	Eps, Momentum           float64
	Weight, Bias            *autograd.Value
	RunningMean, RunningVar *tensor.Tensor
	NumBatchesTracked       int64
}

// NewBatchNorm returns batch normalisation over c channels with PyTorch's
// defaults (eps 1e-5) and the given momentum (PyTorch's default is 0.1).
func NewBatchNorm(c int, momentum float64) *BatchNorm {
	m := &BatchNorm{C: c, Eps: 1e-5, Momentum: momentum}
	m.Weight, m.Bias = autograd.Param(tensor.Ones(c)), autograd.Param(tensor.Zeros(c))
	m.RunningMean, m.RunningVar = tensor.Zeros(c), tensor.Ones(c)
	m.Param("weight", &m.Weight)
	m.Param("bias", &m.Bias)
	m.Buffer("running_mean", &m.RunningMean)
	m.Buffer("running_var", &m.RunningVar)
	m.Counter("num_batches_tracked", &m.NumBatchesTracked)
	m.OnReset(func() {
		m.Weight.Data().Fill(1)
		m.Bias.Data().Fill(0)
		m.RunningMean.Fill(0)
		m.RunningVar.Fill(1)
		m.NumBatchesTracked = 0
	})
	return m
}

// Forward implements Layer.
func (m *BatchNorm) Forward(x *autograd.Value) *autograd.Value {
	y := m.forward(x)
	if tracer != nil {
		trace(m, fmt.Sprintf("BatchNorm%dd", len(x.Shape())-2), y, 0)
	}
	return y
}

// forwardReluDropout is d.ForwardInPlace(m.Forward(ReluInPlace(x))),
// fused into one op that keeps less for the backward pass
// (autograd.ReluBatchNormChannelDropout); d must be channel dropout.
func (m *BatchNorm) forwardReluDropout(x *autograd.Value, d *Dropout) *autograd.Value {
	m.begin(x.Shape())
	p := 0.0
	var rng *tensor.RNG
	if d.training && d.P > 0 {
		p, rng = d.P, d.next()
	}
	return autograd.ReluBatchNormChannelDropout(x, m.Weight, m.Bias, m.RunningMean, m.RunningVar, m.training, m.Momentum, m.Eps, p, rng)
}

// begin checks x's shape against the layer and, in training mode, counts
// the batch, as every forward pass does first.
func (m *BatchNorm) begin(xs []int) {
	if len(xs) < 2 || xs[1] != m.C {
		panic(fmt.Sprintf("nn: BatchNorm of %d channels applied to shape %v", m.C, xs))
	}
	if m.training {
		if numel(xs)/m.C < 2 {
			panic(fmt.Sprintf("nn: BatchNorm in training mode needs more than one value per channel, got shape %v", xs))
		}
		m.NumBatchesTracked++
	}
}

func (m *BatchNorm) forward(x *autograd.Value) *autograd.Value {
	m.begin(x.Shape())
	return autograd.BatchNorm(x, m.Weight, m.Bias, m.RunningMean, m.RunningVar, m.training, m.Momentum, m.Eps)
}

// GroupNorm is PyTorch's GroupNorm: statistics per sample and group of
// channels, with per-channel affine weights (optional). InstanceNorm is
// the case Groups == C.
type GroupNorm struct {
	Base
	Groups, C    int
	Eps          float64
	Weight, Bias *autograd.Value // nil without affine weights
}

// NewGroupNorm returns group normalisation with affine weights (PyTorch's
// GroupNorm default).
func NewGroupNorm(groups, c int) *GroupNorm {
	if groups <= 0 || c%groups != 0 {
		panic(fmt.Sprintf("nn: GroupNorm of %d channels in %d groups", c, groups))
	}
	m := &GroupNorm{Groups: groups, C: c, Eps: 1e-5}
	m.affine()
	return m
}

func (m *GroupNorm) affine() {
	m.Weight, m.Bias = autograd.Param(tensor.Ones(m.C)), autograd.Param(tensor.Zeros(m.C))
	m.Param("weight", &m.Weight)
	m.Param("bias", &m.Bias)
	m.OnReset(func() {
		m.Weight.Data().Fill(1)
		m.Bias.Data().Fill(0)
	})
}

// NewInstanceNorm returns PyTorch's InstanceNorm1d/2d/3d over c channels:
// per-sample, per-channel statistics in training and evaluation alike
// (track_running_stats=False, PyTorch's default), with affine weights only
// when affine is set. It counts as a layer for transfer learning, as it
// does in PyTorch (it has reset_parameters).
func NewInstanceNorm(c int, affine bool) *GroupNorm {
	m := &GroupNorm{Groups: c, C: c, Eps: 1e-5}
	if affine {
		m.affine()
	} else {
		m.OnReset(func() {})
	}
	return m
}

// Forward implements Layer.
func (m *GroupNorm) Forward(x *autograd.Value) *autograd.Value {
	y := m.forward(x)
	if tracer != nil {
		kind := "GroupNorm"
		if m.Groups == m.C {
			kind = fmt.Sprintf("InstanceNorm%dd", len(x.Shape())-2)
		}
		trace(m, kind, y, 0)
	}
	return y
}

func (m *GroupNorm) forward(x *autograd.Value) *autograd.Value {
	return autograd.GroupNorm(x, m.groups(x), m.Weight, m.Bias, m.Eps)
}

// forwardLeaky is Forward followed by a LeakyReLU of the given slope, in
// one pass (autograd.GroupNormLeakyRelu), with the results and gradients
// of Forward followed by LeakyReluInPlace. Callers take it while no
// summary is traced (fuseLeaky): the pair would then be one layer.
func (m *GroupNorm) forwardLeaky(x *autograd.Value, slope float32) *autograd.Value {
	return autograd.GroupNormLeakyRelu(x, m.groups(x), m.Weight, m.Bias, m.Eps, slope)
}

// fuseLeaky reports whether a GroupNorm and the LeakyReLU after it run
// as one op (forwardLeaky).
func fuseLeaky() bool { return tracer == nil && !unfused }

// unfused, set by tests that wrap the LeakyReLU layers, runs them apart.
var unfused bool

// groups returns the groups m normalises x's channels in, checking x's
// shape.
func (m *GroupNorm) groups(x *autograd.Value) int {
	xs := x.Shape()
	if len(xs) < 2 {
		panic(fmt.Sprintf("nn: GroupNorm of %d channels applied to shape %v", m.C, xs))
	}
	if xs[1] != m.C && (m.Weight != nil || m.Groups != m.C) {
		panic(fmt.Sprintf("nn: GroupNorm of %d channels applied to shape %v", m.C, xs))
	}
	groups := m.Groups
	if m.Groups == m.C {
		// Instance norm. Without affine weights PyTorch only warns on a
		// channel mismatch (ivadomed's attention model relies on it), so
		// normalise per channel whatever their number.
		groups = xs[1]
	}
	if m.training && numel(xs[2:])*(xs[1]/groups) < 2 {
		panic(fmt.Sprintf("nn: instance/group norm needs more than one value per group, got shape %v", xs))
	}
	return groups
}
