//go:build !purego

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestWinoOutSegsAVX512 checks the output transform of 16 or 11 tiles in runs of
// tile rows against its Go twin, for planes of 1 to 20 tiles a row and
// every start within the first rows, with guard values around the plane:
// nothing outside the runs' blocks may be written.
func TestWinoOutSegsAVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512")
	}
	r := rand.New(rand.NewPCG(9, 10))
	ms := 16 + 5
	m := randF32(r, 36*ms)
	var tmp winoTmp
	taken := 0
	for tx := 1; tx <= 20; tx++ {
		w := 4*tx + tx%3 // a row longer than its blocks, at times
		ty := 16/tx + 3
		for k := 0; k < 4*tx; k++ {
			t0, n := k/2, 16-k%2*5 // 16 tiles, or 11
			if t0+n > ty*tx {
				break
			}
			off := make([]int32, n)
			for i := range off {
				tl := t0 + i
				off[i] = int32(tl/tx*4*w + tl%tx*4)
			}
			var s winoSegs
			if !s.set(off, t0, n, tx) {
				if tx >= 3 || tx == 2 && t0%2 == 0 {
					t.Fatalf("tx %d, t0 %d: %d tiles in more than eight runs", tx, t0, n)
				}
				continue
			}
			taken++
			name := fmt.Sprintf("tx %d, t0 %d, %d tiles in %d runs", tx, t0, n, s.n)
			plane := 4 * ty * w
			buf := make([]float32, plane+64)
			y, check := guardedIn(buf, 32, plane)
			winoOutputSegsAVX512(m, ms, w, 0.25, y, s, &tmp)
			check(t, name)
			want := make([]float32, plane)
			winoOutSegsGo(m, ms, w, 0.25, want, s, &tmp)
			for i := range want {
				inBlock := false
				for _, o := range off {
					d := i - int(o)
					if d >= 0 && d/w < 4 && d%w < 4 {
						inBlock = true
					}
				}
				if !inBlock {
					if y[i] != guard {
						t.Fatalf("%s: [%d] written outside the blocks: %v", name, i, y[i])
					}
					continue
				}
				if d := math.Abs(float64(y[i] - want[i])); d > 1e-5*(1+math.Abs(float64(want[i]))) {
					t.Fatalf("%s: [%d] = %v, want %v", name, i, y[i], want[i])
				}
			}
		}
	}
	if taken < 100 {
		t.Fatalf("only %d layouts took the kernel", taken)
	}
}
