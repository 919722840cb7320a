package nn

import (
	"fmt"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/tensor"
)

// ConvConfig describes a convolution: sizes per spatial axis (a single
// value applies to every axis). Zero Stride means 1; Bias is on unless
// NoBias is set (PyTorch's bias=True default).
type ConvConfig struct {
	Kernel, Stride, Pad, Dilation []int
	OutputPadding                 []int // transposed convolution only
	Groups                        int
	NoBias                        bool
}

// Conv is PyTorch's Conv1d/Conv2d/Conv3d (by Dims): weight
// [Out, In/Groups, kernel...], bias [Out].
type Conv struct {
	Base
	Dims, In, Out int
	Weight, Bias  *autograd.Value
	opts          autograd.ConvOpts
	kernel        []int
}

// expand turns a per-axis size list of length 1 into one of length d.
func expand(v []int, d, def int) []int {
	switch len(v) {
	case 0:
		out := make([]int, d)
		for i := range out {
			out[i] = def
		}
		return out
	case 1:
		out := make([]int, d)
		for i := range out {
			out[i] = v[0]
		}
		return out
	case d:
		return append([]int{}, v...)
	}
	panic(fmt.Sprintf("nn: %d sizes %v for %d spatial axes", len(v), v, d))
}

// NewConv returns a d-dimensional convolution from in to out channels,
// initialised as PyTorch does.
func NewConv(dims, in, out int, c ConvConfig) *Conv {
	groups := max(c.Groups, 1)
	if in%groups != 0 || out%groups != 0 {
		panic(fmt.Sprintf("nn: Conv %d→%d channels with %d groups", in, out, groups))
	}
	k := expand(c.Kernel, dims, 1)
	m := &Conv{Dims: dims, In: in, Out: out, kernel: k}
	m.opts = autograd.ConvOpts{Stride: expand(c.Stride, dims, 1), Pad: expand(c.Pad, dims, 0),
		Dilation: expand(c.Dilation, dims, 1), Groups: groups}
	m.affine(&m.Weight, &m.Bias, append([]int{out, in / groups}, k...), out, c.NoBias)
	return m
}

// Conv2d is NewConv(2, in, out, ...) with a square kernel k and padding pad.
func Conv2d(in, out, k, pad int) *Conv {
	return NewConv(2, in, out, ConvConfig{Kernel: []int{k}, Pad: []int{pad}})
}

// Conv3d is NewConv(3, in, out, ...) with a cubic kernel k and padding pad.
func Conv3d(in, out, k, pad int) *Conv {
	return NewConv(3, in, out, ConvConfig{Kernel: []int{k}, Pad: []int{pad}})
}

// Forward implements Layer.
func (m *Conv) Forward(x *autograd.Value) *autograd.Value {
	y := autograd.Conv(x, m.Weight, m.Bias, m.opts)
	if tracer != nil {
		trace(m, fmt.Sprintf("Conv%dd", m.Dims), y, m.FLOPs(x.Shape()))
	}
	return y
}

// forwardLeaky is Forward(LeakyRelu(x, slope)) as one op
// (autograd.ConvLeaky).
func (m *Conv) forwardLeaky(x *autograd.Value, slope float32) *autograd.Value {
	return autograd.ConvLeaky(x, m.Weight, m.Bias, slope, m.opts)
}

// upsampledOK reports whether autograd.ConvUpsampled computes m: kernel
// 3, padding 1, stride 1, dilation 1 and one group on every axis.
func (m *Conv) upsampledOK() bool {
	o := m.opts
	for i, k := range m.kernel {
		if k != 3 || o.Pad[i] != 1 || o.Stride[i] != 1 || o.Dilation[i] != 1 {
			return false
		}
	}
	return o.Groups <= 1
}

// OutShape returns the output shape for an input shape.
func (m *Conv) OutShape(in []int) []int {
	out := []int{in[0], m.Out}
	for i, s := range in[2:] {
		o := m.opts
		out = append(out, (s+2*o.Pad[i]-o.Dilation[i]*(m.kernel[i]-1)-1)/o.Stride[i]+1)
	}
	return out
}

// FLOPs returns the convolution's forward multiply-adds ×2 for an input
// shape: 2·N·Cout·(Cin/groups)·prod(kernel)·prod(output spatial), the
// count the peer benchmark uses.
func (m *Conv) FLOPs(in []int) float64 {
	out := m.OutShape(in)
	f := 2 * float64(out[0]) * float64(m.Out) * float64(m.In/m.opts.Groups)
	for _, k := range m.kernel {
		f *= float64(k)
	}
	for _, s := range out[2:] {
		f *= float64(s)
	}
	return f
}

// ConvTranspose is PyTorch's ConvTranspose1d/2d/3d: weight
// [In, Out/Groups, kernel...], bias [Out].
type ConvTranspose struct {
	Base
	Dims, In, Out int
	Weight, Bias  *autograd.Value
	opts          autograd.ConvOpts
	kernel        []int
}

// NewConvTranspose returns a d-dimensional transposed convolution,
// initialised as PyTorch does (its fan-in is Out/Groups·prod(kernel)).
func NewConvTranspose(dims, in, out int, c ConvConfig) *ConvTranspose {
	groups := max(c.Groups, 1)
	if in%groups != 0 || out%groups != 0 {
		panic(fmt.Sprintf("nn: ConvTranspose %d→%d channels with %d groups", in, out, groups))
	}
	k := expand(c.Kernel, dims, 1)
	m := &ConvTranspose{Dims: dims, In: in, Out: out, kernel: k}
	m.opts = autograd.ConvOpts{Stride: expand(c.Stride, dims, 1), Pad: expand(c.Pad, dims, 0),
		Dilation: expand(c.Dilation, dims, 1), Groups: groups, OutputPadding: expand(c.OutputPadding, dims, 0)}
	m.affine(&m.Weight, &m.Bias, append([]int{in, out / groups}, k...), out, c.NoBias)
	return m
}

// Forward implements Layer.
func (m *ConvTranspose) Forward(x *autograd.Value) *autograd.Value {
	y := autograd.ConvTranspose(x, m.Weight, m.Bias, m.opts)
	if tracer != nil {
		trace(m, fmt.Sprintf("ConvTranspose%dd", m.Dims), y, m.FLOPs(x.Shape()))
	}
	return y
}

// OutShape returns the output shape for an input shape.
func (m *ConvTranspose) OutShape(in []int) []int {
	out := []int{in[0], m.Out}
	o := m.opts
	for i, s := range in[2:] {
		out = append(out, (s-1)*o.Stride[i]-2*o.Pad[i]+o.Dilation[i]*(m.kernel[i]-1)+o.OutputPadding[i]+1)
	}
	return out
}

// FLOPs returns 2·N·Cin·(Cout/groups)·prod(kernel)·prod(input spatial),
// the multiply-adds of the transposed convolution ×2.
func (m *ConvTranspose) FLOPs(in []int) float64 {
	f := 2 * float64(in[0]) * float64(m.In) * float64(m.Out/m.opts.Groups)
	for _, k := range m.kernel {
		f *= float64(k)
	}
	for _, s := range in[2:] {
		f *= float64(s)
	}
	return f
}

// Linear is PyTorch's Linear: y = x·Wᵀ + b with W [Out, In].
type Linear struct {
	Base
	In, Out      int
	Weight, Bias *autograd.Value
}

// NewLinear returns a fully connected layer initialised as PyTorch does.
func NewLinear(in, out int) *Linear {
	m := &Linear{In: in, Out: out}
	m.affine(&m.Weight, &m.Bias, []int{out, in}, out, false)
	return m
}

// Forward implements Layer.
func (m *Linear) Forward(x *autograd.Value) *autograd.Value {
	y := autograd.Linear(x, m.Weight, m.Bias)
	if tracer != nil {
		trace(m, "Linear", y, 0)
	}
	return y
}

// affine creates the weight (shape ws) and, unless noBias, the bias (n
// elements) of a convolution or linear layer, registers them under
// PyTorch's names, initialises them as PyTorch does and re-initialises
// them the same way on a reset.
func (b *Base) affine(weight, bias **autograd.Value, ws []int, n int, noBias bool) {
	w := tensor.Zeros(ws...)
	var bt *tensor.Tensor
	if !noBias {
		bt = tensor.Zeros(n)
	}
	kaimingDefault(w, bt)
	*weight = autograd.Param(w)
	b.Param("weight", weight)
	if bt != nil {
		*bias = autograd.Param(bt)
		b.Param("bias", bias)
	}
	b.OnReset(func() {
		var bt *tensor.Tensor
		if *bias != nil {
			bt = (*bias).Data()
		}
		kaimingDefault((*weight).Data(), bt)
	})
}
