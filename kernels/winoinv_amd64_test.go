//go:build !purego

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// winoInv8AVX512 against its Go twin, bit for bit, and both against
// Gᵀ·S·G summed in float64 from G's entries, for row strides at and
// above 8 and values over several orders of magnitude, NaN and ±Inf
// included in a lane of their own.
func TestWinoInv8AVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	// G's rows (winoWeights): Gᵀ·S·G's tap (a, b) is Σ G[k][a]·S[k][l]·G[l][b].
	g := [6][3]float64{
		{1.0 / 4, 0, 0}, {-1.0 / 6, -1.0 / 6, -1.0 / 6}, {-1.0 / 6, 1.0 / 6, -1.0 / 6},
		{1.0 / 24, 1.0 / 12, 1.0 / 6}, {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0, 0, 1},
	}
	rng := rand.New(rand.NewPCG(44, 44))
	for _, ld := range []int{8, 9, 13, 48, 387} {
		for _, scale := range []float64{1, 1e-6, 1e5} {
			s := make([]float32, 35*ld+8)
			for i := range s {
				s[i] = float32(rng.NormFloat64() * scale)
			}
			var got, twin [72]float32
			for i := range got {
				got[i], twin[i] = float32(math.NaN()), 7
			}
			winoInv8(s, ld, &got)
			winoInv8Go(s, ld, &twin)
			name := fmt.Sprintf("ld=%d scale=%g", ld, scale)
			for i := range 8 {
				for a := range 3 {
					for b := range 3 {
						k := (3*a+b)*8 + i
						if math.Float32bits(got[k]) != math.Float32bits(twin[k]) {
							t.Fatalf("%s: filter %d tap (%d, %d) = %v, Go twin %v", name, i, a, b, got[k], twin[k])
						}
						var want, mag float64
						for p := range 6 {
							for l := range 6 {
								v := g[p][a] * float64(s[(6*p+l)*ld+i]) * g[l][b]
								want += v
								mag += math.Abs(v)
							}
						}
						if d := math.Abs(float64(got[k]) - want); d > 1e-6*mag {
							t.Fatalf("%s: filter %d tap (%d, %d) = %v, want %v", name, i, a, b, got[k], want)
						}
					}
				}
			}
		}
	}
	// Non-finite values stay in their lane.
	s := make([]float32, 35*8+8)
	for i := range s {
		s[i] = 1
	}
	s[3*8+2], s[20*8+5] = float32(math.NaN()), float32(math.Inf(1))
	var got, twin [72]float32
	winoInv8(s, 8, &got)
	winoInv8Go(s, 8, &twin)
	for k := range got {
		if math.Float32bits(got[k]) != math.Float32bits(twin[k]) {
			t.Fatalf("non-finite: t[%d] = %v, Go twin %v", k, got[k], twin[k])
		}
		if i := k % 8; i != 2 && i != 5 && math.IsNaN(float64(got[k])) {
			t.Fatalf("non-finite: lane %d's t[%d] = NaN", i, k)
		}
	}
}
