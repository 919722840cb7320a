//go:build !purego

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// memTiers are the leaf-kernel tables this CPU can run, by tier.
func memTiers() map[string]*memKernels {
	ts := map[string]*memKernels{}
	if hasAVX2FMA {
		ts["avx2"] = &memAVX2
	}
	if hasAVX512 {
		ts["avx512"] = &memAVX512
	}
	return ts
}

// The streaming kernels of every tier against their generic twins on the
// edge lengths and every start offset, with guards around the outputs.
func TestMemKernels(t *testing.T) {
	if len(memTiers()) == 0 {
		t.Skip("no AVX2+FMA on this CPU")
	}
	for name, k := range memTiers() {
		t.Run(name, func(t *testing.T) { testMemKernels(t, k) })
	}
}

func testMemKernels(t *testing.T, k *memKernels) {
	rng := rand.New(rand.NewPCG(10, 10))
	nan := float32(math.NaN())
	for _, n := range append(edgeSizes, 1000) {
		for off := 0; off < 16; off++ {
			what := fmt.Sprintf("n=%d off=%d", n, off)
			u, v := randF32(rng, n+16), randF32(rng, n+16)
			u, v = u[off:off+n], v[off:off+n]
			w := randF32(rng, n)
			if n > 4 {
				u[1], u[2], u[3], u[4] = nan, 0, float32(math.Copysign(0, -1)), float32(math.Inf(-1))
			}
			var ws, wsq, wsab float64
			for i := range v {
				ws += float64(v[i])
				wsq += float64(v[i]) * float64(v[i])
				wsab += float64(v[i]) * float64(u[i])
			}
			s, sq := k.sumSq(v)
			sa, sab := k.sumDot(v, u[:n:n])
			if n <= 4 || u[1] == u[1] { // sums over u with its NaN are NaN; these are over v
				for _, c := range [][2]float64{{s, ws}, {sq, wsq}, {sa, ws}} {
					if math.Abs(c[0]-c[1]) > 1e-9*(1+math.Abs(c[1])) {
						t.Fatalf("%s: sum %v, want %v", what, c[0], c[1])
					}
				}
			}
			if n > 4 && sab == sab {
				t.Fatalf("%s: Σv·u = %v with a NaN in u", what, sab)
			} else if n <= 4 && math.Abs(sab-wsab) > 1e-9*(1+math.Abs(wsab)) {
				t.Fatalf("%s: Σv·u = %v, want %v", what, sab, wsab)
			}
			// The fused kernels: the sums and outputs of the two they fuse.
			{
				y1, checkY1 := guarded(n, off)
				y2 := make([]float32, n)
				s1, q1 := k.sumSqAxpb(y1, v, 1.5, -0.25, w, 1)
				checkY1(t, what+" sumSqAxpb")
				k.axpb(y2, v, 1.5, -0.25, 1)
				s2, q2 := k.sumSq(w)
				d1, checkD1 := guarded(n, 15-off)
				d2 := make([]float32, n)
				a1, b1 := k.sumDotAxpbyc(d1, v, w, 2, -3, 0.5, w, v)
				checkD1(t, what+" sumDotAxpbyc")
				k.axpbyc(d2, v, w, 2, -3, 0.5)
				a2, b2 := k.sumDot(w, v)
				if s1 != s2 || q1 != q2 || a1 != a2 || b1 != b2 {
					t.Fatalf("%s: fused sums %v %v %v %v, unfused %v %v %v %v", what, s1, q1, a1, b1, s2, q2, a2, b2)
				}
				for i := range y2 {
					if y1[i] != y2[i] || d1[i] != d2[i] {
						t.Fatalf("%s: fused [%d] = %v, %v, unfused %v, %v", what, i, y1[i], d1[i], y2[i], d2[i])
					}
				}
			}
			// Elementwise kernels, bit for bit (NaN for NaN) against Go.
			same := func(a, b float32) bool {
				return a == b && math.Signbit(float64(a)) == math.Signbit(float64(b)) || a != a && b != b
			}
			check1 := func(kname string, run func(dst []float32), want func(i int) float32) {
				t.Helper()
				dst, check := guarded(n, (off+3)%16)
				run(dst)
				check(t, what+" "+kname)
				for i := range dst {
					if w := want(i); !same(dst[i], w) {
						t.Fatalf("%s %s: [%d] = %v, want %v (u %v v %v)", kname, what, i, dst[i], w, u[i], v[i])
					}
				}
			}
			check1("relu", func(d []float32) { k.relu(d, u) }, func(i int) float32 {
				if u[i] == 0 {
					return u[i] // VMAXPS keeps x on a tie, so −0 stays −0
				}
				return max(u[i], 0)
			})
			check1("reluBackward", func(d []float32) { k.reluBackward(d, u, v) }, func(i int) float32 {
				if u[i] > 0 {
					return v[i]
				}
				return 0
			})
			check1("add", func(d []float32) { k.add(d, u, v) }, func(i int) float32 { return u[i] + v[i] })
			check1("sub", func(d []float32) { k.sub(d, u, v) }, func(i int) float32 { return u[i] - v[i] })
			check1("mul", func(d []float32) { k.mul(d, u, v) }, func(i int) float32 { return u[i] * v[i] })
			for _, slope := range []float32{0.01, 0, -2} {
				check1("leakyRelu", func(d []float32) { k.leakyRelu(d, u, slope) }, func(i int) float32 {
					if u[i] > 0 {
						return u[i]
					}
					return slope * u[i]
				})
				check1("leakyReluBackward", func(d []float32) { k.leakyReluBackward(d, u, v, slope) }, func(i int) float32 {
					if u[i] > 0 {
						return v[i]
					}
					return slope * v[i]
				})
				addLeaky := func(i int) float32 {
					if s := u[i] + v[i]; s > 0 {
						return s
					}
					return slope * (u[i] + v[i])
				}
				check1("addLeakyRelu", func(d []float32) { k.addLeakyRelu(d, u, v, slope) }, addLeaky)
				// Over a, as the residual blocks run it.
				check1("addLeakyRelu in place", func(d []float32) {
					copy(d, u)
					k.addLeakyRelu(d, d, v, slope)
				}, addLeaky)
			}
			// FMA kernels: within float32 rounding of the float64 value.
			near := func(kname string, run func(dst []float32), want func(i int) (w, scale float64)) {
				t.Helper()
				dst, check := guarded(n, (off+9)%16)
				run(dst)
				check(t, what+" "+kname)
				for i := range dst {
					if w, sc := want(i); math.Abs(float64(dst[i])-w) > 2.5e-7*sc {
						t.Fatalf("%s %s: [%d] = %v, want %v", kname, what, i, dst[i], w)
					}
				}
			}
			near("axpb", func(d []float32) { k.axpb(d, v, 1.5, -0.25, 1) }, func(i int) (float64, float64) {
				return float64(v[i])*1.5 - 0.25, math.Abs(float64(v[i])*1.5) + 0.25
			})
			// A LeakyReLU fused in: max(t, 0.01·t).
			leaky := func(i int) (float64, float64) {
				t := float64(v[i])*1.5 - 0.25
				return max(t, 0.01*t), math.Abs(float64(v[i])*1.5) + 0.25
			}
			near("axpb leaky", func(d []float32) { k.axpb(d, v, 1.5, -0.25, 0.01) }, leaky)
			near("sumSqAxpb leaky", func(d []float32) { k.sumSqAxpb(d, v, 1.5, -0.25, w, 0.01) }, leaky)
			near("axpbyc", func(d []float32) { k.axpbyc(d, v, w, 2, -3, 0.5) }, func(i int) (float64, float64) {
				return 2*float64(v[i]) - 3*float64(w[i]) + 0.5, 2*math.Abs(float64(v[i])) + 3*math.Abs(float64(w[i])) + 0.5
			})
		}
	}
}

// The pooling row kernels of every tier, through the wrappers that do
// the tails in Go, against plain loops on the edge lengths and offsets.
func TestPairRowKernels(t *testing.T) {
	for name, k := range memTiers() {
		t.Run(name, func(t *testing.T) {
			defer func(old *memKernels) { mk = old }(mk)
			mk = k
			rng := rand.New(rand.NewPCG(15, 15))
			for _, n := range append(edgeSizes, 1000) {
				for off := 0; off < 16; off++ {
					for _, nr := range []int{1, 2, 4} {
						what := fmt.Sprintf("n=%d off=%d rows=%d", n, off, nr)
						stride := 2*n + off%3
						offs := make([]int64, nr)
						for r := range offs {
							offs[r] = int64(off + r*stride)
						}
						x := randF32(rng, off+nr*stride)
						y, check := guarded(n, off)
						pairSumRows(y, x, offs, 0.125)
						check(t, what+" pairSumRows")
						for o := range y {
							var s float32
							for r, b := range offs {
								p := x[int(b)+2*o] + x[int(b)+2*o+1]
								if r == 0 {
									s = p
								} else {
									s += p
								}
							}
							if y[o] != s*0.125 {
								t.Fatalf("%s: pairSumRows[%d] = %v, want %v", what, o, y[o], s*0.125)
							}
						}
						u := randF32(rng, n)
						z, checkZ := guarded(off+nr*stride, 15-off)
						dupRows(z, offs, u, 0.25)
						checkZ(t, what+" dupRows")
						for r, b := range offs {
							for o, v := range u {
								i := int(b) + 2*o
								if z[i] != v*0.25 || z[i+1] != v*0.25 {
									t.Fatalf("%s: dupRows row %d [%d] = %v, %v, want %v", what, r, o, z[i], z[i+1], v*0.25)
								}
							}
						}
					}
				}
			}
		})
	}
}

// The max-pooling row kernels of every tier against the scan in
// PyTorch's order, with ties and NaNs, on the edge lengths and offsets.
func TestMaxPool2RowKernels(t *testing.T) {
	for name, k := range memTiers() {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(19, 19))
			for _, n := range append(edgeSizes, 1000) {
				for off := 0; off < 16; off++ {
					for _, nr := range []int{2, 4} {
						what := fmt.Sprintf("n=%d off=%d rows=%d", n, off, nr)
						stride := 2*n + off%3
						offs := make([]int64, nr)
						for r := range offs {
							offs[r] = int64(off + r*stride)
						}
						x := randF32(rng, off+nr*stride)
						for i := range x {
							switch rng.IntN(8) {
							case 0:
								x[i] = 1
							case 1:
								x[i] = float32(math.NaN())
							}
						}
						y, check := guarded(n, off)
						idx := make([]int32, n+8)
						for i := range idx {
							idx[i] = -5
						}
						k.maxPool2Rows(y, idx[:n], x, offs, n)
						check(t, what+" maxPool2Rows")
						for _, i := range idx[n:] {
							if i != -5 {
								t.Fatalf("%s: stray index write", what)
							}
						}
						for o := range y {
							bi := int(offs[0]) + 2*o
							bv := x[bi]
							for r, b := range offs {
								for p := 0; p < 2; p++ {
									i := int(b) + 2*o + p
									if v := x[i]; (r > 0 || p > 0) && (v > bv || v != v) {
										bv, bi = v, i
									}
								}
							}
							if int(idx[o]) != bi || !(y[o] == bv || y[o] != y[o] && bv != bv) {
								t.Fatalf("%s: [%d] = %v at %d, want %v at %d", what, o, y[o], idx[o], bv, bi)
							}
						}
					}
				}
			}
		})
	}
}

// The Adam kernels against adamRange, which does the same float32
// operations in the same order.
func TestAdamKernels(t *testing.T) {
	for name, k := range memTiers() {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(14, 14))
			for _, p := range []AdamParams{
				{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 1},
				{LR: 1e-2, Beta1: 0.8, Beta2: 0.99, Eps: 1e-6, WeightDecay: 0.1, Step: 7},
				{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.05, Step: 3, Decoupled: true},
			} {
				c := newAdamCoefs[float32](p)
				for _, n := range append(edgeSizes, 1000) {
					for off := 0; off < 16; off++ {
						what := fmt.Sprintf("%+v n=%d off=%d", p, n, off)
						w, g := randF32(rng, n), randF32(rng, n)
						m0, v0 := randF32(rng, n), randF32(rng, n)
						for i := range v0 {
							v0[i] *= v0[i]
						}
						param, checkP := guarded(n, off)
						m, checkM := guarded(n, 15-off)
						v, checkV := guarded(n, (off+5)%16)
						copy(param, w)
						copy(m, m0)
						copy(v, v0)
						k.adam(&c, param, g, m, v)
						checkP(t, what+" param")
						checkM(t, what+" m")
						checkV(t, what+" v")
						wp, wm, wv := append([]float32(nil), w...), append([]float32(nil), m0...), append([]float32(nil), v0...)
						adamRange(&c, wp, g, wm, wv)
						for i := range wp {
							// Within float32 rounding of the terms (m and v cancel;
							// a GOAMD64=v3 build contracts adamRange into FMAs).
							sc := math.Abs(float64(w[i])) + math.Abs(float64(g[i])) + math.Abs(float64(m0[i])) + math.Abs(float64(v0[i]))
							for _, c := range [][2]float32{{param[i], wp[i]}, {m[i], wm[i]}, {v[i], wv[i]}} {
								if d := math.Abs(float64(c[0] - c[1])); d > 2e-7*(math.Abs(float64(c[1]))+sc) {
									t.Fatalf("%s: [%d] = %v, want %v", what, i, c[0], c[1])
								}
							}
						}
					}
				}
			}
		})
	}
}

// The row and column gathers that pack implicit im2col panels.
func TestGatherKernelsAVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(11, 11))
	src := randF32(rng, 5000)
	for _, k := range []int{0, 1, 7, 16, 17, 65} {
		off := make([]int32, k)
		for i := range off {
			off[i] = int32(rng.IntN(5000 - 32))
		}
		dst, check := guarded(k*32, k%16)
		gatherRows32AVX512(dst, src, off, k)
		check(t, fmt.Sprintf("gatherRows k=%d", k))
		for p := 0; p < k; p++ {
			for j := 0; j < 32; j++ {
				if dst[p*32+j] != src[int(off[p])+j] {
					t.Fatalf("gatherRows k=%d: dst[%d][%d] wrong", k, p, j)
				}
			}
		}
		for _, lanes := range []int{1, 5, 12, 16} {
			var idx [16]int32
			for j := 0; j < lanes; j++ {
				idx[j] = int32(rng.IntN(5000 - k))
			}
			out, checkOut := guarded(max(k*20, 1), lanes)
			gatherCols16AVX512(out, src, &idx, lanes, k, 20)
			for q := 0; q < k; q++ {
				for j := 0; j < 20; j++ {
					want := guard
					if j < lanes {
						want = src[int(idx[j])+q]
					}
					if out[q*20+j] != want {
						t.Fatalf("gatherCols k=%d lanes=%d: out[%d][%d] = %v, want %v", k, lanes, q, j, out[q*20+j], want)
					}
				}
			}
			checkOut(t, "gatherCols")
		}
	}
}

// The 12-row A packing gather against the Go packA.
func TestPackA12AVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(12, 12))
	for _, kc := range []int{1, 7, 16, 33, 200} {
		for _, h := range []int{1, 5, 11, 12} {
			lda := kc + 3
			a := randF32(rng, (h-1)*lda+kc)
			got, check := guarded(12*kc, kc%16)
			for i := range got {
				got[i] = float32(math.NaN()) // must be overwritten, padding included
			}
			want := make([]float32, 12*kc)
			packA12AVX512(got, a, lda, kc, h, -0.5)
			check(t, fmt.Sprintf("packA12 kc=%d h=%d", kc, h))
			packA(want, 12, a, lda, false, -0.5, 0, h, 0, kc)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("packA12 kc=%d h=%d: [%d] = %v, want %v", kc, h, i, got[i], want[i])
				}
			}
		}
	}
}

// The one-channel convolution row against a plain loop.
func TestConvRowAVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(13, 13))
	b := randF32(rng, 3000)
	for _, n := range append(edgeSizes, 127, 128, 129, 300, 1000) {
		for _, k := range []int{0, 1, 9} {
			a := randF32(rng, k)
			off := make([]int32, k)
			for i := range off {
				off[i] = int32(rng.IntN(3000 - n))
			}
			c, check := guarded(n, (n+k)%16)
			convRowAVX512(k, a, b, off, c)
			check(t, fmt.Sprintf("convRow n=%d k=%d", n, k))
			for j := 0; j < n; j++ {
				var want float64
				for p := 0; p < k; p++ {
					want += float64(a[p]) * float64(b[int(off[p])+j])
				}
				if math.Abs(float64(c[j])-want) > 1e-5*(1+math.Abs(want)) {
					t.Fatalf("convRow n=%d k=%d: c[%d] = %v, want %v", n, k, j, c[j], want)
				}
			}
		}
	}
}
