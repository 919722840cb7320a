//go:build !purego

package kernels

import (
	"math"
	"slices"
	"testing"
	"unsafe"
)

// GroupNormLeakyReluForward, on every tier and with outputs stored through
// the caches and non-temporally (on the tiers that can), must equal
// GroupNormForward followed by LeakyRelu bit for bit, with the same
// statistics; its slope must lie in (0, 1].
func TestGroupNormLeakyRelu(t *testing.T) {
	defer func(old int) { normNTMin = old }(normNTMin)
	forEachTier(t, func(t *testing.T, _ tier) {
		rng := newRNG(9)
		for _, sh := range []struct{ n, c, s, groups int }{{2, 8, 4096, 8}, {1, 6, 37, 3}, {3, 4, 1000, 2}, {2, 16, 16, 16}} {
			for _, nt := range []int{1, 1 << 62} {
				normNTMin = nt
				x := to32(normals(rng, sh.n*sh.c*sh.s))
				gamma, beta := to32(normals(rng, sh.c)), to32(normals(rng, sh.c))
				y := make([]float32, len(x))
				buf := make([]float32, len(x)+16)
				lead := (16 - int(uintptr(unsafe.Pointer(&buf[0]))%64/4)) % 16
				yf := buf[lead:][:len(x)]
				m, is := make([]float32, sh.n*sh.groups), make([]float32, sh.n*sh.groups)
				mf, isf := make([]float32, len(m)), make([]float32, len(is))
				GroupNormForward(sh.n, sh.c, sh.s, sh.groups, x, gamma, beta, 1e-5, y, m, is)
				LeakyRelu(y, y, 0.01)
				GroupNormLeakyReluForward(sh.n, sh.c, sh.s, sh.groups, x, gamma, beta, 1e-5, 0.01, yf, mf, isf)
				for i := range y {
					if math.Float32bits(y[i]) != math.Float32bits(yf[i]) {
						t.Fatalf("%+v NT from %d: fused y[%d] = %v, unfused %v", sh, nt, i, yf[i], y[i])
					}
				}
				if !slices.Equal(m, mf) || !slices.Equal(is, isf) {
					t.Fatalf("%+v: fused statistics differ", sh)
				}
			}
		}
	})
	for _, slope := range []float32{0, -0.1, 1.5, float32(math.NaN())} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("slope %v: no panic", slope)
				}
			}()
			y := make([]float32, 8)
			GroupNormLeakyReluForward(1, 2, 4, 2, y, nil, nil, 1e-5, slope, y, make([]float32, 2), make([]float32, 2))
		}()
	}
}

// GroupNormBackward may write dx over dy: the same bits as into a buffer
// of its own, on every tier and with both store kinds.
func TestGroupNormBackwardInPlace(t *testing.T) {
	defer func(old int) { normNTMin = old }(normNTMin)
	forEachTier(t, func(t *testing.T, _ tier) {
		rng := newRNG(10)
		for _, sh := range []struct{ n, c, s, groups int }{{2, 8, 4096, 8}, {1, 6, 37, 3}, {3, 4, 1000, 2}, {2, 16, 16, 16}, {1, 2, 100000, 2}} {
			for _, nt := range []int{1, 1 << 62} {
				normNTMin = nt
				x := to32(normals(rng, sh.n*sh.c*sh.s))
				gamma := to32(normals(rng, sh.c))
				y := make([]float32, len(x))
				m, is := make([]float32, sh.n*sh.groups), make([]float32, sh.n*sh.groups)
				GroupNormForward(sh.n, sh.c, sh.s, sh.groups, x, gamma, nil, 1e-5, y, m, is)
				dy := to32(normals(rng, len(x)))
				dx := make([]float32, len(x))
				dg, db := make([]float32, sh.c), make([]float32, sh.c)
				GroupNormBackward(sh.n, sh.c, sh.s, sh.groups, x, dy, gamma, m, is, dx, dg, db)
				buf := make([]float32, len(x)+16)
				lead := (16 - int(uintptr(unsafe.Pointer(&buf[0]))%64/4)) % 16
				io := buf[lead:][:len(x)]
				copy(io, dy)
				dg2, db2 := make([]float32, sh.c), make([]float32, sh.c)
				GroupNormBackward(sh.n, sh.c, sh.s, sh.groups, x, io, gamma, m, is, io, dg2, db2)
				for i := range dx {
					if math.Float32bits(dx[i]) != math.Float32bits(io[i]) {
						t.Fatalf("%+v NT from %d: in place dx[%d] = %v, apart %v", sh, nt, i, io[i], dx[i])
					}
				}
				if !slices.Equal(dg, dg2) || !slices.Equal(db, db2) {
					t.Fatalf("%+v: in place dgamma or dbeta differ", sh)
				}
			}
		}
	})
}

// GroupNormLeakyReluBackward must equal LeakyReluBackward followed by
// GroupNormBackward bit for bit, on every tier and with both store kinds,
// writing dx over dy and into a buffer of its own (dy then unchanged).
func TestGroupNormLeakyReluBackward(t *testing.T) {
	defer func(old int) { normNTMin = old }(normNTMin)
	forEachTier(t, func(t *testing.T, _ tier) {
		rng := newRNG(11)
		for _, sh := range []struct{ n, c, s, groups int }{{2, 8, 4096, 8}, {1, 6, 37, 3}, {3, 4, 1000, 2}, {2, 16, 16, 16}, {1, 2, 100000, 2}} {
			for _, nt := range []int{1, 1 << 62} {
				normNTMin = nt
				x := to32(normals(rng, sh.n*sh.c*sh.s))
				gamma, beta := to32(normals(rng, sh.c)), to32(normals(rng, sh.c))
				y := make([]float32, len(x))
				m, is := make([]float32, sh.n*sh.groups), make([]float32, sh.n*sh.groups)
				GroupNormLeakyReluForward(sh.n, sh.c, sh.s, sh.groups, x, gamma, beta, 1e-5, 0.01, y, m, is)
				dy := to32(normals(rng, len(x)))
				want := make([]float32, len(x))
				LeakyReluBackward(want, y, dy, 0.01)
				dg, db := make([]float32, sh.c), make([]float32, sh.c)
				GroupNormBackward(sh.n, sh.c, sh.s, sh.groups, x, want, gamma, m, is, want, dg, db)

				keep := slices.Clone(dy)
				dx := make([]float32, len(x))
				dg2, db2 := make([]float32, sh.c), make([]float32, sh.c)
				GroupNormLeakyReluBackward(sh.n, sh.c, sh.s, sh.groups, x, y, dy, gamma, m, is, 0.01, dx, dg2, db2)
				mustSameBits(t, "apart: dx", dx, want)
				mustSameBits(t, "apart: dy", dy, keep)
				mustSameBits(t, "apart: dgamma", dg2, dg)
				mustSameBits(t, "apart: dbeta", db2, db)

				GroupNormLeakyReluBackward(sh.n, sh.c, sh.s, sh.groups, x, y, dy, gamma, m, is, 0.01, dy, dg2, db2)
				mustSameBits(t, "in place: dx", dy, want)
				mustSameBits(t, "in place: dgamma", dg2, dg)
			}
		}
	})
}
