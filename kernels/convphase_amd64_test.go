//go:build !purego

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// The phase-split strided backward-data pass against the float64 generic
// one, on every tier, with guard values around dx: strides 2 and 3,
// strides above the kernel (phases no tap reaches), padding 0 to 2, odd
// sizes, 1D to 3D, a phase of a single tap, and one that declines
// (dilation).
func TestConvPhases(t *testing.T) {
	defer func(v int) { phaseMinVol = v }(phaseMinVol)
	phaseMinVol = 1
	cases := []ConvParams{
		{N: 2, Cin: 5, Cout: 16, In: []int{7, 9, 11}, Kernel: []int{3, 3, 3}, Stride: []int{2, 2, 2}, Pad: []int{1, 1, 1}},
		{N: 1, Cin: 8, Cout: 24, In: []int{6, 10, 34}, Kernel: []int{3, 3, 3}, Stride: []int{2, 2, 2}, Pad: []int{1, 1, 1}},
		{N: 2, Cin: 16, Cout: 8, In: []int{13, 40}, Kernel: []int{3, 3}, Stride: []int{3, 2}, Pad: []int{2, 0}},
		{N: 1, Cin: 3, Cout: 4, In: []int{9, 10}, Kernel: []int{2, 1}, Stride: []int{3, 3}, Pad: []int{0, 0}},
		{N: 3, Cin: 2, Cout: 3, In: []int{17}, Kernel: []int{4}, Stride: []int{2}, Pad: []int{1}},
		{N: 1, Cin: 40, Cout: 9, In: []int{12, 20}, Kernel: []int{5, 3}, Stride: []int{2, 2}, Pad: []int{2, 1}},
		{N: 1, Cin: 4, Cout: 6, In: []int{11, 12}, Kernel: []int{3, 3}, Stride: []int{2, 2}, Pad: []int{1, 1}, Dilation: []int{2, 1}},
	}
	forEachTier(t, func(t *testing.T, tr tier) {
		rng := rand.New(rand.NewPCG(31, uint64(tr)))
		for ci, p := range cases {
			name := fmt.Sprintf("case %d %+v", ci, p)
			w := randF32(rng, p.Cout*p.Cin*prod(p.Kernel))
			dy := randF32(rng, p.N*p.Cout*prod(p.Out()))
			dx, check := guarded(p.N*p.Cin*prod(p.In), ci%16)
			ConvBackwardData(p, dy, w, dx)
			want := make([]float64, len(dx))
			ConvBackwardData(p, tierTo64(dy), tierTo64(w), want)
			closeTo(t, name, dx, want, float64(p.Cout*prod(p.Kernel)))
			check(t, name)
			// The same bits at any worker count.
			for _, nw := range []int{1, 3} {
				old := SetWorkers(nw)
				again := make([]float32, len(dx))
				ConvBackwardData(p, dy, w, again)
				SetWorkers(old)
				for i := range again {
					if math.Float32bits(again[i]) != math.Float32bits(dx[i]) {
						t.Fatalf("%s: %d workers: dx[%d] = %v, want %v", name, nw, i, again[i], dx[i])
					}
				}
			}
		}
	})
}

// The phase-split strided backward-data pass allocates nothing in steady
// state, at any worker count (its phase geometry and scatter job must not
// escape).
func TestConvPhaseAllocs(t *testing.T) {
	defer SetWorkers(Workers())
	defer func(v int) { phaseMinVol = v }(phaseMinVol)
	phaseMinVol = 1
	for _, p := range []ConvParams{
		{N: 2, Cin: 16, Cout: 32, In: []int{12, 12, 12}, Kernel: []int{3, 3, 3}, Stride: []int{2, 2, 2}, Pad: []int{1, 1, 1}},
		{N: 2, Cin: 8, Cout: 16, In: []int{11, 20}, Kernel: []int{3, 3}, Stride: []int{2, 3}, Pad: []int{1, 0}},
	} {
		dy := make([]float32, p.N*p.Cout*prod(p.Out()))
		w := make([]float32, p.Cout*p.Cin*prod(p.Kernel))
		dx := make([]float32, p.N*p.Cin*prod(p.In))
		for _, nw := range []int{1, 2, 3} {
			SetWorkers(nw)
			for i := 0; i < 10; i++ {
				ConvBackwardData(p, dy, w, dx)
			}
			if a := testing.AllocsPerRun(5, func() { ConvBackwardData(p, dy, w, dx) }); a != 0 {
				t.Errorf("%+v, %d workers: %v allocations per backward-data pass", p, nw, a)
			}
		}
	}
}
