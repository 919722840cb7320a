package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// convConcatCases are convolutions of concatenated parts: the Winograd
// path's 2D and 3D forms (slices of fewer tiles than a block, whose runs
// span images, and of a block or more, transformed once each), a part of
// one channel, three parts, and shapes the Winograd path does not take
// (stride 2, a 1×1 kernel, groups, sizes not multiples of 4), which
// concatenate first. wino says which take the Winograd path.
var convConcatCases = []struct {
	p     ConvParams
	parts []int // channels of each part
	wino  bool
}{
	{ConvParams{N: 2, Cin: 12, Cout: 8, In: []int{16, 32}, Kernel: []int{3, 3}, Pad: []int{1, 1}}, []int{5, 7}, true},
	{ConvParams{N: 3, Cin: 9, Cout: 16, In: []int{16, 20}, Kernel: []int{3, 3}, Pad: []int{1, 1}}, []int{1, 6, 2}, true},
	{ConvParams{N: 2, Cin: 10, Cout: 12, In: []int{5, 24, 24}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}}, []int{5, 5}, true},
	{ConvParams{N: 2, Cin: 8, Cout: 8, In: []int{7, 8, 8}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}}, []int{2, 6}, true},
	{ConvParams{N: 2, Cin: 8, Cout: 9, In: []int{4, 16, 48}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}}, []int{4, 4}, true},
	{ConvParams{N: 1, Cin: 9, Cout: 8, In: []int{6, 32, 32}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}}, []int{1, 3, 5}, true},
	// The weight gradient's Winograd forms: every tile's transforms in
	// one buffer, chunks of blocks, rings of slices.
	{ConvParams{N: 2, Cin: 16, Cout: 16, In: []int{5, 24, 24}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}}, []int{8, 8}, true},
	{ConvParams{N: 2, Cin: 16, Cout: 16, In: []int{9, 24, 24}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}}, []int{6, 10}, true},
	{ConvParams{N: 1, Cin: 16, Cout: 16, In: []int{4, 16, 48}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}}, []int{4, 12}, true},
	{ConvParams{N: 2, Cin: 12, Cout: 8, In: []int{64, 64}, Kernel: []int{3, 3}, Pad: []int{1, 1}}, []int{5, 7}, true},
	{ConvParams{N: 9, Cin: 10, Cout: 16, In: []int{8, 12}, Kernel: []int{3, 3}, Pad: []int{1, 1}}, []int{3, 7}, true},
	{ConvParams{N: 5, Cin: 16, Cout: 16, In: []int{3, 8, 8}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}}, []int{9, 7}, true},
	{ConvParams{N: 2, Cin: 6, Cout: 4, In: []int{8, 8, 8}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}, Stride: []int{2, 2, 2}}, []int{3, 3}, false},
	{ConvParams{N: 2, Cin: 6, Cout: 2, In: []int{5, 7}, Kernel: []int{1, 1}}, []int{4, 2}, false},
	{ConvParams{N: 1, Cin: 4, Cout: 6, In: []int{8, 8}, Kernel: []int{3, 3}, Pad: []int{1, 1}, Groups: 2}, []int{1, 3}, false},
	{ConvParams{N: 2, Cin: 12, Cout: 8, In: []int{6, 6, 6}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}}, []int{8, 4}, false},
}

// TestConvForwardConcat checks, in every tier, that the convolution of
// parts read in place, its weight gradient and its input gradient
// written into parts equal, bit for bit, ConvForward's,
// ConvBackwardWeight's and ConvBackwardData's of the concatenation, with
// guard values around the outputs.
func TestConvForwardConcat(t *testing.T) {
	dwWino := 0
	for _, c := range convConcatCases {
		if winoUseDW(c.p) {
			dwWino++
		}
	}
	if dwWino < 6 {
		t.Fatalf("%d cases on the Winograd weight gradient, want 6 or more", dwWino)
	}
	forEachTier(t, func(t *testing.T, tr tier) {
		r := rand.New(rand.NewPCG(41, 41))
		for _, c := range convConcatCases {
			p := c.p
			g := p.geom("test")
			plane := g.n * g.inVol()
			parts := make([][]float32, len(c.parts))
			for i, ci := range c.parts {
				parts[i] = randF32(r, ci*plane)
			}
			x := make([]float32, p.Cin*plane)
			concatChannels(x, parts, p.N)
			w := randF32(r, g.cout*g.cols())
			bias := randF32(r, p.Cout)
			want := make([]float32, g.n*g.cout*g.outVol())
			ConvForward(p, x, w, bias, want)
			name := fmt.Sprintf("%+v parts %v", p, c.parts)
			if winoUse(p) != c.wino {
				t.Fatalf("%s: winoUse %v, want %v", name, winoUse(p), c.wino)
			}
			y, check := guarded(len(want), 5)
			ConvForwardConcat(p, parts, w, bias, y)
			check(t, name)
			mustSameBits(t, name+" forward", y, want)
			dy := randF32(r, len(want))
			wantDw, wantDb := make([]float32, len(w)), make([]float32, p.Cout)
			ConvBackwardWeight(p, x, dy, wantDw, wantDb)
			dw, checkDw := guarded(len(w), 3)
			db, checkDb := guarded(p.Cout, 7)
			ConvBackwardWeightConcat(p, parts, dy, dw, db)
			checkDw(t, name+" weight gradient")
			checkDb(t, name+" bias gradient")
			mustSameBits(t, name+" weight gradient", dw, wantDw)
			mustSameBits(t, name+" bias gradient", db, wantDb)
			// Backward-data into the parts, each with guards around it.
			wantDx := make([]float32, len(x))
			ConvBackwardData(p, dy, w, wantDx)
			dxs := make([][]float32, len(parts))
			checks := make([]func(*testing.T, string), len(parts))
			for i := range parts {
				dxs[i], checks[i] = guarded(len(parts[i]), 2+i)
			}
			ConvBackwardDataConcat(p, dy, w, dxs)
			for i := range parts {
				checks[i](t, fmt.Sprintf("%s backward-data part %d", name, i))
			}
			got := make([]float32, len(x))
			concatChannels(got, dxs, p.N)
			mustSameBits(t, name+" backward-data", got, wantDx)
			// The reference itself: the concatenation puts sample s's
			// channels of part i after those of the parts before it.
			if c.parts[0] < p.Cin {
				s, ch := p.N-1, c.parts[0]
				if got, wantX := x[(s*p.Cin+ch)*(plane/p.N)], parts[1][s*c.parts[1]*(plane/p.N)]; got != wantX {
					t.Fatalf("%s: concatChannels put %v first in sample %d channel %d, want %v", name, got, s, ch, wantX)
				}
			}
		}
	})
}

// The parts must hold whole channels adding up to Cin.
func TestConvForwardConcatPanics(t *testing.T) {
	p := ConvParams{N: 2, Cin: 5, Cout: 2, In: []int{4, 4}, Kernel: []int{3, 3}, Pad: []int{1, 1}}
	w, y := make([]float32, 2*5*9), make([]float32, 2*2*16)
	for _, bad := range [][][]float32{
		{make([]float32, 2*16*3), make([]float32, 2*16*3)},   // 6 channels
		{make([]float32, 2*16*3), make([]float32, 2*16*2+1)}, // not whole channels
		{make([]float32, 2*16*5), nil},                       // an empty part
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("ConvForwardConcat of parts of %d and %d values did not panic", len(bad[0]), len(bad[1]))
				}
			}()
			ConvForwardConcat(p, bad, w, nil, y)
		}()
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("ConvBackwardWeightConcat of parts of %d and %d values did not panic", len(bad[0]), len(bad[1]))
				}
			}()
			ConvBackwardWeightConcat(p, bad, y, w, nil)
		}()
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("ConvBackwardDataConcat of parts of %d and %d values did not panic", len(bad[0]), len(bad[1]))
				}
			}()
			ConvBackwardDataConcat(p, y, w, bad)
		}()
	}
}
