package kernels

import (
	"fmt"
	"math"
	"testing"
)

// TestGroupNormLeakyReluMix checks, on every tier, GroupNormLeakyReluMix
// against GroupNormLeakyReluForward and a 1×1 convolution computed in
// float64 (within 1e-5 of the sum of the terms' magnitudes), and that its
// statistics are the forward's bit for bit; with and without the affine
// parameters and the bias, for one and several output channels.
func TestGroupNormLeakyReluMix(t *testing.T) {
	forEachTier(t, func(t *testing.T, _ tier) {
		rng := newRNG(12)
		for _, sh := range []struct{ n, c, s, groups, cout int }{
			{2, 8, 4096, 8, 1}, {1, 6, 37, 3, 2}, {3, 4, 1000, 2, 3}, {2, 16, 5000, 16, 1}, {1, 1, 17, 1, 1},
		} {
			for _, affine := range []bool{false, true} {
				name := fmt.Sprintf("%+v affine %v", sh, affine)
				x := to32(normals(rng, sh.n*sh.c*sh.s))
				var gamma, beta, bias []float32
				if affine {
					gamma, beta, bias = to32(normals(rng, sh.c)), to32(normals(rng, sh.c)), to32(normals(rng, sh.cout))
				}
				w := to32(normals(rng, sh.cout*sh.c))
				out := make([]float32, sh.n*sh.cout*sh.s)
				m, is := make([]float32, sh.n*sh.groups), make([]float32, sh.n*sh.groups)
				GroupNormLeakyReluMix(sh.n, sh.c, sh.s, sh.groups, x, gamma, beta, 1e-5, 0.01, sh.cout, w, bias, out, m, is)

				y := make([]float32, len(x))
				wm, wis := make([]float32, len(m)), make([]float32, len(is))
				GroupNormLeakyReluForward(sh.n, sh.c, sh.s, sh.groups, x, gamma, beta, 1e-5, 0.01, y, wm, wis)
				mustSameBits(t, name+" mean", m, wm)
				mustSameBits(t, name+" invstd", is, wis)
				// The 1×1 convolution of y in float64, and of |y| with |w|.
				want, bound := make([]float64, len(out)), make([]float64, len(out))
				for b := range sh.n {
					for k := range sh.cout {
						for p := range sh.s {
							i := (b*sh.cout+k)*sh.s + p
							if bias != nil {
								want[i], bound[i] = float64(bias[k]), math.Abs(float64(bias[k]))
							}
							for ch := range sh.c {
								v := float64(w[k*sh.c+ch]) * float64(y[(b*sh.c+ch)*sh.s+p])
								want[i] += v
								bound[i] += math.Abs(v)
							}
						}
					}
				}
				mustCloseTo(t, name+" output", out, want, bound)
			}
		}
	})
	defer func() {
		if recover() == nil {
			t.Error("slope 0: no panic")
		}
	}()
	GroupNormLeakyReluMix(1, 1, 4, 1, make([]float32, 4), nil, nil, 1e-5, 0, 1, make([]float32, 1), nil, make([]float32, 4), make([]float32, 1), make([]float32, 1))
}

// TestGroupNormLeakyReluMixBackward checks, on every tier, every gradient
// of GroupNormLeakyReluMixBackward against the chain rule through
// GroupNormLeakyReluMix in float64, each within 1e-5 of the sum of its
// terms' magnitudes; with and without the affine parameters, for one and
// several output channels and groups of one and several channels.
func TestGroupNormLeakyReluMixBackward(t *testing.T) {
	forEachTier(t, func(t *testing.T, _ tier) {
		rng := newRNG(13)
		for _, sh := range []struct{ n, c, s, groups, cout int }{
			{2, 8, 4096, 8, 1}, {1, 6, 37, 3, 2}, {3, 4, 1000, 2, 3}, {2, 16, 5000, 16, 1}, {1, 1, 17, 1, 1}, {2, 3, 2500, 3, 1},
		} {
			for _, affine := range []bool{false, true} {
				name := fmt.Sprintf("%+v affine %v", sh, affine)
				n, c, s, cout := sh.n, sh.c, sh.s, sh.cout
				cg := c / sh.groups
				const slope = 0.01
				x := to32(normals(rng, n*c*s))
				var gamma, beta []float32
				if affine {
					gamma, beta = to32(normals(rng, c)), to32(normals(rng, c))
				}
				w, dout := to32(normals(rng, cout*c)), to32(normals(rng, n*cout*s))
				m, is := make([]float32, n*sh.groups), make([]float32, n*sh.groups)
				GroupNormLeakyReluMix(n, c, s, sh.groups, x, gamma, beta, 1e-5, slope, cout, w, nil, make([]float32, n*cout*s), m, is)
				dx, dw, dbias := make([]float32, n*c*s), make([]float32, cout*c), make([]float32, cout)
				var dgamma, dbeta []float32
				if affine {
					dgamma, dbeta = make([]float32, c), make([]float32, c)
				}
				GroupNormLeakyReluMixBackward(n, c, s, sh.groups, x, gamma, beta, m, is, slope, cout, w, dout, dx, dgamma, dbeta, dw, dbias)

				// The chain rule in float64, from the same statistics.
				bt := func(ch int) float64 {
					if beta == nil {
						return 0
					}
					return float64(beta[ch])
				}
				gm := func(ch int) float64 {
					if gamma == nil {
						return 1
					}
					return float64(gamma[ch])
				}
				wdx, bdx := make([]float64, n*c*s), make([]float64, n*c*s)
				wdw, bdw := make([]float64, cout*c), make([]float64, cout*c)
				wdb, bdb := make([]float64, cout), make([]float64, cout)
				wdg, bdg := make([]float64, c), make([]float64, c)
				wdbt, bdbt := make([]float64, c), make([]float64, c)
				dz, xh := make([]float64, cg*s), make([]float64, cg*s)
				for u := range n * sh.groups {
					b, g := u/sh.groups, u%sh.groups
					mu, iv := float64(m[u]), float64(is[u])
					var A, B, aA, aB float64
					for k := range cg {
						ch := g*cg + k
						for p := range s {
							xv := (float64(x[(b*c+ch)*s+p]) - mu) * iv
							tv := gm(ch)*xv + bt(ch)
							y, f := tv, 1.0
							if !(tv > 0) {
								y, f = slope*tv, slope
							}
							var dy float64
							for o := range cout {
								gd := float64(dout[(b*cout+o)*s+p])
								dy += float64(w[o*c+ch]) * gd
								wdw[o*c+ch] += y * gd
								bdw[o*c+ch] += math.Abs(y * gd)
							}
							d := dy * f
							dz[k*s+p], xh[k*s+p] = d, xv
							A += gm(ch) * d
							B += gm(ch) * d * xv
							aA += math.Abs(gm(ch) * d)
							aB += math.Abs(gm(ch) * d * xv)
							wdg[ch] += d * xv
							bdg[ch] += math.Abs(d * xv)
							wdbt[ch] += d
							bdbt[ch] += math.Abs(d)
						}
					}
					M := float64(cg * s)
					for k := range cg {
						ch := g*cg + k
						for p := range s {
							i := (b*c+ch)*s + p
							d, xv := dz[k*s+p], xh[k*s+p]
							wdx[i] = iv * (gm(ch)*d - A/M - xv*B/M)
							bdx[i] = iv * (math.Abs(gm(ch)*d) + aA/M + math.Abs(xv)*aB/M)
						}
					}
				}
				for b := range n {
					for o := range cout {
						for p := range s {
							v := float64(dout[(b*cout+o)*s+p])
							wdb[o] += v
							bdb[o] += math.Abs(v)
						}
					}
				}
				mustCloseTo(t, name+" dx", dx, wdx, bdx)
				mustCloseTo(t, name+" dw", dw, wdw, bdw)
				mustCloseTo(t, name+" dbias", dbias, wdb, bdb)
				if affine {
					mustCloseTo(t, name+" dgamma", dgamma, wdg, bdg)
					mustCloseTo(t, name+" dbeta", dbeta, wdbt, bdbt)
				}
			}
		}
	})
}
