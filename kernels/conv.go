package kernels

import (
	"fmt"
	"strings"
)

// convGeom is a convolution normalised to three spatial dimensions: a 1D or
// 2D problem gets leading axes of size 1 (kernel 1, stride 1, no padding),
// so one im2col serves every rank. out is given explicitly because a
// transposed convolution's backward pass runs a convolution whose output
// size is the transposed input size, which PyTorch's formula need not give.
type convGeom struct {
	n, cin, cout, groups int
	in, k, s, p, d, out  [3]int
}

func (g *convGeom) inVol() int  { return g.in[0] * g.in[1] * g.in[2] }
func (g *convGeom) outVol() int { return g.out[0] * g.out[1] * g.out[2] }
func (g *convGeom) kVol() int   { return g.k[0] * g.k[1] * g.k[2] }

// cols is the number of rows of the im2col matrix of one group: the
// length of one output channel's dot product.
func (g *convGeom) cols() int { return g.cin / g.groups * g.kVol() }

// pointwise reports whether the convolution is 1×1×1 with stride 1 and no
// padding, where the input already is the im2col matrix.
func (g *convGeom) pointwise() bool {
	for i := 0; i < 3; i++ {
		if g.k[i] != 1 || g.s[i] != 1 || g.p[i] != 0 || g.in[i] != g.out[i] {
			return false
		}
	}
	return true
}

// spatial fills a 3-element geometry array from a 1- to 3-element
// parameter slice, right-aligned, with def for missing axes.
func spatial(dst *[3]int, s []int, nd, def int) {
	off := 3 - nd
	for i := 0; i < 3; i++ {
		dst[i] = def
		if i >= off && s != nil {
			dst[i] = s[i-off]
		}
	}
}

// spatialRank returns the rank of in, or a description of what is wrong
// when it is not 1 to 3 or a non-nil slice of s (named by the
// comma-separated names) has another length. Callers format the
// parameters only when panicking, so that valid calls do not allocate.
func spatialRank(in []int, names string, s ...[]int) (nd int, bad string) {
	nd = len(in)
	if nd < 1 || nd > 3 {
		return nd, fmt.Sprintf("%d spatial dimensions, want 1 to 3", nd)
	}
	for i, v := range s {
		if v != nil && len(v) != nd {
			return nd, fmt.Sprintf("len(%s) = %d but In has %d dimensions", strings.Split(names, ",")[i], len(v), nd)
		}
	}
	return nd, ""
}

// positive reports whether every element of s is at least lo.
func positive(s []int, lo int) bool {
	for _, v := range s {
		if v < lo {
			return false
		}
	}
	return true
}

func (p ConvParams) geom(kernel string) convGeom {
	nd, bad := spatialRank(p.In, "Kernel,Stride,Pad,Dilation", p.Kernel, p.Stride, p.Pad, p.Dilation)
	if bad == "" && (p.Kernel == nil || !positive(p.Kernel, 1) || !positive(p.Stride, 1) || !positive(p.Dilation, 1) || !positive(p.Pad, 0)) {
		bad = "kernel, stride and dilation must be positive and padding not negative"
	}
	if bad != "" {
		panic(fmt.Sprintf("kernels: %s: %s: %+v", kernel, bad, p))
	}
	g := convGeom{n: p.N, cin: p.Cin, cout: p.Cout, groups: max(p.Groups, 1)}
	spatial(&g.in, p.In, nd, 1)
	spatial(&g.k, p.Kernel, nd, 1)
	spatial(&g.s, p.Stride, nd, 1)
	spatial(&g.p, p.Pad, nd, 0)
	spatial(&g.d, p.Dilation, nd, 1)
	for i := 0; i < 3; i++ {
		g.out[i] = (g.in[i]+2*g.p[i]-g.d[i]*(g.k[i]-1)-1)/g.s[i] + 1
	}
	if !g.valid() {
		panic(fmt.Sprintf("kernels: %s: invalid convolution %+v (output size %v)", kernel, p, g.out))
	}
	return g
}

func (g *convGeom) valid() bool {
	ok := g.n >= 0 && g.cin > 0 && g.cout > 0 && g.groups > 0 && g.cin%g.groups == 0 && g.cout%g.groups == 0
	for i := 0; i < 3; i++ {
		ok = ok && g.in[i] > 0 && g.k[i] > 0 && g.s[i] > 0 && g.d[i] > 0 && g.p[i] >= 0 && g.out[i] > 0
	}
	return ok
}

// checkLens panics unless x, w, bias and y have the lengths of the
// convolution's input, weight, bias and output.
func (g *convGeom) checkLens(kernel string, x, w, bias, y int, hasBias bool) {
	mustLen(kernel, "input", x, g.n*g.cin*g.inVol())
	mustLen(kernel, "weight", w, g.cout*g.cols())
	if hasBias {
		mustLen(kernel, "bias", bias, g.cout)
	}
	mustLen(kernel, "output", y, g.n*g.cout*g.outVol())
}

// ConvForward computes the cross-correlation of PyTorch's Conv1d/2d/3d:
//
//	y[n,o,j] = bias[o] + Σ_{c,k} w[o,c,k] · x[n, g·Cin/G + c, j·stride − pad + k·dilation]
//
// for o in group g = o/(Cout/G), c < Cin/G, over kernel offsets k, with x
// zero outside its bounds. x is [N, Cin, In...], w is [Cout, Cin/Groups,
// Kernel...], bias is nil or [Cout], y is [N, Cout, Out()...] and is
// overwritten.
func ConvForward[T Float](p ConvParams, x, w, bias, y []T) {
	g := p.geom("ConvForward")
	g.checkLens("ConvForward", len(x), len(w), len(bias), len(y), bias != nil)
	if convForwardF32 != nil {
		if xf, ok := any(x).([]float32); ok && convForwardF32(p, xf, any(w).([]float32), any(bias).([]float32), any(y).([]float32)) {
			return
		}
	}
	convForwardGeneric(&g, x, w, bias, y)
}

// ConvBackwardData computes the gradient of ConvForward with respect to its
// input: for input channel c = g·Cin/G + c',
//
//	dx[n,c,i] = Σ over every (o, j, k) with o in group g and i = j·stride − pad + k·dilation of w[o,c',k]·dy[n,o,j].
//
// dy is [N, Cout, Out()...]; dx is [N, Cin, In...] and is overwritten.
func ConvBackwardData[T Float](p ConvParams, dy, w, dx []T) {
	g := p.geom("ConvBackwardData")
	g.checkLens("ConvBackwardData", len(dx), len(w), 0, len(dy), false)
	if convBackwardDataF32 != nil {
		if dyf, ok := any(dy).([]float32); ok && convBackwardDataF32(p, dyf, any(w).([]float32), any(dx).([]float32)) {
			return
		}
	}
	convBackwardDataGeneric(&g, dy, w, dx)
}

// ConvBackwardWeight computes the gradients of ConvForward with respect to
// its weight and bias: dw[o,c,k] = Σ_{n,j} dy[n,o,j] · x[n, g·Cin/G + c,
// j·stride − pad + k·dilation] and dbias[o] = Σ_{n,j} dy[n,o,j]. dw and
// dbias (which may be nil) are overwritten.
func ConvBackwardWeight[T Float](p ConvParams, x, dy, dw, dbias []T) {
	g := p.geom("ConvBackwardWeight")
	g.checkLens("ConvBackwardWeight", len(x), len(dw), len(dbias), len(dy), dbias != nil)
	if convBackwardWeightF32 != nil {
		if xf, ok := any(x).([]float32); ok && convBackwardWeightF32(p, xf, any(dy).([]float32), any(dw).([]float32), any(dbias).([]float32)) {
			return
		}
	}
	convBackwardWeightGeneric(&g, x, dy, dw)
	if dbias != nil {
		channelSums(g.n, g.cout, g.outVol(), dy, dbias)
	}
}

// equivalent returns the convolution whose backward-data pass is this
// transposed convolution: its input is the transposed output and its
// output the transposed input, with the same weight tensor.
func (p ConvTransposeParams) equivalent(kernel string) convGeom {
	nd, bad := spatialRank(p.In, "Kernel,Stride,Pad,Dilation,OutputPadding", p.Kernel, p.Stride, p.Pad, p.Dilation, p.OutputPadding)
	if bad == "" && (p.Kernel == nil || !positive(p.Kernel, 1) || !positive(p.Stride, 1) || !positive(p.Dilation, 1) || !positive(p.Pad, 0)) {
		bad = "kernel, stride and dilation must be positive and padding not negative"
	}
	if bad != "" {
		panic(fmt.Sprintf("kernels: %s: %s: %+v", kernel, bad, p))
	}
	g := convGeom{n: p.N, cin: p.Cout, cout: p.Cin, groups: max(p.Groups, 1)}
	var op [3]int
	spatial(&g.out, p.In, nd, 1)
	spatial(&g.k, p.Kernel, nd, 1)
	spatial(&g.s, p.Stride, nd, 1)
	spatial(&g.p, p.Pad, nd, 0)
	spatial(&g.d, p.Dilation, nd, 1)
	spatial(&op, p.OutputPadding, nd, 0)
	for i := 0; i < 3; i++ {
		g.in[i] = (g.out[i]-1)*g.s[i] - 2*g.p[i] + g.d[i]*(g.k[i]-1) + op[i] + 1
		if op[i] < 0 || (op[i] >= g.s[i] && op[i] >= g.d[i]) {
			panic(fmt.Sprintf("kernels: %s: output padding %v must be smaller than stride or dilation: %+v", kernel, p.OutputPadding, p))
		}
	}
	if !g.valid() {
		panic(fmt.Sprintf("kernels: %s: invalid transposed convolution %+v (output size %v)", kernel, p, g.in))
	}
	return g
}

// asConv returns the ConvParams of the equivalent convolution when
// PyTorch's output-size formula reproduces the transposed input size, so
// that the float32 convolution hooks apply; ok is false otherwise.
func (p ConvTransposeParams) asConv(g *convGeom) (c ConvParams, ok bool) {
	nd := len(p.In)
	c = ConvParams{N: g.n, Cin: g.cin, Cout: g.cout, In: make([]int, nd), Kernel: p.Kernel,
		Stride: p.Stride, Pad: p.Pad, Dilation: p.Dilation, Groups: g.groups}
	copy(c.In, g.in[3-nd:])
	for i, o := range c.Out() {
		if o != p.In[i] {
			return c, false
		}
	}
	return c, true
}

// ConvTransposeForward computes PyTorch's ConvTranspose1d/2d/3d, the
// adjoint of ConvForward with the same kernel, stride, padding and
// dilation:
//
//	y[n,o,i] = bias[o] + Σ over every (c, j, k) with i = j·stride − pad + k·dilation of x[n,c,j] · w[c,o',k]
//
// for c in group g and o = g·Cout/G + o'. x is [N, Cin, In...], w is
// [Cin, Cout/Groups, Kernel...], bias is nil or [Cout], and y is
// [N, Cout, Out()...], overwritten.
func ConvTransposeForward[T Float](p ConvTransposeParams, x, w, bias, y []T) {
	g := p.equivalent("ConvTransposeForward")
	g.checkLens("ConvTransposeForward", len(y), len(w), len(bias), len(x), false)
	if bias != nil {
		mustLen("ConvTransposeForward", "bias", len(bias), p.Cout)
	}
	done := false
	if convBackwardDataF32 != nil {
		if xf, ok := any(x).([]float32); ok {
			if c, ok := p.asConv(&g); ok {
				done = convBackwardDataF32(c, xf, any(w).([]float32), any(y).([]float32))
			}
		}
	}
	if !done {
		convBackwardDataGeneric(&g, x, w, y)
	}
	if bias != nil {
		addChannelBias(g.n, g.cin, g.inVol(), bias, y)
	}
}

// ConvTransposeBackwardData computes the gradient of ConvTransposeForward
// with respect to x, which is the convolution of dy with w:
// dx[n,c,j] = Σ_{o',k} w[c,o',k] · dy[n, g·Cout/G + o', j·stride − pad + k·dilation].
// dx is overwritten.
func ConvTransposeBackwardData[T Float](p ConvTransposeParams, dy, w, dx []T) {
	g := p.equivalent("ConvTransposeBackwardData")
	g.checkLens("ConvTransposeBackwardData", len(dy), len(w), 0, len(dx), false)
	if convForwardF32 != nil {
		if dyf, ok := any(dy).([]float32); ok {
			if c, ok := p.asConv(&g); ok && convForwardF32(c, dyf, any(w).([]float32), nil, any(dx).([]float32)) {
				return
			}
		}
	}
	convForwardGeneric(&g, dy, w, nil, dx)
}

// ConvTransposeBackwardWeight computes the gradients of
// ConvTransposeForward with respect to w and bias:
// dw[c,o',k] = Σ_{n,j} x[n,c,j] · dy[n, g·Cout/G + o', j·stride − pad + k·dilation]
// and dbias[o] = Σ_{n,i} dy[n,o,i]. dw and dbias (nil allowed) are overwritten.
func ConvTransposeBackwardWeight[T Float](p ConvTransposeParams, x, dy, dw, dbias []T) {
	g := p.equivalent("ConvTransposeBackwardWeight")
	g.checkLens("ConvTransposeBackwardWeight", len(dy), len(dw), 0, len(x), false)
	if dbias != nil {
		mustLen("ConvTransposeBackwardWeight", "dbias", len(dbias), p.Cout)
	}
	done := false
	if convBackwardWeightF32 != nil {
		if dyf, ok := any(dy).([]float32); ok {
			if c, ok := p.asConv(&g); ok {
				done = convBackwardWeightF32(c, dyf, any(x).([]float32), any(dw).([]float32), nil)
			}
		}
	}
	if !done {
		convBackwardWeightGeneric(&g, dy, x, dw)
	}
	if dbias != nil {
		channelSums(g.n, g.cin, g.inVol(), dy, dbias)
	}
}
