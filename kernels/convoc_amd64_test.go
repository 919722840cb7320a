//go:build !purego

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// convOC6x64AVX512 against its Go twin and a float64 sum, from zero and
// from t's values, for tap lists
// of none to 27 taps, channel counts around the unrolling, negative
// position offsets made good by the taps, and positions out of order.
func TestConvOC6x64AVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(45, 45))
	for _, nt := range []int{0, 1, 4, 27} {
		for _, cin := range []int{1, 3, 16, 33} {
			const xcs = 211
			x := randF32(rng, 40+cin*xcs+600)
			pos := [6]int32{-20, 7, 3, 90, 91, 8}
			taps := make([]int32, 2*nt)
			wcs := 64 + 16*(cin%2) // channels' weights side by side, or apart
			w := randF32(rng, nt*cin*wcs+64)
			for i := range nt {
				taps[2*i] = int32(20 + rng.IntN(400))
				taps[2*i+1] = int32(i * cin * wcs)
			}
			for _, acc := range []bool{false, true} {
				var got, twin [384]float32
				var start [384]float64
				for i := range got {
					got[i], twin[i] = guard, guard
					if acc {
						got[i] = float32(rng.NormFloat64())
						twin[i], start[i] = got[i], float64(got[i])
					}
				}
				convOC6x64(x, &pos, taps, cin, xcs, w, wcs, &got, acc)
				convOC6x64Go(x, &pos, taps, cin, xcs, w, wcs, &twin, acc)
				name := fmt.Sprintf("taps=%d cin=%d acc=%v", nt, cin, acc)
				for j, p := range pos {
					for o := range 64 {
						want, mag := start[j*64+o], math.Abs(start[j*64+o])
						for i := range nt {
							for c := range cin {
								v := float64(x[int(p)+int(taps[2*i])+c*xcs]) * float64(w[int(taps[2*i+1])+c*wcs+o])
								want += v
								mag += math.Abs(v)
							}
						}
						tol := 1e-6*mag + 1e-30
						if d := math.Abs(float64(got[j*64+o]) - want); d > tol {
							t.Fatalf("%s: position %d channel %d = %v, want %v", name, j, o, got[j*64+o], want)
						}
						if d := math.Abs(float64(twin[j*64+o]) - want); d > tol {
							t.Fatalf("%s: Go twin position %d channel %d = %v, want %v", name, j, o, twin[j*64+o], want)
						}
					}
				}
			}
		}
	}
}

// naiveConvData is ConvBackwardData by its definition, in float64: every
// output gradient value sent back through every tap.
func naiveConvData(p ConvParams, dy, w []float64) []float64 {
	nd := len(p.In)
	in, k := pad3(p.In, nd, 1), pad3(p.Kernel, nd, 1)
	s, pd := pad3(p.Stride, nd, 1), pad3(p.Pad, nd, 0)
	out := pad3(p.Out(), nd, 1)
	dx := make([]float64, p.N*p.Cin*in[0]*in[1]*in[2])
	for n := range p.N {
		for o := range p.Cout {
			for z := range out[0] {
				for h := range out[1] {
					for v := range out[2] {
						g := dy[(((n*p.Cout+o)*out[0]+z)*out[1]+h)*out[2]+v]
						for c := range p.Cin {
							for a := range k[0] {
								for b := range k[1] {
									for e := range k[2] {
										iz, ih, iv := z*s[0]-pd[0]+a, h*s[1]-pd[1]+b, v*s[2]-pd[2]+e
										if iz < 0 || iz >= in[0] || ih < 0 || ih >= in[1] || iv < 0 || iv >= in[2] {
											continue
										}
										dx[(((n*p.Cin+c)*in[0]+iz)*in[1]+ih)*in[2]+iv] += g * w[(((o*p.Cin+c)*k[0]+a)*k[1]+b)*k[2]+e]
									}
								}
							}
						}
					}
				}
			}
		}
	}
	return dx
}

// The output-channel path against the definition: forward, with and
// without bias, and backward-data, as the forward convolution with
// flipped, transposed weights that convBackwardDataDirect hands it. The
// forward shapes:
// the 3D U-Net's 6³ and 3³ layers and a stride-2 one, output rows longer
// than a block with a ragged last block that spans images, 2D, a kernel
// of other sizes and paddings, one image, one input channel.
func TestConvOCPath(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	cases := []ConvParams{
		{N: 2, Cin: 16, Cout: 64, In: []int{6, 6, 6}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
		{N: 2, Cin: 32, Cout: 128, In: []int{3, 3, 3}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
		{N: 2, Cin: 17, Cout: 64, In: []int{9, 8, 13}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}, Stride: []int{2, 2, 2}},
		{N: 3, Cin: 19, Cout: 128, In: []int{5, 4, 7}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
		{N: 2, Cin: 5, Cout: 64, In: []int{7, 9}, Kernel: []int{3, 3}, Pad: []int{1, 1}},
		{N: 1, Cin: 3, Cout: 64, In: []int{4, 5, 6}, Kernel: []int{2, 3, 1}, Pad: []int{1, 1, 0}},
		{N: 1, Cin: 1, Cout: 64, In: []int{4, 4, 1}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
		{N: 2, Cin: 8, Cout: 64, In: []int{5, 7}, Kernel: []int{3, 3}, Pad: []int{0, 2}, Stride: []int{2, 1}},
	}
	rng := rand.New(rand.NewPCG(46, 46))
	for i, p := range cases {
		g, ok := newOCGeom(p)
		if !ok {
			t.Fatalf("case %d: %+v not taken by the path", i, p)
		}
		x, w, bias := randF32(rng, p.N*p.Cin*prod(p.In)), randF32(rng, p.Cout*p.Cin*prod(p.Kernel)), randF32(rng, p.Cout)
		ny := p.N * p.Cout * prod(p.Out())
		for _, b := range [][]float32{nil, bias} {
			y, check := guarded(ny, 5)
			convOCForward(&g, x, w, b, y, false)
			check(t, fmt.Sprintf("case %d forward", i))
			want := naiveConv(p, tierTo64(x), tierTo64(w), tierTo64(b))
			closeTo(t, fmt.Sprintf("case %d forward (bias %v)", i, b != nil), y, want, 1)
		}
	}
	// Backward-data: the forward layer's Cin is the path's output channels.
	bdCases := []ConvParams{
		{N: 2, Cin: 64, Cout: 16, In: []int{6, 6, 6}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
		{N: 2, Cin: 128, Cout: 24, In: []int{3, 3, 3}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
		{N: 3, Cin: 64, Cout: 7, In: []int{4, 5, 7}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
		{N: 1, Cin: 64, Cout: 3, In: []int{6, 5}, Kernel: []int{3, 2}, Pad: []int{1, 0}},
	}
	for i, p := range bdCases {
		nd := len(p.In)
		q := ConvParams{N: p.N, Cin: p.Cout, Cout: p.Cin, In: make([]int, nd), Kernel: p.Kernel, Pad: make([]int, nd)}
		for a := range nd {
			q.Pad[a] = p.Kernel[a] - 1 - at(p.Pad, a, 0)
			q.In[a] = p.In[a] + 2*at(p.Pad, a, 0) - (p.Kernel[a] - 1)
		}
		g, ok := newOCGeom(q)
		if !ok {
			t.Fatalf("backward-data case %d: %+v not taken by the path", i, q)
		}
		dy, w := randF32(rng, p.N*p.Cout*prod(p.Out())), randF32(rng, p.Cout*p.Cin*prod(p.Kernel))
		dx, check := guarded(p.N*p.Cin*prod(p.In), 3)
		convOCForward(&g, dy, w, nil, dx, true)
		check(t, fmt.Sprintf("backward-data case %d", i))
		closeTo(t, fmt.Sprintf("backward-data case %d", i), dx, naiveConvData(p, tierTo64(dy), tierTo64(w)), 1)
	}
}

// The layers that the hooks hand to the path: their results against the
// definition, with the path and with the paths it replaced.
func TestConvOCHooks(t *testing.T) {
	if !hasAVX512 || curTier != tierAVX512 {
		t.Skip("the AVX-512 tier is not installed")
	}
	rng := rand.New(rand.NewPCG(47, 47))
	for _, p := range []ConvParams{
		{N: 2, Cin: 64, Cout: 64, In: []int{6, 6, 6}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
		{N: 2, Cin: 32, Cout: 64, In: []int{12, 12, 12}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}, Stride: []int{2, 2, 2}},
	} {
		if !ocFits(p) {
			t.Fatalf("%+v: not on the path", p)
		}
		x, w, dy := randF32(rng, p.N*p.Cin*prod(p.In)), randF32(rng, p.Cout*p.Cin*prod(p.Kernel)), randF32(rng, p.N*p.Cout*prod(p.Out()))
		wantY, wantDX := naiveConv(p, tierTo64(x), tierTo64(w), nil), naiveConvData(p, tierTo64(dy), tierTo64(w))
		for _, on := range []bool{true, false} {
			ocOn = on
			y, dx := make([]float32, len(dy)), make([]float32, len(x))
			ConvForward(p, x, w, nil, y)
			ConvBackwardData(p, dy, w, dx)
			closeTo(t, fmt.Sprintf("%v forward, path %v", p.In, on), y, wantY, 1)
			closeTo(t, fmt.Sprintf("%v backward-data, path %v", p.In, on), dx, wantDX, 1)
		}
		ocOn = true
	}
}
