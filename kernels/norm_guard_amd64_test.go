//go:build linux && !purego

package kernels

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestNormGuardPages runs batch and group norm, forward and backward, of
// every assembly tier on buffers that end at an inaccessible page, with
// the outputs stored through the cache and non-temporally, and compares
// them with the same norms on Go slices. Planes of 16·k values (all
// non-temporal) and of ragged lengths (masked tails) are both covered.
func TestNormGuardPages(t *testing.T) {
	defer func(old int) { normNTMin = old }(normNTMin)
	g := newGuardPages(t)
	forEachAsmTier(t, func(t *testing.T, tr tier) {
		rng := rand.New(rand.NewPCG(14, uint64(tr)))
		for _, sh := range [][3]int{{2, 4, 1024}, {3, 4, 37}, {1, 6, 16}} {
			n, c, s := sh[0], sh[1], sh[2]
			x, dy := randF32(rng, n*c*s), randF32(rng, n*c*s)
			gm, bt := randF32(rng, c), randF32(rng, c)
			for _, ntMin := range []int{1 << 62, 1} {
				normNTMin = ntMin
				if y := g.get(t, n*c*s); ntMin == 1 && s%16 == 0 && !normOutFor(y, s).nt {
					t.Fatalf("%v: a guarded output of whole lines does not take the non-temporal kernels", sh)
				}
				want := normAll(n, c, s, x, dy, gm, bt, func(k int) []float32 { return make([]float32, k) })
				got := normAll(n, c, s, x, dy, gm, bt, func(k int) []float32 { return g.get(t, k) })
				for i := range want {
					if !slices.Equal(got[i], want[i]) {
						t.Errorf("%v non-temporal from %d bytes: output %d on guarded buffers differs from that on Go slices", sh, ntMin, i)
					}
				}
			}
		}
	})
}

// normAll runs batch norm and group norm (instance norm and two channels
// a group when c is even) forward and backward, and group norm's backward
// through a LeakyReLU and its mix into two channels, forward and
// backward, on copies of the operands in buffers from alloc, and returns
// their outputs.
func normAll(n, c, s int, x, dy, gm, bt []float32, alloc func(int) []float32) [][]float32 {
	cp := func(v []float32) []float32 { d := alloc(len(v)); copy(d, v); return d }
	gx, gdy, gg, gb := cp(x), cp(dy), cp(gm), cp(bt)
	y, dx := alloc(len(x)), alloc(len(x))
	mean, invstd := alloc(n*c), alloc(n*c)
	dg, db := alloc(c), alloc(c)
	var outs [][]float32
	BatchNormForward(n, c, s, gx, gg, gb, 1e-5, y, mean[:c], invstd[:c])
	BatchNormBackward(n, c, s, gx, gdy, gg, mean[:c], invstd[:c], dx, dg, db)
	outs = append(outs, slices.Clone(y), slices.Clone(dx), slices.Clone(dg), slices.Clone(db))
	for _, groups := range []int{c, c / 2} {
		GroupNormForward(n, c, s, groups, gx, gg, gb, 1e-5, y, mean[:n*groups], invstd[:n*groups])
		GroupNormBackward(n, c, s, groups, gx, gdy, gg, mean[:n*groups], invstd[:n*groups], dx, dg, db)
		outs = append(outs, slices.Clone(y), slices.Clone(dx), slices.Clone(dg), slices.Clone(db))
		GroupNormLeakyReluBackward(n, c, s, groups, gx, y, gdy, gg, mean[:n*groups], invstd[:n*groups], 0.01, dx, dg, db)
		outs = append(outs, slices.Clone(dx), slices.Clone(dg), slices.Clone(db))
		w := alloc(2 * c)
		copy(w, gm)
		copy(w[c:], bt)
		mix := alloc(n * 2 * s)
		GroupNormLeakyReluMix(n, c, s, groups, gx, gg, gb, 1e-5, 0.01, 2, w, gb[:2], mix, mean[:n*groups], invstd[:n*groups])
		outs = append(outs, slices.Clone(mix))
		dout, dw, dbias := cp(dy[:n*2*s]), alloc(2*c), alloc(2)
		GroupNormLeakyReluMixBackward(n, c, s, groups, gx, gg, gb, mean[:n*groups], invstd[:n*groups], 0.01, 2, w, dout, dx, dg, db, dw, dbias)
		outs = append(outs, slices.Clone(dx), slices.Clone(dg), slices.Clone(db), slices.Clone(dw), slices.Clone(dbias))
	}
	return outs
}
