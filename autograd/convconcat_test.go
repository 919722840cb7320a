package autograd

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/tensor"
)

// TestGradConvConcat checks ConvConcat's gradients, for every part, the
// weight and the bias, against finite differences: 2D with two parts, 3D
// with three (one of a single channel), and a strided, grouped one.
func TestGradConvConcat(t *testing.T) {
	cases := []gradCase{
		{name: "2D", shapes: [][]int{{2, 2, 5, 4}, {2, 1, 5, 4}, {4, 3, 3, 3}, {4}}, build: func(x []*Var[float64]) *Var[float64] {
			return ConvConcat([]*Var[float64]{x[0], x[1]}, x[2], x[3], ConvOpts{Pad: []int{1, 1}})
		}},
		{name: "3D", shapes: [][]int{{1, 1, 3, 4, 3}, {1, 2, 3, 4, 3}, {1, 1, 3, 4, 3}, {2, 4, 3, 3, 3}}, build: func(x []*Var[float64]) *Var[float64] {
			return ConvConcat([]*Var[float64]{x[0], x[1], x[2]}, x[3], nil, ConvOpts{Pad: []int{1, 1, 1}})
		}},
		{name: "strided grouped", shapes: [][]int{{2, 3, 6, 5}, {2, 1, 6, 5}, {4, 2, 3, 3}}, build: func(x []*Var[float64]) *Var[float64] {
			return ConvConcat([]*Var[float64]{x[0], x[1]}, x[2], nil, ConvOpts{Pad: []int{1, 0}, Stride: []int{2, 1}, Groups: 2})
		}},
	}
	runGradCases(t, cases)
}

// TestConvConcatMatchesOps: ConvConcat gives Conv(Concat(...)) bit for
// bit, loss and gradients, on a layer the Winograd path takes (which
// reads the parts in place) and on one it does not, with a part that Drop
// releases after the forward pass and Backward rebuilds, and with a part
// that needs no gradient.
func TestConvConcatMatchesOps(t *testing.T) {
	for _, c := range []struct {
		name   string
		a, b   []int // the parts' shapes
		w      []int
		stride []int
		constB bool // b a constant: no gradient
	}{
		{"winograd 2D", []int{2, 4, 16, 32}, []int{2, 5, 16, 32}, []int{8, 9, 3, 3}, nil, false},
		{"winograd 3D", []int{2, 8, 4, 12, 12}, []int{2, 3, 4, 12, 12}, []int{9, 11, 3, 3, 3}, nil, false},
		{"strided", []int{2, 3, 8, 8}, []int{2, 2, 8, 8}, []int{4, 5, 3, 3}, []int{2, 2}, false},
		{"winograd 2D, constant part", []int{2, 4, 16, 32}, []int{2, 5, 16, 32}, []int{8, 9, 3, 3}, nil, true},
	} {
		run := func(fused bool) (float32, [][]float32) {
			rng := tensor.NewRNG(5)
			a := Param(tensor.Uniform[float32](rng, -1, 1, c.a...))
			b := Param(tensor.Uniform[float32](rng, -1, 1, c.b...))
			if c.constB {
				b = Const(b.data)
			}
			w := Param(tensor.Uniform[float32](rng, -0.5, 0.5, c.w...))
			bias := Param(tensor.Uniform[float32](rng, -0.5, 0.5, c.w[0]))
			pad := make([]int, len(c.a)-2)
			for i := range pad {
				pad[i] = 1
			}
			o := ConvOpts{Pad: pad, Stride: c.stride}
			// A part that its op can rebuild, released once read.
			x := LeakyRelu(a, 0.01)
			var z *Var[float32]
			if fused {
				z = ConvConcat([]*Var[float32]{x, b}, w, bias, o)
			} else {
				cat := Concat(1, x, b)
				z = Conv(cat, w, bias, o)
				Drop(cat)
			}
			Drop(x)
			if !x.released {
				panic("the LeakyReLU part was not released by Drop")
			}
			return lossGrads(z, a, b, w, bias)
		}
		wl, wg := run(false)
		l, g := run(true)
		sameRun(t, c.name, l, wl, g, wg)
	}
}

// ConvConcat's inputs must share N and spatial sizes, and their channels
// must be the weight's.
func TestConvConcatPanics(t *testing.T) {
	v := func(s ...int) *Var[float32] { return Const(tensor.Empty[float32](s...)) }
	w := v(4, 5, 3, 3)
	for _, c := range []struct {
		name string
		xs   []*Var[float32]
	}{
		{"no inputs", nil},
		{"other batch", []*Var[float32]{v(2, 3, 8, 8), v(1, 2, 8, 8)}},
		{"other size", []*Var[float32]{v(2, 3, 8, 8), v(2, 2, 8, 7)}},
		{"other rank", []*Var[float32]{v(2, 3, 8, 8), v(2, 2, 8)}},
		{"channels", []*Var[float32]{v(2, 3, 8, 8), v(2, 3, 8, 8)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r == nil {
					t.Fatal("no panic")
				} else if s := fmt.Sprint(r); len(s) < 20 {
					t.Fatalf("panic %q does not say the shapes", s)
				}
			}()
			ConvConcat(c.xs, w, nil, ConvOpts{Pad: []int{1, 1}})
		})
	}
}

// TestGradConvLeaky checks ConvLeaky's gradients against finite
// differences, 2D with a bias and 3D without.
func TestGradConvLeaky(t *testing.T) {
	runGradCases(t, []gradCase{
		{name: "2D", shapes: [][]int{{2, 3, 5, 4}, {4, 3, 3, 3}, {4}}, build: func(x []*Var[float64]) *Var[float64] {
			return ConvLeaky(x[0], x[1], x[2], 0.1, ConvOpts{Pad: []int{1, 1}})
		}},
		{name: "3D", shapes: [][]int{{1, 2, 3, 4, 3}, {2, 2, 3, 3, 3}}, build: func(x []*Var[float64]) *Var[float64] {
			return ConvLeaky(x[0], x[1], nil, 0.01, ConvOpts{Pad: []int{1, 1, 1}})
		}},
	})
}

// TestConvLeakyMatchesOps: ConvLeaky gives Conv(LeakyRelu(x)) bit for
// bit, loss and gradients, on a layer whose rings of slices apply the
// activation as they read x, and on one that makes it first; with x a
// leaf, and with x an op's output that Drop releases and Backward
// rebuilds for both passes that read it.
func TestConvLeakyMatchesOps(t *testing.T) {
	for _, c := range []fusedCase{
		{"rings", []int{2, 16, 4, 16, 48}, []int{16, 16, 3, 3, 3}, false},
		{"rings, x dropped", []int{2, 16, 4, 16, 48}, []int{16, 16, 3, 3, 3}, true},
		{"2D", []int{2, 9, 16, 32}, []int{8, 9, 3, 3}, false},
		{"2D, x dropped", []int{2, 9, 16, 32}, []int{8, 9, 3, 3}, true},
	} {
		run := func(fused bool) (float32, [][]float32) {
			rng := tensor.NewRNG(8)
			a := Param(tensor.Uniform[float32](rng, -1, 1, c.x...))
			w := Param(tensor.Uniform[float32](rng, -0.3, 0.3, c.w...))
			pad := make([]int, len(c.x)-2)
			for i := range pad {
				pad[i] = 1
			}
			o := ConvOpts{Pad: pad}
			x := c.input(a)
			var z *Var[float32]
			if fused {
				z = ConvLeaky(x, w, nil, 0.01, o)
			} else {
				l := LeakyRelu(x, 0.01)
				z = Conv(l, w, nil, o)
				Drop(l)
			}
			if c.dropped {
				Drop(x)
				if fused && !x.released {
					panic("ConvLeaky's input was not released by Drop")
				}
			}
			return lossGrads(z, a, w)
		}
		wl, wg := run(false)
		l, g := run(true)
		sameRun(t, c.name, l, wl, g, wg)
	}
}

// fusedCase is a fused op's case: its input's and weight's shapes, and
// whether the input is an op's output that Drop releases.
type fusedCase struct {
	name    string
	x, w    []int
	dropped bool
}

// input is the fused op's input: a itself, or an op's output of a that
// Drop releases and Backward rebuilds.
func (c fusedCase) input(a *Var[float32]) *Var[float32] {
	if c.dropped {
		return LeakyRelu(a, 0.2)
	}
	return a
}

// closeRuns fails unless every value of got is within 1e-5 of the largest
// magnitude of its slice of want: far below any wrong tap or phase, far
// above the rounding of sums grouped differently.
func closeRuns(t *testing.T, name string, got, want [][]float32) {
	t.Helper()
	for i := range want {
		scale := 0.0
		for _, v := range want[i] {
			scale = max(scale, math.Abs(float64(v)))
		}
		for j := range want[i] {
			if d := math.Abs(float64(got[i][j] - want[i][j])); d > 1e-5*scale {
				t.Fatalf("%s: value %d element %d: %v, want %v", name, i, j, got[i][j], want[i][j])
			}
		}
	}
}

// lossGrads returns Σ z·r for a fixed random r, and the gradients of the
// leaves after Backward (nil for one that got none).
func lossGrads(z *Var[float32], leaves ...*Var[float32]) (float32, [][]float32) {
	target := Const(tensor.Uniform[float32](tensor.NewRNG(9), -1, 1, z.Shape()...))
	loss := SumAll(Mul(z, target))
	l := loss.Item()
	loss.Backward()
	var gs [][]float32
	for _, p := range leaves {
		if p.Grad() == nil {
			gs = append(gs, nil)
			continue
		}
		gs = append(gs, p.Grad().Clone().Data())
	}
	loss.Release()
	return l, gs
}

// sameRun fails unless a fused op's loss l and gradients g have the bits
// of the ops it stands for, wl and wg.
func sameRun(t *testing.T, name string, l, wl float32, g, wg [][]float32) {
	t.Helper()
	if math.Float32bits(l) != math.Float32bits(wl) {
		t.Fatalf("%s: loss %v, want %v", name, l, wl)
	}
	for i := range wg {
		for j := range wg[i] {
			if math.Float32bits(g[i][j]) != math.Float32bits(wg[i][j]) {
				t.Fatalf("%s: gradient %d element %d: %v, want %v", name, i, j, g[i][j], wg[i][j])
			}
		}
	}
}

// TestGradConvUpsampled checks ConvUpsampled's gradients against finite
// differences: 2D with a bias, 3D without, and a 3D input of 12³, on
// which the kernels run the upsampled convolution's phases.
func TestGradConvUpsampled(t *testing.T) {
	runGradCases(t, []gradCase{
		{name: "2D", shapes: [][]int{{2, 3, 3, 4}, {2, 3, 3, 3}, {2}}, build: func(x []*Var[float64]) *Var[float64] {
			return ConvUpsampled(x[0], x[1], x[2], ConvOpts{Pad: []int{1, 1}})
		}},
		{name: "3D", shapes: [][]int{{1, 2, 2, 3, 2}, {2, 2, 3, 3, 3}}, build: func(x []*Var[float64]) *Var[float64] {
			return ConvUpsampled(x[0], x[1], nil, ConvOpts{Pad: []int{1, 1, 1}})
		}},
		{name: "3D phases", shapes: [][]int{{1, 1, 12, 12, 12}, {2, 1, 3, 3, 3}}, build: func(x []*Var[float64]) *Var[float64] {
			return ConvUpsampled(x[0], x[1], nil, ConvOpts{Pad: []int{1, 1, 1}})
		}},
	})
}

// TestConvUpsampledMatchesOps: ConvUpsampled gives Conv(Interpolate(x))
// to rounding, loss and gradients, through the upsampled map and on the
// phases, with x a leaf and with x an op's output that Drop releases and
// Backward rebuilds.
func TestConvUpsampledMatchesOps(t *testing.T) {
	for _, c := range []fusedCase{
		{"phases", []int{2, 6, 12, 12, 14}, []int{5, 6, 3, 3, 3}, false},
		{"phases, x dropped", []int{2, 6, 12, 12, 14}, []int{5, 6, 3, 3, 3}, true},
		{"upsampled map, x dropped", []int{2, 4, 5, 6, 4}, []int{3, 4, 3, 3, 3}, true},
		{"2D", []int{2, 3, 9, 16}, []int{4, 3, 3, 3}, false},
	} {
		run := func(fused bool) (float32, [][]float32) {
			rng := tensor.NewRNG(8)
			a := Param(tensor.Uniform[float32](rng, -1, 1, c.x...))
			w := Param(tensor.Uniform[float32](rng, -0.3, 0.3, c.w...))
			bias := Param(tensor.Uniform[float32](rng, -0.3, 0.3, c.w[0]))
			pad := make([]int, len(c.x)-2)
			size := make([]int, len(c.x)-2)
			for i := range pad {
				pad[i], size[i] = 1, 2*c.x[i+2]
			}
			o := ConvOpts{Pad: pad}
			x := c.input(a)
			var z *Var[float32]
			if fused {
				z = ConvUpsampled(x, w, bias, o)
			} else {
				u := Interpolate(x, size, InterpNearest, false)
				z = Conv(u, w, bias, o)
			}
			if c.dropped {
				Drop(x)
			}
			return lossGrads(z, a, w, bias)
		}
		wl, wg := run(false)
		l, g := run(true)
		// The sums are grouped differently: each value within 1e-5 of the
		// largest of its kind, far below any wrong tap or phase.
		if d := math.Abs(float64(l - wl)); d > 1e-5*math.Abs(float64(wl))+1e-4 {
			t.Fatalf("%s: loss %v, want %v", c.name, l, wl)
		}
		closeRuns(t, c.name, g, wg)
	}
}

// TestConvUpsampledPanics: a convolution the phases do not describe is
// the caller's misuse, and the panic names the shapes.
func TestConvUpsampledPanics(t *testing.T) {
	x := Param(tensor.Empty[float32](1, 2, 4, 4))
	w := Param(tensor.Empty[float32](3, 2, 3, 3))
	for _, o := range []ConvOpts{{}, {Pad: []int{1, 1}, Stride: []int{2, 2}}, {Pad: []int{2, 2}, Dilation: []int{2, 2}}} {
		func() {
			defer func() {
				msg := fmt.Sprint(recover())
				if !strings.Contains(msg, "ConvUpsampled of input [1 2 4 4] with weight [3 2 3 3]") {
					t.Errorf("%+v: panic %q", o, msg)
				}
			}()
			ConvUpsampled(x, w, nil, o)
		}()
	}
}
