package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)) }

// normals returns n standard normal values.
func normals(rng *rand.Rand, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = rng.NormFloat64()
	}
	return s
}

// assertClose fails when got and want differ anywhere by more than
// tol·(1 + |want|), naming the first bad index.
func assertClose(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: len %d, want %d", what, len(got), len(want))
	}
	for i := range got {
		if d := math.Abs(got[i] - want[i]); !(d <= tol*(1+math.Abs(want[i]))) {
			t.Fatalf("%s: [%d] = %.10g, want %.10g (|diff| %.3g)", what, i, got[i], want[i], d)
		}
	}
}

// numGrad returns the central finite-difference gradient of f with
// respect to every element of v (v is restored afterwards).
func numGrad(f func() float64, v []float64, h float64) []float64 {
	g := make([]float64, len(v))
	for i := range v {
		old := v[i]
		v[i] = old + h
		fp := f()
		v[i] = old - h
		fm := f()
		v[i] = old
		g[i] = (fp - fm) / (2 * h)
	}
	return g
}

// inner is Σ a·b in float64.
func inner(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func to32(s []float64) []float32 {
	o := make([]float32, len(s))
	for i, v := range s {
		o[i] = float32(v)
	}
	return o
}

func to64(s []float32) []float64 {
	o := make([]float64, len(s))
	for i, v := range s {
		o[i] = float64(v)
	}
	return o
}

// withWorkers runs fn for several worker counts, so both the serial and
// the parallel paths of every kernel are exercised.
func withWorkers(t *testing.T, fn func(t *testing.T)) {
	for _, w := range []int{1, 2, 3} {
		t.Run(fmt.Sprintf("workers=%d", w), func(t *testing.T) {
			old := SetWorkers(w)
			defer SetWorkers(old)
			fn(t)
		})
	}
}

func prodInts(s []int) int {
	p := 1
	for _, v := range s {
		p *= v
	}
	return p
}

// casesN returns how many random cases to draw: long in a full run,
// short under -short (CI), where the fixed cases still all run.
func casesN(long, short int) int {
	if testing.Short() {
		return short
	}
	return long
}

// mustSameBits fails unless got and want hold the same bits.
func mustSameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s: [%d] = %v, the concatenation's %v", what, i, got[i], want[i])
		}
	}
}
