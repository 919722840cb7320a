package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Sigmoid on every tier (the AVX-512 kernel and the Go loop) against
// the float64 formula, on random values over the range where it changes
// and on the edges: ±0, the ends of exp32's range, the subnormal results,
// ±Inf and NaN; and SigmoidBackward against its formula, both over
// lengths that run serially (with a partial last vector) and in parallel.
func TestSigmoid(t *testing.T) {
	forEachTier(t, func(t *testing.T, _ tier) { checkSigmoid(t) })
}

func checkSigmoid(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 41))
	for _, n := range []int{0, 1, 15, 17, 33, parallelMin + 5} {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(rng.NormFloat64() * 12)
		}
		edges := []float32{0, float32(math.Copysign(0, -1)), 79.9, -79.9, 80, -80, 87.5, -87.5, -95, -103, -103.9, -104.5, 200, -200,
			float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
		copy(x, edges)
		y := make([]float32, n)
		Sigmoid(y, x)
		y64 := make([]float64, n)
		x64 := make([]float64, n)
		for i, v := range x {
			x64[i] = float64(v)
		}
		Sigmoid(y64, x64)
		for i, v := range x {
			want := 1 / (1 + math.Exp(-float64(v)))
			if math.IsNaN(float64(v)) {
				if !math.IsNaN(float64(y[i])) || !math.IsNaN(y64[i]) {
					t.Fatalf("Sigmoid(NaN) = %v, %v, want NaN", y[i], y64[i])
				}
				continue
			}
			// Subnormal results keep fewer bits: there the bound is
			// absolute, two of their steps.
			if d := math.Abs(float64(y[i]) - want); d > 4e-7*want && d > 3e-45 {
				t.Fatalf("n=%d: float32 Sigmoid(%v) = %v, want %v", n, v, y[i], want)
			}
			if d := math.Abs(y64[i] - want); d > 1e-15*want {
				t.Fatalf("n=%d: float64 Sigmoid(%v) = %v, want %v", n, v, y64[i], want)
			}
		}
		dy := make([]float32, n)
		for i := range dy {
			dy[i] = float32(rng.NormFloat64())
		}
		dx := make([]float32, n)
		SigmoidBackward(dx, y, dy)
		for i := range dx {
			if want := dy[i] * y[i] * (1 - y[i]); dx[i] != want && !math.IsNaN(float64(want)) {
				t.Fatalf("SigmoidBackward[%d] = %v, want %v", i, dx[i], want)
			}
		}
	}
}
