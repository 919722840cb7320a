package kernels

import (
	"math/rand/v2"
	"testing"
)

// naiveGemm is the textbook triple loop, in float64.
func naiveGemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				var av, bv float64
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += av * bv
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * s
			} else {
				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
			}
		}
	}
}

func TestGemmGenericAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 200; trial++ {
		m, n, k := rng.IntN(20), rng.IntN(20), rng.IntN(20)
		tA, tB := rng.IntN(2) == 1, rng.IntN(2) == 1
		alpha := []float64{1, 0.5, -2}[rng.IntN(3)]
		beta := []float64{0, 1, 0.25}[rng.IntN(3)]
		ar, ac := m, k
		if tA {
			ar, ac = k, m
		}
		br, bc := k, n
		if tB {
			br, bc = n, k
		}
		lda, ldb, ldc := ac+rng.IntN(3), bc+rng.IntN(3), n+rng.IntN(3)
		a := randSlice(rng, max(ar*lda, 1))
		b := randSlice(rng, max(br*ldb, 1))
		c := randSlice(rng, max(m*ldc, 1))
		want := append([]float64(nil), c...)
		naiveGemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, want, ldc)
		Gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		for i := range c {
			if d := c[i] - want[i]; d > 1e-12 || d < -1e-12 {
				t.Fatalf("m=%d n=%d k=%d tA=%v tB=%v: c[%d]=%v want %v", m, n, k, tA, tB, i, c[i], want[i])
			}
		}
	}
}

func TestGemmPanicsOnShortSlice(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Gemm with a short A did not panic")
		}
	}()
	Gemm(false, false, 2, 2, 2, float32(1), make([]float32, 3), 2, make([]float32, 4), 2, 0, make([]float32, 4), 2)
}

func randSlice(rng *rand.Rand, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = rng.NormFloat64()
	}
	return s
}

// TestGemmSteadyStateAllocs checks that float32 GEMMs allocate nothing
// once the scratch and job free lists are warm, on every tier and worker
// count, through each way sgemmPacked splits the work: panels packed one
// by one or a group at a time, rows split across units, several passes
// over the depth, the 8-row kernel, transposed operands.
func TestGemmSteadyStateAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("too slow under the race detector (see raceEnabled)")
	}
	defer func(o int) { aPassMax = o }(aPassMax)
	aPassMax = 1 << 12
	defer SetWorkers(Workers())
	shapes := [][3]int{{40, 300, 300}, {1100, 200, 16}, {300, 40, 100}, {37, 53, 29}}
	for _, tr := range availableTiers() {
		t.Run(tr.String(), func(t *testing.T) {
			defer setTier(tr)()
			for _, s := range shapes {
				m, n, k := s[0], s[1], s[2]
				a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
				step := func() {
					Gemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
					Gemm(true, true, m, n, k, 0.5, a, m, b, k, 1, c, n)
				}
				for _, nw := range []int{1, Workers(), 3} {
					SetWorkers(nw)
					for range 10 {
						step()
					}
					// As in TestConvSteadyStateAllocs: the runtime may
					// refill its parking caches in one window of three.
					var got []float64
					for range 3 {
						a := testing.AllocsPerRun(4, step)
						if got = append(got, a); a == 0 {
							break
						}
					}
					if got[len(got)-1] != 0 {
						t.Errorf("%d×%d×%d, %d workers: %v allocations per call pair in three windows, want 0", m, n, k, nw, got)
					}
				}
			}
		})
	}
}
