package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// forEachTier runs f once under every tier this machine supports, so that
// the assembly of each tier is checked against the generic code.
func forEachTier(t *testing.T, f func(t *testing.T, tr tier)) {
	defer func(old int) { sgemmMinWork = old }(sgemmMinWork)
	sgemmMinWork = 0
	for _, tr := range availableTiers() {
		t.Run(tr.String(), func(t *testing.T) {
			defer setTier(tr)()
			f(t, tr)
		})
	}
}

// guard is the value written around every output to detect stray writes.
const guard = float32(-7.25e30)

// gemmCase is one float32 GEMM checked against a float64 reference.
type gemmCase struct {
	tA, tB      bool
	m, n, k     int
	alpha, beta float32
	off         int // start offset of C inside its buffer
	padC        int // ldc - n
}

func checkGemmCase(t *testing.T, rng *rand.Rand, tc gemmCase) {
	t.Helper()
	ar, ac := tc.m, tc.k
	if tc.tA {
		ar, ac = tc.k, tc.m
	}
	br, bc := tc.k, tc.n
	if tc.tB {
		br, bc = tc.n, tc.k
	}
	lda, ldb, ldc := ac+1, bc+2, tc.n+tc.padC
	a := make([]float32, max(ar*lda, 1))
	b := make([]float32, max(br*ldb, 1))
	for i := range a {
		a[i] = float32(rng.NormFloat64())
	}
	for i := range b {
		b[i] = float32(rng.NormFloat64())
	}
	const tail = 37
	buf := make([]float32, tc.off+tc.m*ldc+tail)
	for i := range buf {
		buf[i] = guard
	}
	inC := func(i int) bool {
		i -= tc.off
		return i >= 0 && i < tc.m*ldc && i%ldc < tc.n
	}
	for i := range buf {
		if inC(i) {
			if tc.beta == 0 {
				buf[i] = float32(math.NaN()) // must not be read
			} else {
				buf[i] = float32(rng.NormFloat64())
			}
		}
	}
	c0 := append([]float32(nil), buf...)
	Gemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, buf[tc.off:], ldc)
	for i := 0; i < tc.m; i++ {
		for j := 0; j < tc.n; j++ {
			var s, sa float64
			for p := 0; p < tc.k; p++ {
				var av, bv float64
				if tc.tA {
					av = float64(a[p*lda+i])
				} else {
					av = float64(a[i*lda+p])
				}
				if tc.tB {
					bv = float64(b[j*ldb+p])
				} else {
					bv = float64(b[p*ldb+j])
				}
				s += av * bv
				sa += math.Abs(av * bv)
			}
			ix := tc.off + i*ldc + j
			want := float64(tc.alpha) * s
			tol := 4e-7*float64(tc.k+4)*sa*math.Abs(float64(tc.alpha)) + 1e-6
			if tc.beta != 0 {
				want += float64(tc.beta) * float64(c0[ix])
				tol += 1e-6 * math.Abs(float64(c0[ix]))
			}
			if got := float64(buf[ix]); !(math.Abs(got-want) <= tol) {
				t.Fatalf("%+v: C[%d,%d] = %v, want %v (tol %.3g)", tc, i, j, got, want, tol)
			}
		}
	}
	for i, v := range buf {
		if !inC(i) && v != guard {
			t.Fatalf("%+v: stray write at buffer index %d (C starts at %d, ldc %d): %v", tc, i, tc.off, ldc, v)
		}
	}
}

var edgeSizes = []int{0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65}

func TestGemmTiers(t *testing.T) {
	forEachTier(t, func(t *testing.T, tr tier) {
		checkGemmAll(t, rand.New(rand.NewPCG(3, uint64(tr))))
	})
}

// checkGemmAll runs the edge-size GEMM cases with the installed kernels.
func checkGemmAll(t *testing.T, rng *rand.Rand) {
	n := 0
	for _, s := range edgeSizes {
		for _, shape := range [][3]int{{s, s, s}, {s, 17, 33}, {33, s, 17}, {17, 33, s}} {
			for tAB := 0; tAB < 4; tAB++ {
				tc := gemmCase{tA: tAB&1 == 1, tB: tAB&2 == 2, m: shape[0], n: shape[1], k: shape[2],
					alpha: []float32{1, -0.5}[n%2], beta: []float32{0, 1, 0.75}[n%3], off: n % 16, padC: n % 3}
				checkGemmCase(t, rng, tc)
				n++
			}
		}
	}
	// Rows that 8-row tiles fit better than 12-row ones (tilesArea).
	for _, s := range [][3]int{{16, 47, 33}, {40, 100, 20}, {64, 95, 65}} {
		checkGemmCase(t, rng, gemmCase{m: s[0], n: s[1], k: s[2], alpha: 1, beta: 0.75, off: 1})
	}
	// Small blocks: rows in several L2 blocks (B packed six panels at a
	// time, the last group with the ragged panel), several passes over
	// the depth, and few panels (units split by rows).
	func() {
		defer func(o int) { aPassMax = o }(aPassMax)
		blockOverride.mc, blockOverride.kc, blockOverride.nc = 24, 16, 192
		defer func() { blockOverride.mc, blockOverride.kc, blockOverride.nc = 0, 0, 0 }()
		aPassMax = 1000
		checkGemmCase(t, rng, gemmCase{m: 48, n: 1061, k: 45, alpha: 1, beta: 0.5, off: 2, padC: 1})
		checkGemmCase(t, rng, gemmCase{tA: true, m: 61, n: 20, k: 37, alpha: -1, beta: 0, off: 1})
	}()
	for off := 0; off < 16; off++ {
		checkGemmCase(t, rng, gemmCase{m: 13, n: 33, k: 5, alpha: 1, beta: 0.5, off: off})
		checkGemmCase(t, rng, gemmCase{tA: true, tB: true, m: 25, n: 47, k: 3, alpha: 2, off: off, padC: 1})
	}
}

// TestGemmTiersLarge crosses the cache blocks (several row blocks, k
// blocks and column blocks) with small forced block sizes, and runs one
// 1000-sized product with the machine's own blocking.
func TestGemmTiersLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("large GEMMs in -short mode")
	}
	forEachTier(t, func(t *testing.T, tr tier) {
		rng := rand.New(rand.NewPCG(4, uint64(tr)))
		checkGemmCase(t, rng, gemmCase{m: 1000, n: 1001, k: 67, alpha: 1, beta: 0, off: 3})
		checkGemmCase(t, rng, gemmCase{tB: true, m: 65, n: 70, k: 1000, alpha: 1, beta: 1, off: 5})
		blockOverride.mc, blockOverride.kc, blockOverride.nc = 24, 40, 64
		defer func() { blockOverride.mc, blockOverride.kc, blockOverride.nc = 0, 0, 0 }()
		for tAB := 0; tAB < 4; tAB++ {
			checkGemmCase(t, rng, gemmCase{tA: tAB&1 == 1, tB: tAB&2 == 2, m: 101, n: 203, k: 131, alpha: 0.5, beta: 0.25, off: tAB, padC: 2})
		}
	})
}

func TestTierString(t *testing.T) {
	for _, tr := range availableTiers() {
		if s := fmt.Sprint(tr); s == "tier?" {
			t.Errorf("tier %d has no name", int(tr))
		}
	}
	if Tier() == "" {
		t.Error("Tier() is empty")
	}
}
