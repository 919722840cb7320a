package kernels

import (
	"fmt"
	"strings"
)

// ConvParams describes a convolution over N×Cin×spatial input with 1 to 3
// spatial dimensions, in PyTorch's layout (NCW, NCHW, NCDHW).
type ConvParams struct {
	N, Cin, Cout int
	In           []int // input spatial size, e.g. {H, W} or {D, H, W}
	Kernel       []int // same length as In
	Stride       []int // nil means all 1
	Pad          []int // symmetric zero padding per spatial dim; nil means 0
	Dilation     []int // nil means all 1
	Groups       int   // 0 or 1 means 1
}

// Out returns the output spatial size, by PyTorch's formula
// (in + 2·pad − dil·(k−1) − 1)/stride + 1, which is below 1 when the
// dilated kernel does not fit the padded input. It panics when the
// parameters have different ranks or a kernel size, stride or dilation
// below 1.
func (p ConvParams) Out() []int {
	mustSpatial("ConvParams.Out", p, p.In, "Kernel,Stride,Pad,Dilation", p.Kernel, p.Stride, p.Pad, p.Dilation)
	out := make([]int, len(p.In))
	for i, in := range p.In {
		out[i] = (in+2*at(p.Pad, i, 0)-at(p.Dilation, i, 1)*(p.Kernel[i]-1)-1)/at(p.Stride, i, 1) + 1
	}
	return out
}

// ConvTransposeParams describes a transposed convolution (PyTorch's
// ConvTranspose1d/2d/3d); the weight is laid out [Cin, Cout/Groups, kernel...].
type ConvTransposeParams struct {
	N, Cin, Cout                                     int
	In, Kernel, Stride, Pad, Dilation, OutputPadding []int // nil: 1 for Stride and Dilation, 0 otherwise
	Groups                                           int   // 0 or 1 means 1
}

// Out returns the output spatial size,
// (in−1)·stride − 2·pad + dil·(k−1) + outputPadding + 1. It panics as
// ConvParams.Out does.
func (p ConvTransposeParams) Out() []int {
	mustSpatial("ConvTransposeParams.Out", p, p.In, "Kernel,Stride,Pad,Dilation,OutputPadding", p.Kernel, p.Stride, p.Pad, p.Dilation, p.OutputPadding)
	out := make([]int, len(p.In))
	for i, in := range p.In {
		out[i] = (in-1)*at(p.Stride, i, 1) - 2*at(p.Pad, i, 0) + at(p.Dilation, i, 1)*(p.Kernel[i]-1) + at(p.OutputPadding, i, 0) + 1
	}
	return out
}

// PoolParams describes max or average pooling over N×C×spatial input.
// Stride nil means Stride = Kernel; Pad nil means 0.
type PoolParams struct {
	N, C                    int
	In, Kernel, Stride, Pad []int
	CeilMode                bool
}

// Out returns the output spatial size by PyTorch's pooling formula,
// including its rule that with CeilMode the last window must start inside
// the input or the left padding. It panics as ConvParams.Out does.
func (p PoolParams) Out() []int {
	mustSpatial("PoolParams.Out", p, p.In, "Kernel,Stride,Pad", p.Kernel, p.Stride, p.Pad)
	out := make([]int, len(p.In))
	for i, in := range p.In {
		out[i] = poolOutSize(in, p.Kernel[i], at(p.Stride, i, p.Kernel[i]), at(p.Pad, i, 0), p.CeilMode)
	}
	return out
}

// poolOutSize is PyTorch's pooling_output_shape for one axis (dilation 1).
func poolOutSize(in, k, s, pad int, ceil bool) int {
	num := in + 2*pad - k
	o := num/s + 1
	if ceil {
		o = (num+s-1)/s + 1
		if (o-1)*s >= in+pad {
			o--
		}
	}
	return o
}

// InterpMode selects the interpolation of InterpForward.
type InterpMode int

const (
	// Nearest is PyTorch's 'nearest': src = floor(dst·in/out).
	Nearest InterpMode = iota
	// Linear is linear in 1D, bilinear in 2D and trilinear in 3D.
	Linear
)

// InterpParams describes resizing N×C×In to N×C×Out.
type InterpParams struct {
	N, C         int
	In, Out      []int
	Mode         InterpMode
	AlignCorners bool // ignored for Nearest
}

// at returns s[i], or def when s is nil.
func at(s []int, i, def int) int {
	if s == nil {
		return def
	}
	return s[i]
}

// prod returns the product of s (1 for an empty s).
func prod(s []int) int {
	p := 1
	for _, v := range s {
		p *= v
	}
	return p
}

// mustLen panics with the expected and actual lengths when a slice given to
// a kernel does not match the shape it is described with.
func mustLen(kernel, name string, got, want int) {
	if got != want {
		panic(fmt.Sprintf("kernels: %s: len(%s) = %d, want %d", kernel, name, got, want))
	}
}

// mustSpatial panics unless the spatial parameter slices s (named by the
// comma-separated names, the first being the kernel, which must be
// given) have the rank of in, kernel sizes and any strides and dilations
// are at least 1 and paddings are not negative.
func mustSpatial(kernel string, p any, in []int, names string, s ...[]int) {
	_, bad := spatialRank(in, names, s...)
	if bad == "" && (s[0] == nil || !positive(s[0], 1)) {
		bad = "kernel sizes must be at least 1"
	}
	for i, name := range strings.Split(names, ",")[1:] {
		switch {
		case bad != "":
		case (name == "Stride" || name == "Dilation") && !positive(s[i+1], 1):
			bad = name + " must be at least 1"
		case (name == "Pad" || name == "OutputPadding") && !positive(s[i+1], 0):
			bad = name + " must not be negative"
		}
	}
	if bad != "" {
		panic(fmt.Sprintf("kernels: %s: %s: %+v", kernel, bad, p))
	}
}
