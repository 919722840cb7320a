package kernels

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// naiveGroupNorm normalises x [n, c, s] over groups of c/groups channels
// per sample, in float64; batch norm is the same over [1, c, n·s] after
// moving the batch axis inside, which naiveBatchNorm does by indexing.
func naiveGroupNorm(n, c, s, groups int, x, gamma, beta []float64, eps float64) (y, mean, invstd []float64) {
	cg := c / groups
	y = make([]float64, len(x))
	for b := 0; b < n; b++ {
		for g := 0; g < groups; g++ {
			var sum, sq float64
			for ch := g * cg; ch < (g+1)*cg; ch++ {
				for i := 0; i < s; i++ {
					sum += x[(b*c+ch)*s+i]
				}
			}
			m := sum / float64(cg*s)
			for ch := g * cg; ch < (g+1)*cg; ch++ {
				for i := 0; i < s; i++ {
					d := x[(b*c+ch)*s+i] - m
					sq += d * d
				}
			}
			is := 1 / math.Sqrt(sq/float64(cg*s)+eps)
			mean, invstd = append(mean, m), append(invstd, is)
			for ch := g * cg; ch < (g+1)*cg; ch++ {
				for i := 0; i < s; i++ {
					j := (b*c+ch)*s + i
					y[j] = (x[j] - m) * is
					if gamma != nil {
						y[j] *= gamma[ch]
					}
					if beta != nil {
						y[j] += beta[ch]
					}
				}
			}
		}
	}
	return
}

func naiveBatchNorm(n, c, s int, x, gamma, beta []float64, eps float64) (y, mean, invstd []float64) {
	y = make([]float64, len(x))
	for ch := 0; ch < c; ch++ {
		var vals []float64
		for b := 0; b < n; b++ {
			vals = append(vals, x[(b*c+ch)*s:(b*c+ch+1)*s]...)
		}
		g, bt := []float64(nil), []float64(nil)
		if gamma != nil {
			g = gamma[ch : ch+1]
		}
		if beta != nil {
			bt = beta[ch : ch+1]
		}
		yy, m, is := naiveGroupNorm(1, 1, len(vals), 1, vals, g, bt, eps)
		mean, invstd = append(mean, m[0]), append(invstd, is[0])
		for b := 0; b < n; b++ {
			copy(y[(b*c+ch)*s:(b*c+ch+1)*s], yy[b*s:(b+1)*s])
		}
	}
	return
}

type normCase struct{ n, c, s, groups int }

var normCases = []normCase{
	{2, 3, 5, 1}, {1, 4, 7, 2}, {3, 6, 4, 3}, {2, 4, 9, 4} /* instance norm */, {1, 1, 1, 1}, {4, 2, 1, 2}, {1, 5, 2, 5}, {2, 8, 27, 4},
}

func TestNormForwardAgainstNaive(t *testing.T) {
	withWorkers(t, func(t *testing.T) {
		rng := newRNG(40)
		for i, tc := range normCases {
			for _, affine := range []bool{false, true} {
				n, c, s := tc.n, tc.c, tc.s
				x := normals(rng, n*c*s)
				for j := range x {
					x[j] = 3*x[j] + 10 // a mean far from zero
				}
				var gamma, beta []float64
				if affine {
					gamma, beta = normals(rng, c), normals(rng, c)
				}
				name := fmt.Sprintf("case %d %+v affine=%v", i, tc, affine)
				y, mean, invstd := make([]float64, len(x)), make([]float64, c), make([]float64, c)
				BatchNormForward(n, c, s, x, gamma, beta, 1e-5, y, mean, invstd)
				wy, wm, wi := naiveBatchNorm(n, c, s, x, gamma, beta, 1e-5)
				assertClose(t, "batch y "+name, y, wy, 1e-12)
				assertClose(t, "batch mean "+name, mean, wm, 1e-12)
				assertClose(t, "batch invstd "+name, invstd, wi, 1e-12)

				y32, m32, i32 := make([]float32, len(x)), make([]float32, c), make([]float32, c)
				BatchNormForward(n, c, s, to32(x), to32OrNil(gamma), to32OrNil(beta), 1e-5, y32, m32, i32)
				assertClose(t, "float32 batch y "+name, to64(y32), wy, 1e-4)

				gm, gi := make([]float64, n*tc.groups), make([]float64, n*tc.groups)
				GroupNormForward(n, c, s, tc.groups, x, gamma, beta, 1e-5, y, gm, gi)
				wy, wm, wi = naiveGroupNorm(n, c, s, tc.groups, x, gamma, beta, 1e-5)
				assertClose(t, "group y "+name, y, wy, 1e-12)
				assertClose(t, "group mean "+name, gm, wm, 1e-12)
				assertClose(t, "group invstd "+name, gi, wi, 1e-12)

				runMean, runVar := normals(rng, c), normals(rng, c)
				for j := range runVar {
					runVar[j] = math.Abs(runVar[j]) + 0.1
				}
				BatchNormInference(n, c, s, x, gamma, beta, runMean, runVar, 1e-5, y)
				for j := range y {
					ch := j / s % c
					want := (x[j] - runMean[ch]) / math.Sqrt(runVar[ch]+1e-5)
					if affine {
						want = want*gamma[ch] + beta[ch]
					}
					if math.Abs(y[j]-want) > 1e-12*(1+math.Abs(want)) {
						t.Fatalf("inference %s: y[%d] = %v, want %v", name, j, y[j], want)
					}
				}
			}
		}
	})
}

func TestNormBackwardFiniteDifference(t *testing.T) {
	withWorkers(t, func(t *testing.T) {
		rng := newRNG(41)
		for i, tc := range normCases {
			for _, affine := range []bool{false, true} {
				n, c, s, G := tc.n, tc.c, tc.s, tc.groups
				x := normals(rng, n*c*s)
				gamma, beta := normals(rng, c), normals(rng, c)
				if !affine {
					gamma, beta = nil, nil
				}
				r := normals(rng, len(x))
				y := make([]float64, len(x))
				name := fmt.Sprintf("case %d %+v affine=%v", i, tc, affine)

				bm, bi := make([]float64, c), make([]float64, c)
				bnLoss := func() float64 { BatchNormForward(n, c, s, x, gamma, beta, 1e-3, y, bm, bi); return inner(y, r) }
				gm, gi := make([]float64, n*G), make([]float64, n*G)
				gnLoss := func() float64 { GroupNormForward(n, c, s, G, x, gamma, beta, 1e-3, y, gm, gi); return inner(y, r) }

				x32, r32, g32, b32 := to32(x), to32(r), to32OrNil(gamma), to32OrNil(beta)
				y32 := make([]float32, len(x))
				for _, k := range []struct {
					kind   string
					loss   func() float64
					back   func(dx, dg, db []float64)
					back32 func(dx, dg, db []float32) // forward and backward in float32
				}{
					{"batch", bnLoss, func(dx, dg, db []float64) { BatchNormBackward(n, c, s, x, r, gamma, bm, bi, dx, dg, db) },
						func(dx, dg, db []float32) {
							m, is := make([]float32, c), make([]float32, c)
							BatchNormForward(n, c, s, x32, g32, b32, 1e-3, y32, m, is)
							BatchNormBackward(n, c, s, x32, r32, g32, m, is, dx, dg, db)
						}},
					{"group", gnLoss, func(dx, dg, db []float64) { GroupNormBackward(n, c, s, G, x, r, gamma, gm, gi, dx, dg, db) },
						func(dx, dg, db []float32) {
							m, is := make([]float32, n*G), make([]float32, n*G)
							GroupNormForward(n, c, s, G, x32, g32, b32, 1e-3, y32, m, is)
							GroupNormBackward(n, c, s, G, x32, r32, g32, m, is, dx, dg, db)
						}},
				} {
					k.loss()
					dx, dg, db := make([]float64, len(x)), make([]float64, c), make([]float64, c)
					k.back(dx, dg, db)
					assertClose(t, k.kind+" dx "+name, dx, numGrad(k.loss, x, 1e-5), 1e-6)
					if affine {
						assertClose(t, k.kind+" dgamma "+name, dg, numGrad(k.loss, gamma, 1e-5), 1e-6)
						assertClose(t, k.kind+" dbeta "+name, db, numGrad(k.loss, beta, 1e-5), 1e-6)
					}
					k.loss()
					dx2 := make([]float64, len(x))
					k.back(dx2, nil, nil)
					assertClose(t, k.kind+" dx without dgamma "+name, dx2, dx, 0)

					dx32, dg32, db32 := make([]float32, len(x)), make([]float32, c), make([]float32, c)
					k.back32(dx32, dg32, db32)
					assertClose(t, k.kind+" float32 dx "+name, to64(dx32), dx, 1e-4)
					if affine {
						assertClose(t, k.kind+" float32 dgamma "+name, to64(dg32), dg, 1e-4)
						assertClose(t, k.kind+" float32 dbeta "+name, to64(db32), db, 1e-4)
					}
				}
			}
		}
	})
}

func TestNormPanics(t *testing.T) {
	tests := []struct {
		name string
		fn   func()
	}{
		{"groups do not divide channels", func() {
			GroupNormForward(1, 4, 2, 3, make([]float32, 8), nil, nil, 1e-5, make([]float32, 8), make([]float32, 3), make([]float32, 3))
		}},
		{"short gamma", func() {
			BatchNormForward(1, 4, 2, make([]float32, 8), make([]float32, 3), nil, 1e-5, make([]float32, 8), make([]float32, 4), make([]float32, 4))
		}},
		{"short mean", func() {
			BatchNormBackward(1, 4, 2, make([]float32, 8), make([]float32, 8), nil, make([]float32, 3), make([]float32, 4), make([]float32, 8), nil, nil)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if msg, ok := r.(string); !ok || !strings.HasPrefix(msg, "kernels: ") {
					t.Fatalf("panic value %v, want a message starting with \"kernels: \"", r)
				}
			}()
			tt.fn()
		})
	}
}
