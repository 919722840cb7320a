//go:build !purego

package kernels

import (
	"math/rand/v2"
	"testing"
)

// Batch norm gives the same bits whether it writes a channel's planes
// first to last or last first, at every worker count and on every tier
// (the planes' sums are added in plane order either way).
func TestNormPlaneOrder(t *testing.T) {
	defer func(old int) { normRevUnit = old }(normRevUnit)
	forEachTier(t, func(t *testing.T, tr tier) {
		if tr == tierGeneric {
			return
		}
		rng := rand.New(rand.NewPCG(15, uint64(tr)))
		for _, sh := range [][3]int{{3, 5, 100}, {4, 2, 33}, {1, 3, 64}} {
			n, c, s := sh[0], sh[1], sh[2]
			x, dy := randF32(rng, n*c*s), randF32(rng, n*c*s)
			g, b := randF32(rng, c), randF32(rng, c)
			run := func() [4][]float32 {
				y, dx := make([]float32, n*c*s), make([]float32, n*c*s)
				mean, invstd, dg, db := make([]float32, c), make([]float32, c), make([]float32, c), make([]float32, c)
				BatchNormForward(n, c, s, x, g, b, 1e-5, y, mean, invstd)
				BatchNormBackward(n, c, s, x, dy, g, mean, invstd, dx, dg, db)
				return [4][]float32{y, dx, dg, db}
			}
			normRevUnit = 1 << 62
			if normReverse(4 * n * s) {
				t.Fatal("normRevUnit does not turn the reversed order off")
			}
			want := run()
			normRevUnit = 1
			withWorkers(t, func(t *testing.T) {
				for i, got := range run() {
					for k := range got {
						if got[k] != want[i][k] {
							t.Fatalf("%v: output %d [%d] = %v with the planes last first, %v first to last", sh, i, k, got[k], want[i][k])
						}
					}
				}
			})
		}
	})
}
