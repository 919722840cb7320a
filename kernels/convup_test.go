package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// upRef returns, in float64, the convolution of x upsampled by 2
// (ConvForward of InterpForward) and its gradients (InterpBackward of
// ConvBackwardData; ConvBackwardWeight of the upsampled map), the
// definitions ConvForwardUpsampled and ConvBackwardUpsampled must agree
// with.
func upRef(p ConvParams, x, w, bias, dy []float64) (y, dx, dw, db []float64) {
	g := p.geom("test")
	nd := len(p.In)
	ip := InterpParams{N: p.N, C: p.Cin, In: make([]int, nd), Out: p.In, Mode: Nearest}
	for i := range ip.In {
		ip.In[i] = p.In[i] / 2
	}
	u := make([]float64, g.n*g.cin*g.inVol())
	InterpForward(ip, x, u)
	y = make([]float64, g.n*g.cout*g.outVol())
	ConvForward(p, u, w, bias, y)
	du := make([]float64, len(u))
	ConvBackwardData(p, dy, w, du)
	dx = make([]float64, len(x))
	InterpBackward(ip, du, dx)
	dw, db = make([]float64, len(w)), make([]float64, p.Cout)
	ConvBackwardWeight(p, u, dy, dw, db)
	return y, dx, dw, db
}

func abs64(s []float64) []float64 {
	a := make([]float64, len(s))
	for i, v := range s {
		a[i] = math.Abs(v)
	}
	return a
}

// mustCloseTo fails unless got[i] is within 1e-5 of the sum of the
// magnitudes of its terms (bound[i]) from want[i]: far above float32's
// rounding of such a sum, far below any wrong tap or phase.
func mustCloseTo(t *testing.T, what string, got []float32, want, bound []float64) {
	t.Helper()
	for i, v := range got {
		if d := math.Abs(float64(v) - want[i]); !(d <= 1e-5*(bound[i]+1e-3)) {
			t.Fatalf("%s: [%d] = %g, want %g (|diff| %.3g, terms' magnitude %.3g)", what, i, v, want[i], d, bound[i])
		}
	}
}

// TestConvUpsampled checks ConvForwardUpsampled and ConvBackwardUpsampled,
// in every tier, against the convolution of the upsampled map computed in
// float64, both on the phases and through the upsampled map (upPhasedMin
// decides, and is forced both ways), in 1, 2 and 3 dimensions, odd sizes,
// with and without bias, and that nothing is written past the outputs.
func TestConvUpsampled(t *testing.T) {
	cases := []struct {
		p      ConvParams
		phased bool // under the default upPhasedMin
	}{
		{ConvParams{N: 2, Cin: 3, Cout: 5, In: []int{8, 10, 12}}, false},
		{ConvParams{N: 1, Cin: 16, Cout: 16, In: []int{12, 12, 12}}, false},
		{ConvParams{N: 1, Cin: 8, Cout: 4, In: []int{24, 24, 26}}, true},
		{ConvParams{N: 2, Cin: 4, Cout: 3, In: []int{14, 18}}, false},
		{ConvParams{N: 3, Cin: 2, Cout: 2, In: []int{22}}, false},
	}
	for i := range cases {
		p := &cases[i].p
		nd := len(p.In)
		p.Kernel, p.Pad = make([]int, nd), make([]int, nd)
		for a := range nd {
			p.Kernel[a], p.Pad[a] = 3, 1
		}
		if g := newUpGeom(*p, "test"); g.phased() != cases[i].phased {
			t.Fatalf("%+v: phased %v, want %v", *p, g.phased(), cases[i].phased)
		}
	}
	forEachTier(t, func(t *testing.T, tr tier) {
		r := rand.New(rand.NewPCG(61, 62))
		for _, c := range cases {
			for _, min := range []int{upPhasedMin, 1, 1 << 30} {
				p := c.p
				g := newUpGeom(p, "test")
				x := randF32(r, g.n*g.cin*g.inVol())
				w := randF32(r, g.cout*g.cin*g.taps)
				bias := randF32(r, g.cout)
				dy := randF32(r, g.n*g.cout*g.outVol())
				ry, rdx, rdw, rdb := upRef(p, to64(x), to64(w), to64(bias), to64(dy))
				by, bdx, bdw, bdb := upRef(p, abs64(to64(x)), abs64(to64(w)), abs64(to64(bias)), abs64(to64(dy)))
				func() {
					defer func(old int) { upPhasedMin = old }(upPhasedMin)
					upPhasedMin = min
					for _, withBias := range []bool{false, true} {
						name := fmt.Sprintf("%+v phased %v bias %v", p, g.phased(), withBias)
						b := bias
						wantY := make([]float64, len(ry))
						copy(wantY, ry)
						if !withBias {
							b = nil
							for i := range wantY {
								wantY[i] -= float64(bias[i/(g.outVol())%g.cout])
							}
						}
						y, check := guarded(len(ry), 3)
						ConvForwardUpsampled(p, x, w, b, y)
						check(t, name+" forward")
						mustCloseTo(t, name+" forward", y, wantY, by)

						dx, checkDx := guarded(len(x), 5)
						dw, checkDw := guarded(len(w), 7)
						var db []float32
						if withBias {
							db = make([]float32, g.cout)
						}
						ConvBackwardUpsampled(p, x, dy, w, dx, dw, db)
						checkDx(t, name+" input gradient")
						checkDw(t, name+" weight gradient")
						mustCloseTo(t, name+" input gradient", dx, rdx, bdx)
						mustCloseTo(t, name+" weight gradient", dw, rdw, bdw)
						if withBias {
							mustCloseTo(t, name+" bias gradient", db, rdb, bdb)
						}
						// Either gradient alone.
						dx2 := make([]float32, len(x))
						ConvBackwardUpsampled(p, nil, dy, w, dx2, nil, nil)
						mustSameBits(t, name+" input gradient alone", dx2, dx)
						dw2 := make([]float32, len(w))
						ConvBackwardUpsampled(p, x, dy, w, nil, dw2, nil)
						mustSameBits(t, name+" weight gradient alone", dw2, dw)
					}
				}()
			}
		}
	})
}

// TestConvUpsampledMisuse checks that a convolution the phases do not
// describe panics and names what it needs.
func TestConvUpsampledMisuse(t *testing.T) {
	for _, p := range []ConvParams{
		{N: 1, Cin: 2, Cout: 2, In: []int{8, 8}, Kernel: []int{3, 3}, Pad: []int{0, 0}},
		{N: 1, Cin: 2, Cout: 2, In: []int{8, 8}, Kernel: []int{1, 1}},
		{N: 1, Cin: 2, Cout: 2, In: []int{8, 7}, Kernel: []int{3, 3}, Pad: []int{1, 1}},
		{N: 1, Cin: 2, Cout: 2, In: []int{8, 8}, Kernel: []int{3, 3}, Pad: []int{1, 1}, Stride: []int{2, 2}},
		{N: 1, Cin: 2, Cout: 2, In: []int{8, 8}, Kernel: []int{3, 3}, Pad: []int{1, 1}, Groups: 2},
	} {
		func() {
			defer func() {
				msg := fmt.Sprint(recover())
				if want := "needs kernel 3, padding 1"; !strings.Contains(msg, want) {
					t.Errorf("%+v: panic %q, want one that says %q", p, msg, want)
				}
			}()
			ConvForwardUpsampled(p, make([]float32, 32), make([]float32, 36), nil, make([]float32, 128))
		}()
	}
}
