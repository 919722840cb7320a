//go:build !purego

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// winoDW8x48x3AVX512 against its Go twin and a float64 sum, for depths
// from none on, row strides of B at and above 16, beta 0 and 1, and guard
// values between and after the rows of C it writes.
func TestWinoDW8x48x3AVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(43, 43))
	for _, k := range []int{0, 1, 5, 48, 97} {
		for _, ldb := range []int{16, 21, 48} {
			for _, beta := range []float32{0, 1} {
				a := randF32(rng, 8*k)
				var bs [3][]float32
				for i := range bs {
					bs[i] = randF32(rng, max(0, (k-1)*ldb)+16)
				}
				const ldc = 53
				c, check := guarded(7*ldc+48, k%16)
				for i := range c {
					if i%ldc < 48 {
						c[i] = float32(rng.NormFloat64())
					}
				}
				old := append([]float32(nil), c...)
				twin := append([]float32(nil), c...)
				winoDW8x48x3AVX512(k, a, bs[0], bs[1], bs[2], ldb, c, ldc, beta)
				winoDW8x48x3Go(k, a, bs[0], bs[1], bs[2], ldb, twin, ldc, beta)
				name := fmt.Sprintf("k=%d ldb=%d beta=%v", k, ldb, beta)
				for r := range 8 {
					for j := range 48 {
						want := float64(beta) * float64(old[r*ldc+j])
						for p := range k {
							want += float64(a[p*8+r]) * float64(bs[j/16][p*ldb+j%16])
						}
						tol := 1e-5 * float64(k+1)
						if got := float64(c[r*ldc+j]); math.Abs(got-want) > tol {
							t.Fatalf("%s: c[%d][%d] = %v, want %v", name, r, j, got, want)
						}
						if got := float64(twin[r*ldc+j]); math.Abs(got-want) > tol {
							t.Fatalf("%s: Go twin c[%d][%d] = %v, want %v", name, r, j, got, want)
						}
					}
				}
				for i := range c {
					if i%ldc >= 48 && c[i] != old[i] {
						t.Fatalf("%s: c[%d] between rows written", name, i)
					}
				}
				check(t, name)
			}
		}
	}
}
