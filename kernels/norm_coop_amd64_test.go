//go:build !purego

package kernels

import (
	"math"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"
)

// The shared-channel batch norm backward (bnBwdCoopJob), forced on small
// tensors: its gradients match the channel pipeline's to rounding, and
// its bits do not depend on the worker count, on which task summed which
// half (one worker runs the second task after the first, which then sums
// both halves of every channel), nor on the tier's output kernels
// (through the cache or non-temporal).
func TestNormCoop(t *testing.T) {
	defer func(c, nt int) { normCoopMin, normNTMin = c, nt }(normCoopMin, normNTMin)
	forEachTier(t, func(t *testing.T, tr tier) {
		if tr == tierGeneric {
			return
		}
		rng := rand.New(rand.NewPCG(16, uint64(tr)))
		for _, sh := range [][3]int{{2, 5, 64}, {3, 4, 37}, {5, 1, 48}, {8, 3, 160}, {2, 2, 7}} {
			n, c, s := sh[0], sh[1], sh[2]
			x, dy := randF32(rng, n*c*s), randF32(rng, n*c*s)
			for i := range x {
				x[i] = 2*x[i] + 3 // a mean away from zero
			}
			g, b := randF32(rng, c), randF32(rng, c)
			mean, invstd := make([]float32, c), make([]float32, c)
			BatchNormForward(n, c, s, x, g, b, 1e-5, make([]float32, n*c*s), mean, invstd)
			run := func() [3][]float32 {
				dx, dg, db := make([]float32, n*c*s), make([]float32, c), make([]float32, c)
				BatchNormBackward(n, c, s, x, dy, g, mean, invstd, dx, dg, db)
				return [3][]float32{dx, dg, db}
			}
			normNTMin, normCoopMin = 1<<62, 1<<62
			pipe := run()
			normCoopMin = 1
			if !(8*n*s >= normCoopUnit()) {
				t.Fatal("normCoopMin does not turn the shared channels on")
			}
			var want [3][]float32
			for _, ntMin := range []int{1 << 62, 1} {
				normNTMin = ntMin
				withWorkers(t, func(t *testing.T) {
					got := run()
					if want[0] == nil {
						want = got
						for i, name := range []string{"dx", "dgamma", "dbeta"} {
							for k := range got[i] {
								if d := math.Abs(float64(got[i][k] - pipe[i][k])); d > 1e-5*(1+math.Abs(float64(pipe[i][k]))) {
									t.Fatalf("%v: %s[%d] = %v shared, %v pipelined by channels", sh, name, k, got[i][k], pipe[i][k])
								}
							}
						}
						return
					}
					for i := range got {
						for k := range got[i] {
							if math.Float32bits(got[i][k]) != math.Float32bits(want[i][k]) {
								t.Fatalf("%v non-temporal from %d: output %d [%d] = %v, %v at one worker through the cache", sh, ntMin, i, k, got[i][k], want[i][k])
							}
						}
					}
				})
			}
		}
	})
}

// The exchange's arrays are kept between calls: a backward after one with
// more channels, and the steady state, allocate nothing.
func TestNormCoopAllocs(t *testing.T) {
	defer func(c int) { normCoopMin = c }(normCoopMin)
	normCoopMin = 1
	rng := rand.New(rand.NewPCG(17, 17))
	for _, c := range []int{6, 3} {
		n, s := 4, 32
		x, dy := randF32(rng, n*c*s), randF32(rng, n*c*s)
		g, mean, invstd := randF32(rng, c), make([]float32, c), make([]float32, c)
		for i := range invstd {
			invstd[i] = 1
		}
		dx, dg, db := make([]float32, n*c*s), make([]float32, c), make([]float32, c)
		if a := testing.AllocsPerRun(10, func() {
			BatchNormBackward(n, c, s, x, dy, g, mean, invstd, dx, dg, db)
		}); a != 0 {
			t.Errorf("c=%d: %v allocations a call", c, a)
		}
	}
}

// A task that finds the other half's sums being computed waits for them:
// with the second half's first sums slowed down, the first task reaches
// them while they are busy, and the result is still that of one worker.
// The fused loop sums a half as sum does, bit for bit, on planes whose
// magnitudes make the float64 sums depend on their order.
func TestNormCoopExchange(t *testing.T) {
	defer func(c int) { normCoopMin, coopSumHook = c, nil }(normCoopMin)
	normCoopMin = 1
	n, c, s := 8, 3, 48
	rng := rand.New(rand.NewPCG(18, 18))
	x, dy := randF32(rng, n*c*s), randF32(rng, n*c*s)
	for i := range x {
		x[i] *= float32(math.Pow(10, float64(i/(c*s)%4)))
	}
	g, mean, invstd := randF32(rng, c), make([]float32, c), make([]float32, c)
	BatchNormForward(n, c, s, x, g, nil, 1e-5, make([]float32, n*c*s), mean, invstd)
	job := func() *bnBwdCoopJob {
		j := &bnBwdCoopJob{n: n, c: c, s: s, x: x, dy: dy, gamma: g, mean: mean, invstd: invstd,
			dx: make([]float32, n*c*s), dgamma: make([]float32, c), dbeta: make([]float32, c), M: float64(n * s),
			out: normOutFor(make([]float32, 1), s), sums: make([][2]float64, 2*c), state: make([]atomic.Int32, 2*c)}
		return j
	}
	seq := job()
	seq.half(0) // sums half 0 in its loop and steals every half 1
	seq.half(1)
	for ch := range c {
		ref := job()
		for h := range 2 {
			ref.claim(ch, h)
			ref.sum(ch, h)
			if ref.sums[2*ch+h] != seq.sums[2*ch+h] {
				t.Fatalf("channel %d half %d: sums %v, %v in the task's loop", ch, h, ref.sums[2*ch+h], seq.sums[2*ch+h])
			}
		}
	}
	coopSumHook = func(ch, h int) {
		if h == 1 {
			time.Sleep(2 * time.Millisecond)
		}
	}
	defer SetWorkers(SetWorkers(2))
	for range 3 {
		par := job()
		parallelJob(2, 1, par)
		for k := range par.dx {
			if math.Float32bits(par.dx[k]) != math.Float32bits(seq.dx[k]) {
				t.Fatalf("dx[%d] = %v with a slow second half, %v in one task after the other", k, par.dx[k], seq.dx[k])
			}
		}
	}
}
