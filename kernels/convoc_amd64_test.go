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
				for _, acc := range []bool{false, true} {
					var got, twin [384]float32
					var start [384]float64
					if acc {
						for i := range got {
							got[i] = float32(rng.NormFloat64())
							twin[i], start[i] = got[i], float64(got[i])
						}
					}
					a := 0
					if acc {
						a = 1
					}
					k.fn(&x[0], pos, &taps[0], nt, cin, xcs, &w[0], &got, a, 4*wcs)
					convOCStepGo(k.v, k.step, x, pos, taps, cin, xcs, w, wcs, &twin, acc)
					name := fmt.Sprintf("v=%d step=%d taps=%d cin=%d acc=%v", k.v, k.step, nt, cin, acc)
					for j := range np {
						for o := range m {
							want, mag := start[j*m+o], math.Abs(start[j*m+o])
							for i := range nt {
								for c := range cin {
									v := float64(x[pos+j*k.step+int(taps[2*i])+c*xcs]) * float64(w[int(taps[2*i+1])+c*wcs+o])
									want += v
									mag += math.Abs(v)
								}
							}
							tol := 1e-6*mag + 1e-30
							if d := math.Abs(float64(got[j*m+o]) - want); d > tol {
								t.Fatalf("%s: position %d channel %d = %v, want %v", name, j, o, got[j*m+o], want)
							}
							if d := math.Abs(float64(twin[j*m+o]) - want); d > tol {
								t.Fatalf("%s: Go twin position %d channel %d = %v, want %v", name, j, o, twin[j*m+o], want)
							}
						}
					}
				}
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
		np, m := 24/k.v, 16*k.v
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
				for _, acc := range []bool{false, true} {
					var got, twin [384]float32
					var start [384]float64
					if acc {
						for i := range got {
							got[i] = float32(rng.NormFloat64())
							twin[i], start[i] = got[i], float64(got[i])
						}
					}
					a := 0
					if acc {
						a = 1
					}
					k.fn(&x[0], pos, &taps[0], nt, cin, xcs, &w[0], &got, a, 4*wcs)
					convOCTGo(k.v, x, pos, taps, cin, xcs, w, wcs, &twin, acc)
					name := fmt.Sprintf("v=%d taps=%d cin=%d acc=%v", k.v, nt, cin, acc)
					for p := range np {
						for o := range m {
							want, mag := start[p*m+o], math.Abs(start[p*m+o])
							for i := range nt {
								for c := range cin {
									b := x[pos+int(taps[2*i])+c*xcs:]
									wc := w[int(taps[2*i+1])+c*wcs:]
									terms := []float64{float64(b[p/2]) * float64(wc[m+o])}
									if p%2 == 1 {
										terms = []float64{float64(b[p/2]) * float64(wc[2*m+o]), float64(b[p/2+1]) * float64(wc[o])}
									}
									for _, v := range terms {
										want += v
										mag += math.Abs(v)
									}
								}
							}
							tol := 1e-6*mag + 1e-30
							if d := math.Abs(float64(got[p*m+o]) - want); d > tol {
								t.Fatalf("%s: position %d channel %d = %v, want %v", name, p, o, got[p*m+o], want)
							}
							if d := math.Abs(float64(twin[p*m+o]) - want); d > tol {
								t.Fatalf("%s: Go twin position %d channel %d = %v, want %v", name, p, o, twin[p*m+o], want)
							}
						}
					}
				}
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
// none to many positions and steps 1 and 2.
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
			var runs []int32
			dn := 0
			for _, n := range lens {
				runs = append(runs, int32(rng.IntN(900)), int32(dn*ldo), int32(n))
				dn += n
			}
			dyT := randF32(rng, dn*ldo+64)
			var got, twin [384]float32
			r := newOCRuns(runs, step, ldo)
			convOCDW6x64(x, &coff, &r, step, dyT, ldo, &got)
			convOCDW6x64Go(x, &coff, runs, step, dyT, ldo, &twin)
			for i, co := range coff {
				for o := range 64 {
					var want, mag float64
					for r := 0; r < len(runs); r += 3 {
						for q := range int(runs[r+2]) {
							v := float64(x[int(co)+int(runs[r])+q*step]) * float64(dyT[int(runs[r+1])+q*ldo+o])
							want += v
							mag += math.Abs(v)
						}
					}
					tol := 1e-6*mag + 1e-30
					if d := math.Abs(float64(got[i*64+o]) - want); d > tol {
						t.Fatalf("step %d runs %v: channel %d, %d = %v, want %v", step, lens, i, o, got[i*64+o], want)
					}
					if d := math.Abs(float64(twin[i*64+o]) - want); d > tol {
						t.Fatalf("step %d runs %v: Go twin channel %d, %d = %v, want %v", step, lens, i, o, twin[i*64+o], want)
					}
				}
			}
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
			for _, acc := range []bool{false, true} {
				const ldo = 48
				x := randF32(rng, 4000)
				coff := [4]int32{0, 501, 1002, 17}
				var runs []int32
				dn := 0
				for _, n := range lens {
					runs = append(runs, int32(rng.IntN(900)), int32(dn*ldo), int32(n))
					dn += n
				}
				dyT := randF32(rng, dn*ldo+32)
				r := newOCRuns(runs, step, ldo)
				var got, twin [384]float32
				var start [384]float64
				if acc {
					for i := range got {
						got[i] = float32(rng.NormFloat64())
						twin[i], start[i] = got[i], float64(got[i])
					}
				}
				convOCDW4x3x32(x, &coff, &r, 0, len(runs)/3, step, dyT, ldo, &got, acc)
				convOCDW4x3x32Go(x, &coff, runs, step, dyT, ldo, &twin, acc)
				for i, co := range coff {
					for kw := range 3 {
						for o := range 32 {
							k := (i*3+kw)*32 + o
							want, mag := start[k], math.Abs(start[k])
							for r := 0; r < len(runs); r += 3 {
								for q := range int(runs[r+2]) {
									v := float64(x[int(co)+int(runs[r])+q*step+kw]) * float64(dyT[int(runs[r+1])+q*ldo+o])
									want += v
									mag += math.Abs(v)
								}
							}
							tol := 1e-6*mag + 1e-30
							if d := math.Abs(float64(got[k]) - want); d > tol {
								t.Fatalf("step %d runs %v acc %v: (%d, %d, %d) = %v, want %v", step, lens, acc, i, kw, o, got[k], want)
							}
							if d := math.Abs(float64(twin[k]) - want); d > tol {
								t.Fatalf("step %d runs %v acc %v: Go twin (%d, %d, %d) = %v, want %v", step, lens, acc, i, kw, o, twin[k], want)
							}
						}
					}
				}
			}
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
