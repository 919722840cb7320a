package autograd

import (
	"fmt"
	"math"
	"testing"

	"github.com/ivadogo/ivadogo/tensor"
)

// TestGradInterpolateConcat checks InterpolateConcat's gradients against
// finite differences, bilinear and trilinear, with and without
// align_corners.
func TestGradInterpolateConcat(t *testing.T) {
	var cases []gradCase
	for _, ac := range []bool{true, false} {
		cases = append(cases,
			gradCase{name: fmt.Sprintf("2D ac=%v", ac), shapes: [][]int{{2, 3, 3, 4}, {2, 2, 6, 7}}, build: func(x []*Var[float64]) *Var[float64] {
				return InterpolateConcat(x[0], x[1], InterpLinear, ac)
			}},
			gradCase{name: fmt.Sprintf("3D ac=%v", ac), shapes: [][]int{{2, 2, 2, 3, 2}, {2, 1, 4, 5, 3}}, build: func(x []*Var[float64]) *Var[float64] {
				return InterpolateConcat(x[0], x[1], InterpLinear, ac)
			}})
	}
	runGradCases(t, cases)
}

// TestInterpolateConcatMatchesOps: InterpolateConcat gives
// Concat(Interpolate) bit for bit, values and gradients, with its output
// kept or dropped after the convolution that reads it and rebuilt, its
// inputs made by ReluBatchNormChannelDropout as in the U-Net; so does
// Concat(Interpolate) dropped and rebuilt.
func TestInterpolateConcatMatchesOps(t *testing.T) {
	run := func(fused, drop bool) (float32, [][]float32) {
		rng := tensor.NewRNG(11)
		a := Param(tensor.Uniform[float32](rng, -1, 1, 3, 4, 5, 6))
		b := Param(tensor.Uniform[float32](rng, -1, 1, 3, 2, 10, 12))
		w := Param(tensor.Uniform[float32](rng, -0.5, 0.5, 3, 6, 3, 3))
		target := Const(tensor.Uniform[float32](rng, -1, 1, 3, 3, 10, 12))
		// Fresh, recomputable inputs, as the U-Net's blocks make.
		x := ReluBatchNormChannelDropout(Mul(a, a), nil, nil, nil, nil, true, 0.1, 1e-5, 0.3, tensor.NewRNG(1))
		skip := ReluBatchNormChannelDropout(Mul(b, b), nil, nil, nil, nil, true, 0.1, 1e-5, 0.3, tensor.NewRNG(2))
		var cat *Var[float32]
		if fused {
			cat = InterpolateConcat(x, skip, InterpLinear, true)
		} else {
			up := Interpolate(x, []int{10, 12}, InterpLinear, true)
			cat = Concat(1, up, skip)
			Drop(up)
		}
		Drop(x)
		Drop(skip)
		z := Conv(cat, w, nil, ConvOpts{Pad: []int{1, 1}})
		if drop {
			Drop(cat)
			if !cat.released {
				panic("the concatenation was not released by Drop")
			}
		}
		loss := SumAll(Mul(z, target))
		l := loss.Item()
		loss.Backward()
		var gs [][]float32
		for _, p := range []*Var[float32]{a, b, w} {
			gs = append(gs, p.Grad().Clone().Data())
		}
		loss.Release()
		return l, gs
	}
	wl, wg := run(false, false)
	for _, c := range [][2]bool{{true, false}, {true, true}, {false, true}} {
		fused, drop := c[0], c[1]
		l, g := run(fused, drop)
		if math.Float32bits(l) != math.Float32bits(wl) {
			t.Fatalf("fused=%v drop=%v: loss %v, want %v", fused, drop, l, wl)
		}
		for i := range wg {
			for j := range wg[i] {
				if math.Float32bits(g[i][j]) != math.Float32bits(wg[i][j]) {
					t.Fatalf("fused=%v drop=%v: gradient %d element %d: %v, want %v", fused, drop, i, j, g[i][j], wg[i][j])
				}
			}
		}
	}
}

// TestInterpolateConcat3DMatchesOps: the same bits as Concat(Interpolate)
// for trilinear upsampling, values and input gradients.
func TestInterpolateConcat3DMatchesOps(t *testing.T) {
	rng := tensor.NewRNG(5)
	xd := tensor.Uniform[float32](rng, -1, 1, 2, 3, 3, 4, 5)
	sd := tensor.Uniform[float32](rng, -1, 1, 2, 2, 6, 8, 10)
	r := Const(tensor.Uniform[float32](rng, -1, 1, 2, 5, 6, 8, 10))
	run := func(fused bool) [][]float32 {
		x, skip := Param(xd.Clone()), Param(sd.Clone())
		var cat *Var[float32]
		if fused {
			cat = InterpolateConcat(x, skip, InterpLinear, false)
		} else {
			cat = Concat(1, Interpolate(x, []int{6, 8, 10}, InterpLinear, false), skip)
		}
		out := cat.Data().Clone().Data()
		loss := SumAll(Mul(cat, r))
		loss.Backward()
		res := [][]float32{out, x.Grad().Clone().Data(), skip.Grad().Clone().Data()}
		loss.Release()
		return res
	}
	want, got := run(false), run(true)
	for i := range want {
		for j := range want[i] {
			if math.Float32bits(got[i][j]) != math.Float32bits(want[i][j]) {
				t.Fatalf("result %d element %d: %v, want %v", i, j, got[i][j], want[i][j])
			}
		}
	}
}
