package autograd

import (
	"testing"

	"github.com/ivadogo/ivadogo/tensor"
)

// inPlaceChains are conv/norm → activation → dropout chains, each built
// with the in-place ops (which do overwrite here: every input is fresh and
// unused) and with their out-of-place twins.
func inPlaceChains(inPlace bool) []gradCase {
	s := []int{2, 3, 4, 5}
	w := []int{3, 3, 3, 3}
	same := ConvOpts{Pad: []int{1, 1}}
	relu, lrelu := Relu[float64], func(x *Var[float64]) *Var[float64] { return LeakyRelu(x, 0.01) }
	drop := ChannelDropout[float64]
	addLrelu := func(a, b *Var[float64]) *Var[float64] { return LeakyRelu(Add(a, b), 0.01) }
	if inPlace {
		relu, lrelu = ReluInPlace[float64], func(x *Var[float64]) *Var[float64] { return LeakyReluInPlace(x, 0.01) }
		drop = ChannelDropoutInPlace[float64]
		addLrelu = func(a, b *Var[float64]) *Var[float64] { return AddLeakyReluInPlace(a, b, 0.01) }
	}
	return []gradCase{
		{name: "Conv→ReLU→BN→ChannelDropout", shapes: [][]int{s, w, {3}, {3}, {3}}, build: func(x []*Var[float64]) *Var[float64] {
			y := relu(Conv(x[0], x[1], x[2], same))
			y = BatchNorm(y, x[3], x[4], nil, nil, true, 0.1, 1e-5)
			return drop(y, 0.5, true, tensor.NewRNG(7))
		}},
		// The transposes hand each backward a non-contiguous gradient.
		{name: "Conv→ReLU→Transpose→Add→ChannelDropout→Transpose", shapes: [][]int{s, w}, build: func(x []*Var[float64]) *Var[float64] {
			y := Transpose(relu(Conv(x[0], x[1], nil, same)), 2, 3)
			y = drop(Add(y, Transpose(x[0], 2, 3)), 0.5, true, tensor.NewRNG(5))
			return Transpose(lrelu(Add(Transpose(y, 2, 3), x[0])), 1, 3)
		}},
		// Modified3DUNet's first block: the residual r = conv(x) also
		// feeds the branch, so its gradient arrives twice.
		{name: "residual Conv→LeakyReLU→Conv→Add→LeakyReLU", shapes: [][]int{s, w, w}, build: func(x []*Var[float64]) *Var[float64] {
			r := Conv(x[0], x[1], nil, same)
			return addLrelu(Conv(LeakyRelu(r, 0.01), x[2], nil, same), r)
		}},
		{name: "Conv→InstanceNorm→LeakyReLU→ChannelDropout", shapes: [][]int{s, w}, build: func(x []*Var[float64]) *Var[float64] {
			y := lrelu(InstanceNorm(Conv(x[0], x[1], nil, same), nil, nil, 1e-5))
			return drop(Add(y, x[0]), 0.5, true, tensor.NewRNG(7))
		}},
	}
}

// TestGradInPlace checks the in-place chains' gradients by finite
// differences.
func TestGradInPlace(t *testing.T) { runGradCases(t, inPlaceChains(true)) }

// TestInPlaceMatchesOutOfPlace checks that the in-place chains give the
// out-of-place chains' outputs and gradients exactly, and that they do
// share buffers.
func TestInPlaceMatchesOutOfPlace(t *testing.T) {
	in, out := inPlaceChains(true), inPlaceChains(false)
	for i := range in {
		rng := tensor.NewRNG(3)
		var data []*tensor.Dense[float64]
		for _, s := range in[i].shapes {
			data = append(data, tensor.Uniform(rng, -1.0, 1.0, s...))
		}
		run := func(c gradCase) (y *tensor.Dense[float64], gs []*tensor.Dense[float64]) {
			xs := make([]*Var[float64], len(data))
			for j, d := range data {
				xs[j] = Param(d.Clone())
			}
			v := c.build(xs)
			y = v.Data().Clone()
			l := SumAll(Mul(v, v))
			l.Backward()
			l.Release()
			for _, x := range xs {
				gs = append(gs, x.Grad())
			}
			return y, gs
		}
		y1, g1 := run(in[i])
		y2, g2 := run(out[i])
		same := func(what string, a, b *tensor.Dense[float64]) {
			ad, bd := a.Data(), b.Data()
			for j := range ad {
				if ad[j] != bd[j] {
					t.Fatalf("%s: %s element %d: in place %v, out of place %v", in[i].name, what, j, ad[j], bd[j])
				}
			}
		}
		same("output", y1, y2)
		for j := range g1 {
			same("gradient", g1[j], g2[j])
		}
	}
}

// TestInPlaceOnlyWhenSafe checks when the in-place ops overwrite their
// input and when they fall back to a copy.
func TestInPlaceOnlyWhenSafe(t *testing.T) {
	x := Param(tensor.Full[float32](-1, 1, 2, 3, 3))
	w := Param(tensor.Full[float32](1, 2, 2, 1, 1))
	conv := func() *Var[float32] { return Conv(x, w, nil, ConvOpts{}) }

	c := conv()
	r := ReluInPlace(c)
	if r.data.Storage() != c.data.Storage() {
		t.Error("ReluInPlace of an unused conv output copied")
	}
	mustPanic(t, "overwritten by an in-place op", func() { c.Data() })

	c = conv()
	r = AddLeakyReluInPlace(c, x, 0.5)
	if r.data.Storage() != c.data.Storage() || r.node.op != "AddLeakyRelu" {
		t.Errorf("AddLeakyReluInPlace of an unused conv output ran as %s, copied %v", r.node.op, r.data.Storage() != c.data.Storage())
	}
	c = conv()
	if r = AddLeakyReluInPlace(c, x, -0.5); r.data.Storage() == c.data.Storage() {
		t.Error("AddLeakyReluInPlace with a negative slope overwrote its input")
	}

	c = conv()
	keep := MulScalar(c, 1) // a second reader of c
	r = ReluInPlace(c)
	if r.data.Storage() == c.data.Storage() {
		t.Error("ReluInPlace overwrote a conv output that another op read")
	}
	if c.Data().At(0, 0, 0, 0) != -2 || keep.Data().At(0, 0, 0, 0) != -2 || r.Data().At(0, 0, 0, 0) != 0 {
		t.Error("fallback changed a value")
	}

	c = conv()
	c.Data() // pinned by the caller
	if r = ReluInPlace(c); r.data.Storage() == c.data.Storage() {
		t.Error("ReluInPlace overwrote a pinned Var")
	}

	// Relu's backward reads its output: never overwrite it.
	r = Relu(conv())
	if l := LeakyReluInPlace(r, 0.1); l.data.Storage() == r.data.Storage() {
		t.Error("LeakyReluInPlace overwrote a ReLU output")
	}
	// A negative slope flips signs: backward could not use the output.
	c = conv()
	if l := LeakyReluInPlace(c, -0.1); l.data.Storage() == c.data.Storage() {
		t.Error("LeakyReluInPlace overwrote its input with a negative slope")
	}
	// Leaves are never overwritten.
	if d := ChannelDropoutInPlace(x, 0.5, true, tensor.NewRNG(1)); d.data.Storage() == x.data.Storage() {
		t.Error("ChannelDropoutInPlace overwrote a leaf")
	}
	// Inside NoGrad the rules are the same.
	NoGrad(func() {
		c := conv()
		if d := ChannelDropoutInPlace(c, 0.5, true, tensor.NewRNG(1)); d.data.Storage() != c.data.Storage() {
			t.Error("ChannelDropoutInPlace of an unused conv output under NoGrad copied")
		}
	})
}
