package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// winoTol is the error allowed against the direct convolution, relative to
// the largest output: F(4×4, 3×3) in float32 is about 20 times less exact
// than the direct sum (see winograd.go).
const winoTol = 2e-5

// winoCases have heights and widths that are multiples of 4, tile counts
// on either side of the kernels' 16 (images of one and of four tiles, so
// that a run of 16 spans many images), and channel counts around the GEMM
// tiles and the transforms' groups of 16.
var winoCases = []struct{ n, cin, cout, d, h, w int }{
	{1, 1, 1, 0, 4, 4}, {6, 5, 7, 0, 8, 8}, {17, 3, 4, 0, 4, 4}, {2, 3, 5, 0, 8, 12}, {2, 20, 13, 0, 28, 52}, {1, 9, 40, 0, 16, 48}, {1, 17, 9, 0, 20, 4}, {3, 8, 16, 0, 16, 16},
	{2, 32, 24, 0, 12, 28}, {1, 5, 3, 0, 68, 8}, {5, 4, 6, 0, 64, 68}, {2, 3, 4, 0, 8, 64}, {1, 2, 3, 0, 4, 128}, {1, 3, 5, 0, 16, 128}, {2, 17, 8, 0, 12, 64},
	// 3D: depth slices of any count, one slice (all padding around it),
	// and partial channel groups of the (channel, kd) pairs.
	{1, 2, 3, 1, 4, 4}, {2, 3, 5, 5, 8, 8}, {1, 8, 8, 12, 12, 12}, {2, 5, 9, 3, 8, 64}, {1, 16, 16, 7, 16, 16}, {3, 1, 2, 2, 4, 8},
	// 3D slices of a block of tiles or more, transformed once each
	// (winoFwdJob.slices): partial blocks, one slice, runs of slices.
	{1, 3, 5, 4, 16, 48}, {2, 9, 17, 5, 28, 32}, {1, 4, 4, 1, 32, 32}, {1, 8, 8, 20, 32, 32}, {1, 17, 16, 3, 16, 64},
	// ... and the weight gradient's (winoDWJob.slices, channels in 16s):
	// a last block of one tile, two samples of exactly a block, a last
	// group of 16 tiles, input channels on the rows, runs of one slice,
	// and tile rows of 16 tiles (the row transform).
	{1, 16, 16, 5, 28, 28}, {2, 32, 16, 7, 24, 32}, {1, 16, 96, 3, 32, 32}, {1, 32, 20, 9, 24, 36}, {2, 16, 16, 3, 12, 64},
	{1, 16, 8, 4, 28, 28}, {2, 32, 8, 3, 24, 32}, {1, 16, 16, 4, 24, 24},
	// 3D slices of fewer tiles than a block in two samples, blocks
	// spanning slices: 36 tiles (the 3D U-Nets' 24² slices) and 16.
	{2, 5, 12, 9, 24, 24}, {2, 19, 8, 6, 16, 16},
}

// TestWinograd checks the forward and backward-data Winograd convolutions
// of every tier, with the Go twins of the transforms and with the tier's
// own, against the direct convolution, with guard values around the
// outputs.
func TestWinograd(t *testing.T) {
	forEachTier(t, func(t *testing.T, tr tier) {
		r := rand.New(rand.NewPCG(1, 2))
		for _, c := range winoCases {
			p := ConvParams{N: c.n, Cin: c.cin, Cout: c.cout, In: []int{c.h, c.w}, Kernel: []int{3, 3}, Pad: []int{1, 1}}
			sp, taps := c.h*c.w, 9
			if c.d > 0 {
				p.In, p.Kernel, p.Pad = []int{c.d, c.h, c.w}, []int{3, 3, 3}, []int{1, 1, 1}
				sp, taps = c.d*sp, 27
			}
			if !winoFits(p) {
				t.Fatalf("%+v: does not fit", c)
			}
			x, w, bias := randF32(r, c.n*c.cin*sp), randF32(r, c.cout*c.cin*taps), randF32(r, c.cout)
			dy := randF32(r, c.n*c.cout*sp)
			g := p.geom("test")
			want := make([]float32, len(dy))
			convForwardGeneric(&g, x, w, bias, want)
			wantDx := make([]float32, len(x))
			convBackwardDataGeneric(&g, dy, w, wantDx)
			wantDw := make([]float32, len(w))
			convBackwardWeightGeneric(&g, x, dy, wantDw)
			bp := p
			bp.Cin, bp.Cout = c.cout, c.cin
			for _, k := range []struct {
				name string
				k    winoKernels
			}{{"go", winoGo}, {"tier", winoTier()}} {
				name := fmt.Sprintf("%s %dx%dx%v→%d", k.name, c.n, c.cin, p.In, c.cout)
				y, check := guarded(len(want), 3)
				convWinograd(k.k, p, x, nil, w, bias, y, nil, false)
				check(t, name+" forward")
				winoClose(t, name+" forward", y, want)
				dx, check := guarded(len(x), 5)
				convWinograd(k.k, bp, dy, nil, w, nil, dx, nil, true)
				check(t, name+" backward-data")
				winoClose(t, name+" backward-data", dx, wantDx)
				dw, check := guarded(len(w), 7)
				convWinogradDW(k.k, p, x, nil, dy, dw)
				check(t, name+" backward-weight")
				winoClose(t, name+" backward-weight", dw, wantDw)
			}
		}
	})
}

// winoClose fails when an element of got differs from want by more than
// winoTol times want's largest magnitude.
func winoClose(t *testing.T, what string, got, want []float32) {
	t.Helper()
	scale := 0.0
	for _, v := range want {
		scale = math.Max(scale, math.Abs(float64(v)))
	}
	lim := winoTol * scale
	for i := range want {
		if d := math.Abs(float64(got[i]) - float64(want[i])); !(d <= lim) {
			t.Fatalf("%s: [%d] = %v, want %v (error %.3g > %.3g)", what, i, got[i], want[i], d, lim)
		}
	}
}

// TestWinogradWeights checks each tier's weight transform, which lays U out
// as the micro-kernel's panels, against winoWeights, flipped or not, with
// channel counts that leave partial panels and lanes.
func TestWinogradWeights(t *testing.T) {
	forEachTier(t, func(t *testing.T, tr tier) {
		k := winoTier()
		if k.weights == nil {
			t.Skipf("tier %v has no weight transform of its own", tr)
		}
		r := rand.New(rand.NewPCG(7, 8))
		for _, c := range [][2]int{{1, 1}, {5, 3}, {8, 16}, {13, 17}, {64, 32}} {
			cout, cin := c[0], c[1]
			w := randF32(r, cout*cin*9)
			ng := (cout + k.mk.mr - 1) / k.mk.mr
			for _, flip := range []bool{false, true} {
				n := winoPts * ng * k.mk.mr * cin
				want := make([]float32, n)
				winoWeights(w, cout, cin, k.mk.mr, flip, want)
				got, check := guarded(n, 1)
				k.weights(w, cout, cin, flip, got)
				check(t, "weights")
				for i := range want {
					if d := math.Abs(float64(got[i] - want[i])); d > 1e-6*math.Max(1, math.Abs(float64(want[i]))) {
						t.Fatalf("%d→%d flip %v: [%d] = %v, want %v", cin, cout, flip, i, got[i], want[i])
					}
				}
			}
		}
	})
}

// TestWinogradDWWorkers checks that the weight gradient does not depend
// on the number of workers, bit for bit, on cases of each of its paths:
// the ring of 3D slices, the shared buffer of few tiles, and chunks of
// blocks.
func TestWinogradDWWorkers(t *testing.T) {
	defer SetWorkers(Workers())
	r := rand.New(rand.NewPCG(3, 4))
	for _, c := range []struct{ n, cin, cout, d, h, w int }{
		{2, 32, 16, 7, 24, 32}, {1, 32, 20, 9, 24, 36}, {1, 16, 16, 3, 8, 8}, {2, 20, 13, 0, 28, 52},
	} {
		p := ConvParams{N: c.n, Cin: c.cin, Cout: c.cout, In: []int{c.h, c.w}, Kernel: []int{3, 3}, Pad: []int{1, 1}}
		sp, taps := c.h*c.w, 9
		if c.d > 0 {
			p.In, p.Kernel, p.Pad = []int{c.d, c.h, c.w}, []int{3, 3, 3}, []int{1, 1, 1}
			sp, taps = c.d*sp, 27
		}
		x, dy := randF32(r, c.n*c.cin*sp), randF32(r, c.n*c.cout*sp)
		var first []float32
		for _, w := range []int{1, 2, 3} {
			SetWorkers(w)
			dw := make([]float32, c.cout*c.cin*taps)
			convWinogradDW(winoTier(), p, x, nil, dy, dw)
			if first == nil {
				first = dw
				continue
			}
			for i := range dw {
				if math.Float32bits(dw[i]) != math.Float32bits(first[i]) {
					t.Fatalf("%+v: %d workers: dw[%d] = %v, with one %v", c, w, i, dw[i], first[i])
				}
			}
		}
	}
}
