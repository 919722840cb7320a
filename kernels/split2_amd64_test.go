//go:build !purego

package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestSplit2AVX512 checks the pair deinterleave against split2Go on the
// kernel lengths and start offsets, with guard values after both outputs.
func TestSplit2AVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512")
	}
	r := rand.New(rand.NewPCG(15, 16))
	for _, n := range append(edgeSizes, 1000) {
		for off := 0; off < 16; off++ {
			src := randF32(r, off+2*n+3)[off:][:2*n]
			a, b := make([]float32, n+8), make([]float32, n+8)
			for i := range a {
				a[i], b[i] = guard, guard
			}
			split2Checked(a[:n], b, src)
			wa, wb := make([]float32, n), make([]float32, n)
			split2Go(wa, wb, src)
			name := fmt.Sprintf("n %d, offset %d", n, off)
			for i := range a {
				ga, gb := a[i], b[i]
				if i >= n {
					if ga != guard || gb != guard {
						t.Fatalf("%s: [%d] written past the end: %v %v", name, i, ga, gb)
					}
					continue
				}
				if ga != wa[i] || gb != wb[i] {
					t.Fatalf("%s: [%d] = %v, %v, want %v, %v", name, i, ga, gb, wa[i], wb[i])
				}
			}
		}
	}
}
