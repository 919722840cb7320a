package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestConvLeaky checks, in every tier, that ConvForwardLeaky and
// ConvBackwardWeightLeaky equal, bit for bit, ConvForward and
// ConvBackwardWeight of LeakyRelu(x): on rings of slices, which apply it
// plane by plane as they read x (forward and weight gradient, each of
// them), and on shapes that make LeakyRelu(x) first.
func TestConvLeaky(t *testing.T) {
	cases := []struct {
		p           ConvParams
		ring, ring2 bool // the forward's and the weight gradient's rings
	}{
		{ConvParams{N: 2, Cin: 16, Cout: 16, In: []int{4, 16, 48}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}}, true, true},
		{ConvParams{N: 1, Cin: 8, Cout: 12, In: []int{5, 32, 32}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}}, true, false},
		{ConvParams{N: 2, Cin: 16, Cout: 16, In: []int{5, 24, 24}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}}, false, true},
		{ConvParams{N: 2, Cin: 9, Cout: 8, In: []int{16, 32}, Kernel: []int{3, 3}, Pad: []int{1, 1}}, false, false},
		{ConvParams{N: 2, Cin: 4, Cout: 6, In: []int{6, 6, 6}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}, Stride: []int{2, 2, 2}}, false, false},
	}
	for _, c := range cases {
		if got := winoUse(c.p) && winoRing(c.p); got != c.ring {
			t.Fatalf("%+v: forward ring %v, want %v", c.p, got, c.ring)
		}
		if got := winoUseDW(c.p) && winoDWRing(c.p); got != c.ring2 {
			t.Fatalf("%+v: weight gradient ring %v, want %v", c.p, got, c.ring2)
		}
	}
	forEachTier(t, func(t *testing.T, tr tier) {
		r := rand.New(rand.NewPCG(43, 43))
		for _, c := range cases {
			p := c.p
			g := p.geom("test")
			x := randF32(r, g.n*g.cin*g.inVol())
			a := make([]float32, len(x))
			for _, slope := range []float32{0.01, 0.3} {
				LeakyRelu(a, x, slope)
				w := randF32(r, g.cout*g.cols())
				bias := randF32(r, p.Cout)
				name := fmt.Sprintf("%+v slope %v", p, slope)
				want := make([]float32, g.n*g.cout*g.outVol())
				ConvForward(p, a, w, bias, want)
				y, check := guarded(len(want), 4)
				ConvForwardLeaky(p, x, slope, w, bias, y)
				check(t, name+" forward")
				mustSameBits(t, name+" forward", y, want)
				dy := randF32(r, len(want))
				wantDw, wantDb := make([]float32, len(w)), make([]float32, p.Cout)
				ConvBackwardWeight(p, a, dy, wantDw, wantDb)
				dw, checkDw := guarded(len(w), 6)
				db := make([]float32, p.Cout)
				ConvBackwardWeightLeaky(p, x, slope, dy, dw, db)
				checkDw(t, name+" weight gradient")
				mustSameBits(t, name+" weight gradient", dw, wantDw)
				mustSameBits(t, name+" bias gradient", db, wantDb)
			}
		}
	})
}
