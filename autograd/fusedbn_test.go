package autograd

import (
	"fmt"
	"math"
	"testing"

	"github.com/ivadogo/ivadogo/tensor"
)

// TestGradReluBatchNormChannelDropout checks the fused block's gradients
// (input, γ, β) against finite differences, with and without dropout, in
// evaluation, and through a convolution that reads its output, which Drop releases
// and Backward rebuilds.
func TestGradReluBatchNormChannelDropout(t *testing.T) {
	s := []int{3, 4, 3, 5}
	block := func(x []*Var[float64], p float64) *Var[float64] {
		return ReluBatchNormChannelDropout(x[0], x[1], x[2], nil, nil, true, 0.1, 1e-5, p, tensor.NewRNG(7))
	}
	runGradCases(t, []gradCase{
		{name: "fused p=0.3", shapes: [][]int{s, {4}, {4}}, build: func(x []*Var[float64]) *Var[float64] { return block(x, 0.3) }},
		{name: "fused p=0", shapes: [][]int{s, {4}, {4}}, build: func(x []*Var[float64]) *Var[float64] { return block(x, 0) }},
		{name: "fused eval", shapes: [][]int{s, {4}, {4}}, build: func(x []*Var[float64]) *Var[float64] {
			rm, rv := tensor.FromSlice([]float64{0.1, -0.2, 0.3, 0}, 4), tensor.FromSlice([]float64{0.5, 1, 2, 0.9}, 4)
			return ReluBatchNormChannelDropout(x[0], x[1], x[2], rm, rv, false, 0.1, 1e-5, 0.3, nil)
		}},
		{name: "fused then conv, dropped", shapes: [][]int{s, {4}, {4}, {2, 4, 3, 3}}, build: func(x []*Var[float64]) *Var[float64] {
			y := block(x, 0.3)
			z := Conv(y, x[3], nil, ConvOpts{Pad: []int{1, 1}})
			Drop(y)
			return z
		}},
	})
}

// TestReluBatchNormChannelDropoutMatchesOps runs conv → block → conv →
// loss with the fused block and with ReluInPlace, BatchNorm and
// ChannelDropoutInPlace: the loss, every gradient and the running
// statistics must be the same bits, in training and in evaluation, with
// the block's output kept or dropped after the second convolution and
// rebuilt, and with ReLU in place or not.
func TestReluBatchNormChannelDropoutMatchesOps(t *testing.T) {
	type result struct {
		loss  float32
		grads [][]float32
		run   [][]float32
	}
	run := func(fused, train, drop, inPlace bool) result {
		rng := tensor.NewRNG(3)
		in := Param(tensor.Uniform[float32](rng, -1, 1, 4, 3, 12, 10))
		w1 := Param(tensor.Uniform[float32](rng, -0.5, 0.5, 6, 3, 3, 3))
		b1 := Param(tensor.Uniform[float32](rng, -0.1, 0.1, 6))
		gamma := Param(tensor.Uniform[float32](rng, 0.5, 1.5, 6))
		beta := Param(tensor.Uniform[float32](rng, -0.5, 0.5, 6))
		w2 := Param(tensor.Uniform[float32](rng, -0.5, 0.5, 5, 6, 3, 3))
		target := Const(tensor.Uniform[float32](rng, -1, 1, 4, 5, 12, 10))
		rm, rv := tensor.Uniform[float32](rng, -0.1, 0.1, 6), tensor.Uniform[float32](rng, 0.9, 1.1, 6)
		opts := ConvOpts{Pad: []int{1, 1}}
		c := Conv(in, w1, b1, opts)
		if !inPlace {
			c.Data() // pinned: ReLU may not overwrite it
		}
		var y *Var[float32]
		if fused {
			y = ReluBatchNormChannelDropout(c, gamma, beta, rm, rv, train, 0.1, 1e-5, 0.3, tensor.NewRNG(9))
		} else {
			y = ChannelDropoutInPlace(BatchNorm(ReluInPlace(c), gamma, beta, rm, rv, train, 0.1, 1e-5), 0.3, train, tensor.NewRNG(9))
		}
		z := Conv(y, w2, nil, opts)
		if drop {
			Drop(y)
			if fused && !y.released {
				panic("the fused block's output was not released by Drop")
			}
		}
		loss := SumAll(Mul(z, target))
		r := result{loss: loss.Item()}
		loss.Backward()
		for _, p := range []*Var[float32]{in, w1, b1, gamma, beta, w2} {
			r.grads = append(r.grads, p.Grad().Clone().Data())
		}
		r.run = [][]float32{rm.Clone().Data(), rv.Clone().Data()}
		loss.Release()
		return r
	}
	same := func(t *testing.T, what string, got, want []float32) {
		t.Helper()
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s element %d: %v, want %v", what, i, got[i], want[i])
			}
		}
	}
	for _, train := range []bool{true, false} {
		want := run(false, train, false, true)
		for _, drop := range []bool{false, true} {
			for _, inPlace := range []bool{true, false} {
				got := run(true, train, drop, inPlace)
				name := fmt.Sprintf("train=%v drop=%v inPlace=%v", train, drop, inPlace)
				if math.Float32bits(got.loss) != math.Float32bits(want.loss) {
					t.Fatalf("%s: loss %v, want %v", name, got.loss, want.loss)
				}
				for i := range want.grads {
					same(t, fmt.Sprintf("%s gradient %d", name, i), got.grads[i], want.grads[i])
				}
				same(t, name+" running mean", got.run[0], want.run[0])
				same(t, name+" running var", got.run[1], want.run[1])
			}
		}
	}
}

// TestReluBatchNormChannelDropoutNoGrad: under NoGrad the block hands
// the buffer it overwrote back to the pool at once, and gives the same
// values as with a graph recorded.
func TestReluBatchNormChannelDropoutNoGrad(t *testing.T) {
	rng := tensor.NewRNG(4)
	a := Const(tensor.Uniform[float32](rng, -1, 1, 2, 3, 64, 64))
	w := Param(tensor.Uniform[float32](rng, -0.5, 0.5, 4, 3, 3, 3))
	rm, rv := tensor.Zeros(4), tensor.Ones(4)
	block := func() *Var[float32] {
		c := Conv(a, w, nil, ConvOpts{Pad: []int{1, 1}})
		return ReluBatchNormChannelDropout(c, nil, nil, rm, rv, false, 0.1, 1e-5, 0, nil)
	}
	want := block()
	wd := want.Data().Clone().Data()
	want.Release()
	var got *Var[float32]
	var grew int64
	NoGrad(func() {
		live := tensor.Pool().LiveBytes
		got = block()
		grew = tensor.Pool().LiveBytes - live
	})
	if out := int64(got.data.Len()) * 4; grew != out {
		t.Fatalf("under NoGrad the block left %d bytes in use, want its output's %d", grew, out)
	}
	for i, v := range got.Data().Data() {
		if math.Float32bits(v) != math.Float32bits(wd[i]) {
			t.Fatalf("element %d: %v under NoGrad, %v with a graph", i, v, wd[i])
		}
	}
}
