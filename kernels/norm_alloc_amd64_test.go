//go:build !purego

package kernels

import (
	"math/rand/v2"
	"testing"
)

// The norm hooks allocate nothing in steady state (their closures
// would escape to the heap at every call), so a step's norms leave no
// garbage.
func TestNormAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 13))
	n, c, s := 2, 8, 4096
	x, dy := randF32(rng, n*c*s), randF32(rng, n*c*s)
	y, dx := make([]float32, n*c*s), make([]float32, n*c*s)
	g, b := randF32(rng, c), randF32(rng, c)
	mean, invstd := make([]float32, n*c), make([]float32, n*c)
	dg, db := make([]float32, c), make([]float32, c)
	mw, mdout := randF32(rng, 2*c), randF32(rng, n*2*s)
	mdw, mdb := make([]float32, 2*c), make([]float32, 2)
	rv := make([]float32, c)
	for i := range rv {
		rv[i] = 1 + float32(i)
	}
	withWorkers(t, func(t *testing.T) {
		for _, groups := range []int{c, c / 2} {
			step := func() {
				BatchNormForward(n, c, s, x, g, b, 1e-5, y, mean[:c], invstd[:c])
				BatchNormBackward(n, c, s, x, dy, g, mean[:c], invstd[:c], dx, dg, db)
				GroupNormForward(n, c, s, groups, x, g, b, 1e-5, y, mean[:n*groups], invstd[:n*groups])
				GroupNormBackward(n, c, s, groups, x, dy, g, mean[:n*groups], invstd[:n*groups], dx, dg, db)
				GroupNormLeakyReluBackward(n, c, s, groups, x, y, dy, g, mean[:n*groups], invstd[:n*groups], 0.01, dx, dg, db)
				GroupNormLeakyReluMix(n, c, s, groups, x, g, b, 1e-5, 0.01, 2, dx[:2*c], b[:2], y[:n*2*s], mean[:n*groups], invstd[:n*groups])
				GroupNormLeakyReluMixBackward(n, c, s, groups, x, g, b, mean[:n*groups], invstd[:n*groups], 0.01, 2, mw, mdout, dx, dg, db, mdw, mdb)
				BatchNormInference(n, c, s, x, g, b, mean[:c], rv, 1e-5, y)
			}
			step()
			// The best of three windows: on a loaded machine the runtime
			// may refill a goroutine cache once; a per-call allocation
			// shows in all three.
			a := testing.AllocsPerRun(20, step)
			for w := 0; w < 2 && a != 0; w++ {
				a = min(a, testing.AllocsPerRun(20, step))
			}
			if a != 0 {
				t.Errorf("groups %d: %v allocations per step", groups, a)
			}
		}
	})
}
