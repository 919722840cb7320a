//go:build !purego

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// checkTile checks a kernel that fills a tile of 384 sums, against its
// Go twin and a float64 sum, starting from zero and, with acc, from the
// tile's values: run and twin call the two on t, and terms calls add with
// each product that sum k takes.
func checkTile(t *testing.T, rng *rand.Rand, name string, acc bool, run, twin func(t *[384]float32, acc bool), terms func(k int, add func(float64))) {
	t.Helper()
	for _, a := range []bool{false, true}[:1+b2acc(acc)] {
		var got, tw [384]float32
		var start [384]float64
		for i := range got {
			got[i], tw[i] = guard, guard
			if a {
				got[i] = float32(rng.NormFloat64())
				tw[i], start[i] = got[i], float64(got[i])
			}
		}
		run(&got, a)
		twin(&tw, a)
		for k := range got {
			want, mag := start[k], math.Abs(start[k])
			terms(k, func(v float64) { want += v; mag += math.Abs(v) })
			tol := 1e-6*mag + 1e-30
			if d := math.Abs(float64(got[k]) - want); !(d <= tol) {
				t.Fatalf("%s acc=%v: sum %d = %v, want %v", name, a, k, got[k], want)
			}
			if d := math.Abs(float64(tw[k]) - want); !(d <= tol) {
				t.Fatalf("%s acc=%v: Go twin sum %d = %v, want %v", name, a, k, tw[k], want)
			}
		}
	}
}

// convOC6x64AVX512 against its Go twin and a float64 sum, from zero and
// from t's values, for tap lists of none to 27 taps, channel counts around
// the unrolling, negative position offsets made good by the taps, and
// positions out of order.
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
			checkTile(t, rng, fmt.Sprintf("taps=%d cin=%d", nt, cin), true,
				func(tt *[384]float32, a bool) { convOC6x64(x, &pos, taps, cin, xcs, w, wcs, tt, a) },
				func(tt *[384]float32, a bool) { convOC6x64Go(x, &pos, taps, cin, xcs, w, wcs, tt, a) },
				func(k int, add func(float64)) {
					j, o := k/64, k%64
					for i := range nt {
						for c := range cin {
							add(float64(x[int(pos[j])+int(taps[2*i])+c*xcs]) * float64(w[int(taps[2*i+1])+c*wcs+o]))
						}
					}
				})
		}
	}
}

// The kernels of 32 and 16 channels against their Go twin and a float64
// sum, from zero and from t's values, for position steps 1 and 2.
func TestConvOCStepAVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	type kern func(x *float32, pos int, taps *int32, ntaps, cin, xcs int, w *float32, t *[384]float32, acc, wcs int)
	rng := rand.New(rand.NewPCG(48, 48))
	for _, k := range []struct {
		v, step int
		fn      kern
	}{{2, 1, convOC12x32S1AVX512}, {2, 2, convOC12x32S2AVX512}, {1, 1, convOC24x16S1AVX512}, {1, 2, convOC24x16S2AVX512}} {
		np, m := 24/k.v, 16*k.v
		for _, nt := range []int{1, 5, 27} {
			for _, cin := range []int{1, 2, 17} {
				const xcs, pos = 301, 33
				wcs := m + 16*(cin%2)
				x := randF32(rng, pos+2*np+500+cin*xcs)
				w := randF32(rng, nt*cin*wcs+m)
				taps := make([]int32, 2*nt)
				for i := range nt {
					taps[2*i], taps[2*i+1] = int32(rng.IntN(450)-30), int32(i*cin*wcs)
				}
				checkTile(t, rng, fmt.Sprintf("v=%d step=%d taps=%d cin=%d", k.v, k.step, nt, cin), true,
					func(tt *[384]float32, a bool) { k.fn(&x[0], pos, &taps[0], nt, cin, xcs, &w[0], tt, b2acc(a), 4*wcs) },
					func(tt *[384]float32, a bool) { convOCStepGo(k.v, k.step, x, pos, taps, cin, xcs, w, wcs, tt, a) },
					func(kk int, add func(float64)) {
						j, o := kk/m, kk%m
						for i := range nt {
							for c := range cin {
								add(float64(x[pos+j*k.step+int(taps[2*i])+c*xcs]) * float64(w[int(taps[2*i+1])+c*wcs+o]))
							}
						}
					})
			}
		}
	}
}

// naiveTaps calls f with the indices into x, w and y of every product
// of the convolution p (one group, the definition's loops): the input
// value, the weight and the output that it adds to.
func naiveTaps(p ConvParams, f func(xi, wi, yi int)) {
	nd := len(p.In)
	in, k := pad3(p.In, nd, 1), pad3(p.Kernel, nd, 1)
	s, pd := pad3(p.Stride, nd, 1), pad3(p.Pad, nd, 0)
	out := pad3(p.Out(), nd, 1)
	for n := range p.N {
		for o := range p.Cout {
			for z := range out[0] {
				for h := range out[1] {
					for v := range out[2] {
						yi := (((n*p.Cout+o)*out[0]+z)*out[1]+h)*out[2] + v
						for c := range p.Cin {
							for a := range k[0] {
								for b := range k[1] {
									for e := range k[2] {
										iz, ih, iv := z*s[0]-pd[0]+a, h*s[1]-pd[1]+b, v*s[2]-pd[2]+e
										if iz < 0 || iz >= in[0] || ih < 0 || ih >= in[1] || iv < 0 || iv >= in[2] {
											continue
										}
										f((((n*p.Cin+c)*in[0]+iz)*in[1]+ih)*in[2]+iv, (((o*p.Cin+c)*k[0]+a)*k[1]+b)*k[2]+e, yi)
									}
								}
							}
						}
					}
				}
			}
		}
	}
}

// naiveConvData is ConvBackwardData by its definition, in float64.
func naiveConvData(p ConvParams, dy, w []float64) []float64 {
	dx := make([]float64, p.N*p.Cin*prod(p.In))
	naiveTaps(p, func(xi, wi, yi int) { dx[xi] += dy[yi] * w[wi] })
	return dx
}

// naiveConvWeight is ConvBackwardWeight's dw by its definition, in float64.
func naiveConvWeight(p ConvParams, x, dy []float64) []float64 {
	dw := make([]float64, p.Cout*p.Cin*prod(p.Kernel))
	naiveTaps(p, func(xi, wi, yi int) { dw[wi] += dy[yi] * x[xi] })
	return dw
}

// The stride-2 transposed kernels against their Go twin and a float64
// sum, from zero and from t's values.
func TestConvOCTAVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	type kern func(x *float32, pos int, taps *int32, ntaps, cin, xcs int, w *float32, t *[384]float32, acc, wcs int)
	rng := rand.New(rand.NewPCG(53, 53))
	for _, k := range []struct {
		v  int
		fn kern
	}{{1, convOCT24x16AVX512}, {2, convOCT12x32AVX512}} {
		m := 16 * k.v
		for _, nt := range []int{1, 4, 9} {
			for _, cin := range []int{1, 3, 16} {
				const xcs, pos = 211, 17
				wcs := 3*m + 16*(cin%2)
				x := randF32(rng, pos+13+400+cin*xcs)
				w := randF32(rng, nt*cin*wcs+3*m)
				taps := make([]int32, 2*nt)
				for i := range nt {
					taps[2*i], taps[2*i+1] = int32(rng.IntN(400)-10), int32(i*cin*wcs)
				}
				checkTile(t, rng, fmt.Sprintf("v=%d taps=%d cin=%d", k.v, nt, cin), true,
					func(tt *[384]float32, a bool) { k.fn(&x[0], pos, &taps[0], nt, cin, xcs, &w[0], tt, b2acc(a), 4*wcs) },
					func(tt *[384]float32, a bool) { convOCTGo(k.v, x, pos, taps, cin, xcs, w, wcs, tt, a) },
					func(kk int, add func(float64)) {
						p, o := kk/m, kk%m
						for i := range nt {
							for c := range cin {
								b := x[pos+int(taps[2*i])+c*xcs:]
								wc := w[int(taps[2*i+1])+c*wcs:]
								if p%2 == 0 {
									add(float64(b[p/2]) * float64(wc[m+o]))
								} else {
									add(float64(b[p/2]) * float64(wc[2*m+o]))
									add(float64(b[p/2+1]) * float64(wc[o]))
								}
							}
						}
					})
			}
		}
	}
}

// The output-channel path against the definition, forward (with and
// without bias) and backward-data, on every block shape (64, 32 and 16
// channels), strides 1 and 2 and mixed, ragged last blocks, 2D, kernels
// of other sizes and paddings, one image, one input channel.
func TestConvOCPath(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	fwd := []ConvParams{
		{N: 2, Cin: 16, Cout: 64, In: []int{6, 6, 6}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
		{N: 2, Cin: 32, Cout: 128, In: []int{3, 3, 3}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
		{N: 2, Cin: 17, Cout: 64, In: []int{9, 8, 13}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}, Stride: []int{2, 2, 2}},
		{N: 2, Cin: 9, Cout: 32, In: []int{6, 5, 26}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}, Stride: []int{2, 2, 2}},
		{N: 1, Cin: 6, Cout: 16, In: []int{5, 6, 50}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}, Stride: []int{2, 2, 2}},
		{N: 3, Cin: 19, Cout: 128, In: []int{5, 4, 7}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
		{N: 2, Cin: 5, Cout: 48, In: []int{7, 9}, Kernel: []int{3, 3}, Pad: []int{1, 1}},
		{N: 1, Cin: 3, Cout: 64, In: []int{4, 5, 6}, Kernel: []int{2, 3, 1}, Pad: []int{1, 1, 0}},
		{N: 1, Cin: 1, Cout: 32, In: []int{4, 4, 1}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
		{N: 2, Cin: 8, Cout: 64, In: []int{5, 7}, Kernel: []int{3, 3}, Pad: []int{0, 2}, Stride: []int{2, 1}},
	}
	data := []ConvParams{
		{N: 2, Cin: 64, Cout: 16, In: []int{6, 6, 6}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
		{N: 2, Cin: 16, Cout: 32, In: []int{8, 6, 48}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}, Stride: []int{2, 2, 2}},
		{N: 2, Cin: 32, Cout: 64, In: []int{5, 7, 24}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}, Stride: []int{2, 2, 2}},
		{N: 1, Cin: 64, Cout: 20, In: []int{7, 6, 13}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}, Stride: []int{2, 2, 2}},
		{N: 3, Cin: 128, Cout: 7, In: []int{4, 5, 7}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
		{N: 1, Cin: 16, Cout: 3, In: []int{6, 5}, Kernel: []int{3, 2}, Pad: []int{1, 0}},
		{N: 2, Cin: 48, Cout: 5, In: []int{9, 10}, Kernel: []int{3, 3}, Pad: []int{0, 1}, Stride: []int{1, 2}},
		{N: 1, Cin: 32, Cout: 4, In: []int{5, 6, 9}, Kernel: []int{2, 2, 2}, Stride: []int{2, 2, 2}},
		// The stride-2 transposed kernels (rowT): rows of 13 and 27,
		// a last block partly past the row, 16 and 32 channels.
		{N: 2, Cin: 16, Cout: 8, In: []int{5, 4, 13}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}, Stride: []int{2, 2, 2}},
		{N: 1, Cin: 32, Cout: 5, In: []int{4, 7, 27}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}, Stride: []int{2, 2, 2}},
	}
	rng := rand.New(rand.NewPCG(46, 46))
	for i, p := range fwd {
		if _, ok := newOCGeom(p, false); !ok {
			t.Fatalf("forward case %d: %+v not taken by the path", i, p)
		}
		x, w, bias := randF32(rng, p.N*p.Cin*prod(p.In)), randF32(rng, p.Cout*p.Cin*prod(p.Kernel)), randF32(rng, p.Cout)
		want := naiveConv(p, tierTo64(x), tierTo64(w), nil)
		for _, b := range [][]float32{nil, bias} {
			y, check := guarded(p.N*p.Cout*prod(p.Out()), 5)
			convOCForward(p, x, w, b, y)
			check(t, fmt.Sprintf("forward case %d", i))
			if b != nil {
				want = naiveConv(p, tierTo64(x), tierTo64(w), tierTo64(b))
			}
			closeTo(t, fmt.Sprintf("forward case %d (bias %v)", i, b != nil), y, want, 1)
		}
	}
	for i, p := range data {
		if _, ok := newOCGeom(p, true); !ok {
			t.Fatalf("backward-data case %d: %+v not taken by the path", i, p)
		}
		dy, w := randF32(rng, p.N*p.Cout*prod(p.Out())), randF32(rng, p.Cout*p.Cin*prod(p.Kernel))
		dx, check := guarded(p.N*p.Cin*prod(p.In), 3)
		convOCData(p, dy, w, dx)
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
	for _, c := range []struct {
		p         ConvParams
		fwd, data bool // on the path
	}{
		{ConvParams{N: 2, Cin: 64, Cout: 64, In: []int{6, 6, 6}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}}, true, true},
		{ConvParams{N: 2, Cin: 32, Cout: 64, In: []int{12, 12, 12}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}, Stride: []int{2, 2, 2}}, true, true},
		{ConvParams{N: 2, Cin: 16, Cout: 32, In: []int{12, 12, 24}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}, Stride: []int{2, 2, 2}}, false, true},
		{ConvParams{N: 2, Cin: 64, Cout: 64, In: []int{3, 3, 3}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}}, false, false},
	} {
		p := c.p
		if ocTakes(p, passForward) != c.fwd || ocTakes(p, passData) != c.data || ocTakes(p, passWeight) != c.data {
			t.Fatalf("%+v: forward on the path %v, backward-data %v, weight gradient %v; want %v, %v, %v", p, ocTakes(p, passForward), ocTakes(p, passData), ocTakes(p, passWeight), c.fwd, c.data, c.data)
		}
		x, w, dy := randF32(rng, p.N*p.Cin*prod(p.In)), randF32(rng, p.Cout*p.Cin*prod(p.Kernel)), randF32(rng, p.N*p.Cout*prod(p.Out()))
		wantY, wantDX := naiveConv(p, tierTo64(x), tierTo64(w), nil), naiveConvData(p, tierTo64(dy), tierTo64(w))
		wantDW := naiveConvWeight(p, tierTo64(x), tierTo64(dy))
		for _, on := range []bool{true, false} {
			ocOn = on
			y, dx, dw := make([]float32, len(dy)), make([]float32, len(x)), make([]float32, len(w))
			ConvForward(p, x, w, nil, y)
			ConvBackwardData(p, dy, w, dx)
			ConvBackwardWeight(p, x, dy, dw, nil)
			closeTo(t, fmt.Sprintf("%v forward, path %v", p.In, on), y, wantY, 1)
			closeTo(t, fmt.Sprintf("%v backward-data, path %v", p.In, on), dx, wantDX, 1)
			closeTo(t, fmt.Sprintf("%v weight gradient, path %v", p.In, on), dw, wantDW, 1)
		}
		ocOn = true
	}
}

// convOCDW6x64AVX512 against its Go twin and a float64 sum, for runs of
// one to many positions and steps 1 and 2.
func TestConvOCDW6x64AVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(49, 49))
	for _, step := range []int{1, 2} {
		for _, lens := range [][]int{{1}, {6, 2, 6}, {12, 5, 1, 24}} {
			const ldo = 80
			x := randF32(rng, 4000)
			coff := [6]int32{0, 501, 1002, 17, 1503, 2004}
			runs, dyT := dwRuns(rng, lens, ldo, 64)
			r := newOCRuns(runs, step, ldo)
			checkTile(t, rng, fmt.Sprintf("step %d runs %v", step, lens), false,
				func(tt *[384]float32, _ bool) { convOCDW6x64(x, &coff, &r, step, dyT, ldo, tt) },
				func(tt *[384]float32, _ bool) { convOCDW6x64Go(x, &coff, runs, step, dyT, ldo, tt) },
				func(k int, add func(float64)) {
					i, o := k/64, k%64
					forRuns(runs, func(xo, do, q int) {
						add(float64(x[int(coff[i])+xo+q*step]) * float64(dyT[do+q*ldo+o]))
					})
				})
		}
	}
}

// dwRuns returns runs of the given lengths for the weight-gradient
// kernels (random input offsets, output gradients ldo apart) and output
// gradients of m channels for them.
func dwRuns(rng *rand.Rand, lens []int, ldo, m int) ([]int32, []float32) {
	var runs []int32
	dn := 0
	for _, n := range lens {
		runs = append(runs, int32(rng.IntN(900)), int32(dn*ldo), int32(n))
		dn += n
	}
	return runs, randF32(rng, dn*ldo+m)
}

// forRuns calls f with each run's input and output-gradient offsets and
// each position q of it.
func forRuns(runs []int32, f func(xo, do, q int)) {
	for r := 0; r+2 < len(runs); r += 3 {
		for q := range int(runs[r+2]) {
			f(int(runs[r]), int(runs[r+1]), q)
		}
	}
}

// convOCDW4x3x32AVX512 against its Go twin and a float64 sum, from zero
// and from t's values, for runs of one to many positions and steps 1 and
// 2.
func TestConvOCDW4x3x32AVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(52, 52))
	for _, step := range []int{1, 2} {
		for _, lens := range [][]int{{1}, {6, 2, 6}, {24, 5, 1, 24}} {
			const ldo = 48
			x := randF32(rng, 4000)
			coff := [4]int32{0, 501, 1002, 17}
			runs, dyT := dwRuns(rng, lens, ldo, 32)
			r := newOCRuns(runs, step, ldo)
			checkTile(t, rng, fmt.Sprintf("step %d runs %v", step, lens), true,
				func(tt *[384]float32, a bool) { convOCDW4x3x32(x, &coff, &r, 0, len(runs)/3, step, dyT, ldo, tt, a) },
				func(tt *[384]float32, a bool) { convOCDW4x3x32Go(x, &coff, runs, step, dyT, ldo, tt, a) },
				func(k int, add func(float64)) {
					i, kw, o := k/96, k/32%3, k%32
					forRuns(runs, func(xo, do, q int) {
						add(float64(x[int(coff[i])+xo+q*step+kw]) * float64(dyT[do+q*ldo+o]))
					})
				})
		}
	}
}

// The weight gradient on the output-channel path against the definition:
// the 3D U-Net's 6³ and strided shapes, input channels not a multiple of
// 6, a kernel of other sizes and paddings, and the bias gradient.
func TestConvOCWeight(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(50, 50))
	for i, p := range []ConvParams{
		{N: 2, Cin: 16, Cout: 64, In: []int{6, 6, 6}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
		{N: 2, Cin: 17, Cout: 128, In: []int{6, 5, 6}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
		{N: 1, Cin: 20, Cout: 64, In: []int{9, 12, 13}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}, Stride: []int{2, 2, 2}},
		{N: 3, Cin: 3, Cout: 64, In: []int{4, 5, 7}, Kernel: []int{2, 3, 3}, Pad: []int{0, 1, 2}},
		// 32 output channels (convOCDW4x3x32AVX512): a Modified3DUNet
		// downsampling, input channels not a multiple of 4.
		{N: 2, Cin: 16, Cout: 32, In: []int{6, 8, 24}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}, Stride: []int{2, 2, 2}},
		{N: 1, Cin: 7, Cout: 32, In: []int{5, 4, 13}, Kernel: []int{2, 2, 3}, Pad: []int{1, 0, 1}, Stride: []int{2, 2, 2}},
	} {
		if _, ok := newOCGeom(p, false); !ok {
			t.Fatalf("case %d: not on the path", i)
		}
		x, dy := randF32(rng, p.N*p.Cin*prod(p.In)), randF32(rng, p.N*p.Cout*prod(p.Out()))
		dw, check := guarded(p.Cout*p.Cin*prod(p.Kernel), 7)
		db := make([]float32, p.Cout)
		convOCWeight(p, x, dy, dw, db)
		check(t, fmt.Sprintf("case %d", i))
		closeTo(t, fmt.Sprintf("case %d dw", i), dw, naiveConvWeight(p, tierTo64(x), tierTo64(dy)), 1)
		outVol := prod(p.Out())
		for o := range p.Cout {
			var want float64
			for n := range p.N {
				for _, v := range dy[(n*p.Cout+o)*outVol:][:outVol] {
					want += float64(v)
				}
			}
			if d := math.Abs(float64(db[o]) - want); d > 1e-4*(1+math.Abs(want)) {
				t.Fatalf("case %d: dbias[%d] = %v, want %v", i, o, db[o], want)
			}
		}
	}
}
