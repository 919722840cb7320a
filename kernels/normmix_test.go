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
