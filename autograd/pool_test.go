package autograd

import (
	"fmt"
	"math"
	"testing"

	"github.com/ivadogo/ivadogo/tensor"
)

func TestGradPoolInterp(t *testing.T) {
	var gc []gradCase
	pools := []struct {
		x []int
		o PoolOpts
	}{
		{[]int{2, 3, 7}, PoolOpts{Kernel: []int{2}}},
		{[]int{1, 2, 6, 5}, PoolOpts{Kernel: []int{2, 2}}},
		{[]int{2, 1, 7, 7}, PoolOpts{Kernel: []int{3, 3}, Stride: []int{2, 2}, Pad: []int{1, 1}}},
		{[]int{1, 2, 5, 6}, PoolOpts{Kernel: []int{2, 3}, Stride: []int{2, 2}, CeilMode: true}},
		{[]int{1, 2, 4, 5, 3}, PoolOpts{Kernel: []int{2, 2, 2}}},
		{[]int{1, 1, 5, 3, 4}, PoolOpts{Kernel: []int{3, 1, 2}, Stride: []int{2, 1, 1}, Pad: []int{1, 0, 1}}},
	}
	for _, p := range pools {
		o := p.o
		gc = append(gc,
			gradCase{name: fmt.Sprintf("MaxPool%v%+v", p.x, o), shapes: [][]int{p.x}, build: func(x []*Var[float64]) *Var[float64] { return MaxPool(x[0], o) }},
			gradCase{name: fmt.Sprintf("AvgPool%v%+v", p.x, o), shapes: [][]int{p.x}, build: func(x []*Var[float64]) *Var[float64] { return AvgPool(x[0], o) }},
		)
	}
	interps := []struct {
		x, size []int
	}{
		{[]int{2, 2, 5}, []int{9}},
		{[]int{1, 2, 3, 4}, []int{6, 8}},
		{[]int{1, 1, 5, 4}, []int{3, 7}},
		{[]int{1, 2, 2, 3, 2}, []int{4, 6, 4}},
		{[]int{1, 1, 3, 1, 2}, []int{5, 2, 3}},
	}
	for _, ip := range interps {
		size := ip.size
		for _, m := range []struct {
			name  string
			mode  InterpMode
			align bool
		}{{"Nearest", InterpNearest, false}, {"Linear", InterpLinear, false}, {"LinearAlign", InterpLinear, true}} {
			gc = append(gc, gradCase{name: fmt.Sprintf("Interp%s%v%v", m.name, ip.x, size), shapes: [][]int{ip.x}, build: func(x []*Var[float64]) *Var[float64] {
				return Interpolate(x[0], size, m.mode, m.align)
			}})
		}
	}
	runGradCases(t, gc)
}

// TestMaxPoolRecomputedIndices: max pooling over a recomputable input
// (which finds its indices again in backward, and whose output Drop may
// release and Backward rebuild) gives the same loss and gradients, bit
// for bit, as over the same values from ops that keep theirs.
func TestMaxPoolRecomputedIndices(t *testing.T) {
	run := func(fused, drop bool) (float32, [][]float32) {
		rng := tensor.NewRNG(21)
		a := Param(tensor.Uniform[float32](rng, -1, 1, 2, 3, 8, 10))
		w := Param(tensor.Uniform[float32](rng, -0.5, 0.5, 4, 3, 3, 3))
		r := Const(tensor.Uniform[float32](rng, -1, 1, 2, 4, 4, 5))
		var x *Var[float32]
		if fused {
			x = ReluBatchNormChannelDropout(Mul(a, a), nil, nil, nil, nil, true, 0.1, 1e-5, 0.3, tensor.NewRNG(3))
		} else {
			x = ChannelDropoutInPlace(BatchNorm(ReluInPlace(Mul(a, a)), nil, nil, nil, nil, true, 0.1, 1e-5), 0.3, true, tensor.NewRNG(3))
		}
		y := MaxPool(x, PoolOpts{Kernel: []int{2, 2}})
		Drop(x)
		z := Conv(y, w, nil, ConvOpts{Pad: []int{1, 1}})
		if drop {
			Drop(y)
			if fused && !y.released {
				panic("the pooled map of a recomputable input was not released by Drop")
			}
		}
		loss := SumAll(Mul(z, r))
		l := loss.Item()
		loss.Backward()
		gs := [][]float32{a.Grad().Clone().Data(), w.Grad().Clone().Data()}
		loss.Release()
		return l, gs
	}
	wl, wg := run(false, false)
	for _, drop := range []bool{false, true} {
		l, g := run(true, drop)
		if math.Float32bits(l) != math.Float32bits(wl) {
			t.Fatalf("drop=%v: loss %v, want %v", drop, l, wl)
		}
		for i := range wg {
			for j := range wg[i] {
				if math.Float32bits(g[i][j]) != math.Float32bits(wg[i][j]) {
					t.Fatalf("drop=%v: gradient %d element %d: %v, want %v", drop, i, j, g[i][j], wg[i][j])
				}
			}
		}
	}
}
