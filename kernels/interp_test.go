package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// naiveSource returns the two source positions and weights of output o
// along an axis, straight from PyTorch's UpSample.h formulas.
func naiveSource(in, out, o int, mode InterpMode, align bool) (i0, i1 int, l0, l1 float64) {
	if mode == Nearest {
		var i int
		switch {
		case out == in:
			i = o
		case out == 2*in:
			i = o / 2
		default:
			scale := float32(in) / float32(out)
			i = min(int(math.Floor(float64(float32(o)*scale))), in-1)
		}
		return i, i, 1, 0
	}
	var src float64
	if align {
		if out > 1 {
			src = float64(in-1) / float64(out-1) * float64(o)
		}
	} else {
		src = math.Max(float64(in)/float64(out)*(float64(o)+0.5)-0.5, 0)
	}
	i0 = int(math.Floor(src))
	i1 = i0
	if i0 < in-1 {
		i1 = i0 + 1
	}
	l1 = src - float64(i0)
	return i0, i1, 1 - l1, l1
}

func naiveInterp(p InterpParams, x []float64) []float64 {
	nd := len(p.In)
	in, out := pad3(p.In, nd, 1), pad3(p.Out, nd, 1)
	inVol := in[0] * in[1] * in[2]
	var y []float64
	for pl := 0; pl < p.N*p.C; pl++ {
		for a := 0; a < out[0]; a++ {
			for b := 0; b < out[1]; b++ {
				for c := 0; c < out[2]; c++ {
					var idx [3][2]int
					var wt [3][2]float64
					for ax, o := range [3]int{a, b, c} {
						i0, i1, l0, l1 := naiveSource(in[ax], out[ax], o, p.Mode, p.AlignCorners)
						idx[ax], wt[ax] = [2]int{i0, i1}, [2]float64{l0, l1}
					}
					var v float64
					for corner := 0; corner < 8; corner++ {
						e := [3]int{corner >> 2 & 1, corner >> 1 & 1, corner & 1}
						w := wt[0][e[0]] * wt[1][e[1]] * wt[2][e[2]]
						v += w * x[pl*inVol+(idx[0][e[0]]*in[1]+idx[1][e[1]])*in[2]+idx[2][e[2]]]
					}
					y = append(y, v)
				}
			}
		}
	}
	return y
}

func interpCases(rng *rand.Rand, n int) []InterpParams {
	var cases []InterpParams
	for _, mode := range []InterpMode{Nearest, Linear} {
		for _, align := range []bool{false, true} {
			cases = append(cases,
				InterpParams{N: 1, C: 2, In: []int{4, 5}, Out: []int{8, 10}, Mode: mode, AlignCorners: align}, // ×2
				InterpParams{N: 2, C: 1, In: []int{3, 2, 4}, Out: []int{6, 4, 8}, Mode: mode, AlignCorners: align},
				InterpParams{N: 1, C: 1, In: []int{7}, Out: []int{3}, Mode: mode, AlignCorners: align},       // down
				InterpParams{N: 1, C: 1, In: []int{5, 1}, Out: []int{1, 4}, Mode: mode, AlignCorners: align}, // size-1 axes
				InterpParams{N: 1, C: 1, In: []int{3, 3}, Out: []int{3, 7}, Mode: mode, AlignCorners: align}, // one axis unchanged
				InterpParams{N: 1, C: 2, In: []int{5, 6, 7}, Out: []int{3, 11, 7}, Mode: mode, AlignCorners: align},
			)
		}
	}
	for i := 0; i < n; i++ {
		nd := 1 + i%3
		p := InterpParams{N: 1 + rng.IntN(2), C: 1 + rng.IntN(2), Mode: InterpMode(rng.IntN(2)), AlignCorners: rng.IntN(2) == 0}
		for j := 0; j < nd; j++ {
			p.In = append(p.In, 1+rng.IntN(6))
			p.Out = append(p.Out, 1+rng.IntN(9))
		}
		cases = append(cases, p)
	}
	return cases
}

func TestInterpAgainstNaive(t *testing.T) {
	withWorkers(t, func(t *testing.T) {
		rng := newRNG(30)
		for i, p := range interpCases(rng, 60) {
			x := normals(rng, p.N*p.C*prodInts(p.In))
			want := naiveInterp(p, x)
			name := fmt.Sprintf("case %d %+v", i, p)
			y := make([]float64, len(want))
			InterpForward(p, x, y)
			assertClose(t, name, y, want, 1e-12)
			y32 := make([]float32, len(want))
			InterpForward(p, to32(x), y32)
			assertClose(t, "float32 "+name, to64(y32), want, 1e-5)
		}
	})
}

func TestInterpBackwardFiniteDifference(t *testing.T) {
	withWorkers(t, func(t *testing.T) {
		rng := newRNG(31)
		for i, p := range interpCases(rng, 30) {
			x := normals(rng, p.N*p.C*prodInts(p.In))
			r := normals(rng, p.N*p.C*prodInts(p.Out))
			y, dx := make([]float64, len(r)), make([]float64, len(x))
			loss := func() float64 { InterpForward(p, x, y); return inner(y, r) }
			InterpBackward(p, r, dx)
			assertClose(t, fmt.Sprintf("case %d %+v", i, p), dx, numGrad(loss, x, 1e-3), 1e-8)
			dx32 := make([]float32, len(x))
			InterpBackward(p, to32(r), dx32)
			assertClose(t, fmt.Sprintf("float32 case %d %+v", i, p), to64(dx32), dx, 1e-5)
		}
	})
}

func TestInterpNearestKeepsInfinity(t *testing.T) {
	p := InterpParams{N: 1, C: 1, In: []int{2}, Out: []int{3}, Mode: Nearest}
	y := make([]float32, 3)
	InterpForward(p, []float32{float32(math.Inf(1)), 1}, y)
	if !math.IsInf(float64(y[0]), 1) || y[2] != 1 {
		t.Fatalf("nearest of [+Inf 1] to 3 = %v, want [+Inf +Inf 1]", y)
	}
}

func TestInterpPanics(t *testing.T) {
	tests := []struct {
		name string
		p    InterpParams
		x, y int
	}{
		{"rank mismatch", InterpParams{N: 1, C: 1, In: []int{2, 2}, Out: []int{4}}, 4, 4},
		{"empty output", InterpParams{N: 1, C: 1, In: []int{2}, Out: []int{0}}, 2, 0},
		{"unknown mode", InterpParams{N: 1, C: 1, In: []int{2}, Out: []int{4}, Mode: 7}, 2, 4},
		{"short y", InterpParams{N: 1, C: 1, In: []int{2}, Out: []int{4}}, 2, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if msg, ok := r.(string); !ok || !strings.HasPrefix(msg, "kernels: ") {
					t.Fatalf("panic value %v, want a message starting with \"kernels: \"", r)
				}
			}()
			InterpForward(tt.p, make([]float32, tt.x), make([]float32, tt.y))
		})
	}
}
