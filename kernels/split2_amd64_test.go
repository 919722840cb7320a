//go:build !purego

package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestPairsAVX512 checks the pair deinterleave (split2) and interleave
// (merge2) against their Go twins on the kernel lengths and start
// offsets, with guard values after every output.
func TestPairsAVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512")
	}
	r := rand.New(rand.NewPCG(15, 16))
	// Each case turns one source of 2n values into two outputs of n (or
	// two sources of n into one output of 2n) with the kernel and its twin.
	type pairKernel struct {
		name       string
		asm, twin  func(o1, o2, src []float32, n int)
		out1, out2 int // output lengths per pair count n
	}
	kernels := []pairKernel{
		{"split2", func(a, b, src []float32, n int) { split2Checked(a[:n], b, src) },
			func(a, b, src []float32, n int) { split2Go(a[:n], b[:n], src) }, 1, 1},
		{"merge2", func(dst, _, src []float32, n int) { merge2Checked(dst, src[:n], src[n:]) },
			func(dst, _, src []float32, n int) { merge2Go(dst[:2*n], src[:n], src[n:]) }, 2, 0},
	}
	for _, k := range kernels {
		for _, n := range append(edgeSizes, 1000) {
			for off := 0; off < 16; off++ {
				src := randF32(r, off+2*n+3)[off:][:2*n]
				got := [2][]float32{make([]float32, k.out1*n+8), make([]float32, k.out2*n+8)}
				for _, g := range got {
					for i := range g {
						g[i] = guard
					}
				}
				k.asm(got[0], got[1], src, n)
				want := [2][]float32{make([]float32, k.out1*n), make([]float32, k.out2*n)}
				k.twin(want[0], want[1], src, n)
				for o := range got {
					for i, v := range got[o] {
						name := fmt.Sprintf("%s: n %d, offset %d: output %d [%d]", k.name, n, off, o, i)
						if i >= len(want[o]) {
							if v != guard {
								t.Fatalf("%s: written past the end: %v", name, v)
							}
						} else if v != want[o][i] {
							t.Fatalf("%s = %v, want %v", name, v, want[o][i])
						}
					}
				}
			}
		}
	}
}
