//go:build !purego

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestReluNTAVX512 checks the non-temporal ReLU kernels against the
// cached ones bit for bit, on the edge lengths, every start offset of the
// output (so that the head before the first 64-byte line takes 0 to 15
// values) and of the inputs, with NaN, ±0 and ±Inf among the values and
// guard values around the output.
func TestReluNTAVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512")
	}
	r := rand.New(rand.NewPCG(19, 20))
	special := []float32{float32(math.NaN()), 0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1))}
	for _, n := range append(edgeSizes, 1000) {
		for off := 0; off < 16; off++ {
			x := randF32(r, n+off)[off:]
			y := randF32(r, n+off)[off:]
			dy := randF32(r, n+off)[off:]
			for i := range x {
				if r.IntN(8) == 0 {
					x[i] = special[r.IntN(len(special))]
					y[i] = special[r.IntN(len(special))]
				}
			}
			name := fmt.Sprintf("n %d, offset %d", n, off)
			for pass, run := range map[string]func(nt bool, out []float32){
				"relu": func(nt bool, out []float32) {
					if nt {
						reluNTAVX512(out, x)
					} else {
						reluAVX512(out, x)
					}
				},
				"reluBackward": func(nt bool, out []float32) {
					if nt {
						reluBackwardNTAVX512(out, y, dy)
					} else {
						reluBackwardAVX512(out, y, dy)
					}
				},
			} {
				buf := make([]float32, n+64)
				got, check := guardedIn(buf, 16+off, n)
				run(true, got)
				check(t, name+" "+pass)
				want := make([]float32, n)
				run(false, want)
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s %s: [%d] = %v, want %v", name, pass, i, got[i], want[i])
					}
				}
			}
		}
	}
}
