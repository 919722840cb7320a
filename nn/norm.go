package nn

import (
	"fmt"
	"math"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/kernels"
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

func (m *BatchNorm) forward(x *autograd.Value) *autograd.Value {
	xs := x.Shape()
	if len(xs) < 2 || xs[1] != m.C {
		panic(fmt.Sprintf("nn: BatchNorm of %d channels applied to shape %v", m.C, xs))
	}
	n, s := xs[0], numel(xs[2:])
	xd := x.Data().Contiguous()
	gamma, beta := m.Weight.Data().Data(), m.Bias.Data().Data()
	y := tensor.Empty[float32](xs...)
	eps := float32(m.Eps)
	if !m.training {
		rm, rv := m.RunningMean.Data(), m.RunningVar.Data()
		kernels.BatchNormInference(n, m.C, s, xd.Data(), gamma, beta, rm, rv, eps, y.Data())
		// The backward of the affine map with fixed statistics.
		inv := make([]float32, m.C)
		for c := range inv {
			inv[c] = float32(1 / math.Sqrt(float64(rv[c])+m.Eps))
		}
		mean := append([]float32{}, rm...)
		return autograd.Op("BatchNormEval", y, []*autograd.Value{x, m.Weight, m.Bias}, func(gy *tensor.Tensor) []*tensor.Tensor {
			g := gy.Contiguous().Data()
			dx := tensor.Empty[float32](xs...)
			dg, db := tensor.Zeros(m.C), tensor.Zeros(m.C)
			xv, dxv, dgv, dbv := xd.Data(), dx.Data(), dg.Data(), db.Data()
			for i := 0; i < n; i++ {
				for c := 0; c < m.C; c++ {
					off := (i*m.C + c) * s
					k := gamma[c] * inv[c]
					var sg, sgx float64
					for j := off; j < off+s; j++ {
						dxv[j] = g[j] * k
						sg += float64(g[j])
						sgx += float64(g[j]) * float64((xv[j]-mean[c])*inv[c])
					}
					dgv[c] += float32(sgx)
					dbv[c] += float32(sg)
				}
			}
			return []*tensor.Tensor{dx, dg, db}
		})
	}
	if n*s < 2 {
		panic(fmt.Sprintf("nn: BatchNorm in training mode needs more than one value per channel, got shape %v", xs))
	}
	mean, invstd := make([]float32, m.C), make([]float32, m.C)
	kernels.BatchNormForward(n, m.C, s, xd.Data(), gamma, beta, eps, y.Data(), mean, invstd)
	// Running statistics: PyTorch blends in the unbiased batch variance.
	mom := m.Momentum
	rm, rv := m.RunningMean.Data(), m.RunningVar.Data()
	cnt := float64(n * s)
	for c := 0; c < m.C; c++ {
		v := 1/(float64(invstd[c])*float64(invstd[c])) - m.Eps
		rm[c] = float32((1-mom)*float64(rm[c]) + mom*float64(mean[c]))
		rv[c] = float32((1-mom)*float64(rv[c]) + mom*v*cnt/(cnt-1))
	}
	m.NumBatchesTracked++
	return autograd.Op("BatchNorm", y, []*autograd.Value{x, m.Weight, m.Bias}, func(gy *tensor.Tensor) []*tensor.Tensor {
		g := gy.Contiguous()
		dx := tensor.Empty[float32](xs...)
		dg, db := tensor.Empty[float32](m.C), tensor.Empty[float32](m.C)
		kernels.BatchNormBackward(n, m.C, s, xd.Data(), g.Data(), gamma, mean, invstd, dx.Data(), dg.Data(), db.Data())
		return []*tensor.Tensor{dx, dg, db}
	})
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
	xs := x.Shape()
	if len(xs) < 2 || xs[1] != m.C {
		// PyTorch's InstanceNorm without affine weights only warns on a
		// channel mismatch (ivadomed's attention model relies on it), so
		// normalise per channel whatever their number.
		if m.Weight != nil || m.Groups != m.C || len(xs) < 2 {
			panic(fmt.Sprintf("nn: GroupNorm of %d channels applied to shape %v", m.C, xs))
		}
	}
	c := xs[1]
	groups := m.Groups
	if m.Weight == nil && m.Groups == m.C {
		groups = c
	}
	n, s := xs[0], numel(xs[2:])
	if s*(c/groups) < 2 && m.training {
		panic(fmt.Sprintf("nn: instance/group norm needs more than one value per group, got shape %v", xs))
	}
	xd := x.Data().Contiguous()
	var gamma, beta []float32
	inputs := []*autograd.Value{x}
	if m.Weight != nil {
		gamma, beta = m.Weight.Data().Data(), m.Bias.Data().Data()
		inputs = append(inputs, m.Weight, m.Bias)
	}
	y := tensor.Empty[float32](xs...)
	mean, invstd := make([]float32, n*groups), make([]float32, n*groups)
	kernels.GroupNormForward(n, c, s, groups, xd.Data(), gamma, beta, float32(m.Eps), y.Data(), mean, invstd)
	return autograd.Op("GroupNorm", y, inputs, func(gy *tensor.Tensor) []*tensor.Tensor {
		g := gy.Contiguous()
		dx := tensor.Empty[float32](xs...)
		if gamma == nil {
			kernels.GroupNormBackward(n, c, s, groups, xd.Data(), g.Data(), nil, mean, invstd, dx.Data(), nil, nil)
			return []*tensor.Tensor{dx}
		}
		dg, db := tensor.Empty[float32](c), tensor.Empty[float32](c)
		kernels.GroupNormBackward(n, c, s, groups, xd.Data(), g.Data(), gamma, mean, invstd, dx.Data(), dg.Data(), db.Data())
		return []*tensor.Tensor{dx, dg, db}
	})
}
