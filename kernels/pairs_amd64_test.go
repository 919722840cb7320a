//go:build !purego

package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestPairsAVX512 checks the pair deinterleave (split2RowsAVX512) and
// interleave (merge2RowsAVX512) against their Go twins on the kernel
// lengths, start offsets, one row and several rows apart, with guard
// values around every row and after every output.
func TestPairsAVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512")
	}
	r := rand.New(rand.NewPCG(15, 16))
	for _, n := range append(edgeSizes, 1000) {
		for _, rs := range [][3]int{{1, 0, 0}, {3, n + 5, 2*n + 3}, {4, n + 1, 2 * n}} {
			rows, hs, ps := rs[0], rs[1], rs[2] // halves' and pairs' row strides
			for off := 0; off < 16; off++ {
				name := fmt.Sprintf("n %d, %d rows (%d, %d apart), offset %d", n, rows, hs, ps, off)
				halves := (rows-1)*hs + n + 8
				pairs := (rows-1)*ps + 2*n + 8
				src := randF32(r, off+pairs)[off:]
				a, b := randF32(r, off+halves)[off:], randF32(r, halves)

				// split2: src's rows into a's and b's, where the Go twin
				// puts them into copies (the gaps keep their values).
				ga, gb := append([]float32(nil), a...), append([]float32(nil), b...)
				wa, wb := append([]float32(nil), a...), append([]float32(nil), b...)
				split2RowsChecked(ga, gb, src, n, rows, hs, ps)
				split2RowsGo(wa, wb, src, n, rows, hs, ps)
				mustSameBits(t, "split2 "+name+": a", ga, wa)
				mustSameBits(t, "split2 "+name+": b", gb, wb)

				// merge2: a's and b's rows into src's.
				gd, wd := append([]float32(nil), src...), append([]float32(nil), src...)
				merge2RowsChecked(gd, a, b, n, rows, ps, hs)
				merge2RowsGo(wd, a, b, n, rows, ps, hs)
				mustSameBits(t, "merge2 "+name, gd, wd)
			}
		}
	}
	for _, c := range []struct{ n, rows, la, lp int }{{16, 2, 20, 64}, {16, 2, 40, 60}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%+v: rows past the slices: no panic", c)
				}
			}()
			merge2RowsChecked(make([]float32, c.lp), make([]float32, c.la), make([]float32, c.la), c.n, c.rows, 32, 20)
		}()
	}
}
