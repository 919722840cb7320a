package autograd

import (
	"math"
	"testing"

	"github.com/ivadogo/ivadogo/tensor"
)

// TestGradFiLM checks FiLM's gradients against finite differences for
// γ and β shaped [N, C] and [N, C, 1, 1], on 2D and 3D inputs, x
// transposed (not contiguous) in one case.
func TestGradFiLM(t *testing.T) {
	runGradCases(t, []gradCase{
		{name: "2D", shapes: [][]int{{2, 3, 4, 5}, {2, 3}, {2, 3}}, build: func(xs []*Var[float64]) *Var[float64] {
			return FiLM(xs[0], xs[1], xs[2])
		}},
		{name: "3D, γ and β [N, C, 1, 1, 1]", shapes: [][]int{{2, 2, 3, 2, 3}, {2, 2, 1, 1, 1}, {2, 2, 1, 1, 1}}, build: func(xs []*Var[float64]) *Var[float64] {
			return FiLM(xs[0], xs[1], xs[2])
		}},
		{name: "x transposed", shapes: [][]int{{3, 2, 5, 4}, {3, 2}, {3, 2}}, build: func(xs []*Var[float64]) *Var[float64] {
			return FiLM(Transpose(xs[0], 2, 3), xs[1], xs[2])
		}},
	})
}

// TestFiLMMatchesOps checks FiLM against Add(Mul(γ, x), β) with γ and β
// broadcast from [N, C, 1, 1], values and gradients, and that x and y
// dropped after use are rebuilt for the backward passes that read them
// (a FiLM after a fused norm block, its output read by a convolution, as
// in the U-Nets) with the same gradients.
func TestFiLMMatchesOps(t *testing.T) {
	rng := tensor.NewRNG(3)
	xd := tensor.Uniform(rng, -1.0, 1.0, 2, 3, 6, 7)
	gd := tensor.Uniform(rng, 0.5, 1.5, 2, 3, 1, 1)
	bd := tensor.Uniform(rng, -0.5, 0.5, 2, 3, 1, 1)
	w1 := tensor.Uniform(rng, -0.5, 0.5, 3, 3, 3, 3)
	w2 := tensor.Uniform(rng, -0.5, 0.5, 2, 3, 3, 3)
	rm, rv := tensor.Zeros(3), tensor.Ones(3)
	opts := ConvOpts{Pad: []int{1, 1}}
	run := func(fused, drop bool) ([]float64, [][]float64) {
		x, g, b := Param(xd.Clone()), Param(gd.Clone()), Param(bd.Clone())
		v1, v2 := Param(w1.Clone()), Param(w2.Clone())
		a := ReluBatchNormChannelDropout(Conv(x, v1, nil, opts), nil, nil, tensor.Convert[float64](rm), tensor.Convert[float64](rv), true, 0.1, 1e-5, 0, nil)
		var y *Var[float64]
		if fused {
			y = FiLM(a, g, b)
		} else {
			y = Add(Mul(g, a), b)
		}
		z := Conv(y, v2, nil, opts)
		if drop {
			for name, v := range map[string]*Var[float64]{"FiLM's input": a, "FiLM's output": y} {
				Drop(v)
				if !v.data.Storage().Released() {
					t.Fatalf("Drop kept %s, which can be rebuilt", name)
				}
			}
		}
		out := z.Peek().Values()
		l := SumAll(Mul(z, z))
		l.Backward()
		l.Release()
		return out, [][]float64{x.grad.Values(), g.grad.Values(), b.grad.Values(), v1.grad.Values(), v2.grad.Values()}
	}
	wantZ, wantG := run(false, false)
	for _, drop := range []bool{false, true} {
		gotZ, gotG := run(true, drop)
		for i := range wantZ {
			if math.Abs(gotZ[i]-wantZ[i]) > 1e-13 {
				t.Fatalf("drop %v: z[%d] = %v, want %v", drop, i, gotZ[i], wantZ[i])
			}
		}
		for k, name := range []string{"x", "γ", "β", "w1", "w2"} {
			for i := range wantG[k] {
				if d := math.Abs(gotG[k][i] - wantG[k][i]); d > 1e-12*max(1, math.Abs(wantG[k][i])) {
					t.Fatalf("drop %v: gradient of %s [%d] = %v, want %v", drop, name, i, gotG[k][i], wantG[k][i])
				}
			}
		}
	}
}

// TestFiLMShapes checks that γ or β of the wrong size panics, naming the
// shapes.
func TestFiLMShapes(t *testing.T) {
	x := Const(tensor.New[float32](2, 3, 4, 4))
	for _, tc := range []struct{ g, b []int }{{[]int{2, 4}, []int{2, 3}}, {[]int{2, 3}, []int{3, 2}}, {[]int{2, 3, 2}, []int{2, 3}}} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("γ %v, β %v: no panic", tc.g, tc.b)
				}
			}()
			FiLM(x, Const(tensor.New[float32](tc.g...)), Const(tensor.New[float32](tc.b...)))
		}()
	}
}
