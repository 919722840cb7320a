package kernels

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// pad3 right-aligns a 1- to 3-element slice into three axes, filling with def.
func pad3(s []int, nd, def int) [3]int {
	var a [3]int
	for i := range a {
		a[i] = def
		if j := i - (3 - nd); j >= 0 && s != nil {
			a[i] = s[j]
		}
	}
	return a
}

// naiveConv is the convolution written as its definition, in float64.
func naiveConv(p ConvParams, x, w, bias []float64) []float64 {
	nd := len(p.In)
	in, k := pad3(p.In, nd, 1), pad3(p.Kernel, nd, 1)
	s, pd, d := pad3(p.Stride, nd, 1), pad3(p.Pad, nd, 0), pad3(p.Dilation, nd, 1)
	out := pad3(p.Out(), nd, 1)
	G := max(p.Groups, 1)
	cinG, coutG := p.Cin/G, p.Cout/G
	y := make([]float64, p.N*p.Cout*out[0]*out[1]*out[2])
	yi := 0
	for n := 0; n < p.N; n++ {
		for o := 0; o < p.Cout; o++ {
			g := o / coutG
			for z := 0; z < out[0]; z++ {
				for h := 0; h < out[1]; h++ {
					for v := 0; v < out[2]; v++ {
						var acc float64
						if bias != nil {
							acc = bias[o]
						}
						for c := 0; c < cinG; c++ {
							for a := 0; a < k[0]; a++ {
								for b := 0; b < k[1]; b++ {
									for e := 0; e < k[2]; e++ {
										iz, ih, iv := z*s[0]-pd[0]+a*d[0], h*s[1]-pd[1]+b*d[1], v*s[2]-pd[2]+e*d[2]
										if iz < 0 || iz >= in[0] || ih < 0 || ih >= in[1] || iv < 0 || iv >= in[2] {
											continue
										}
										xv := x[(((n*p.Cin+g*cinG+c)*in[0]+iz)*in[1]+ih)*in[2]+iv]
										wv := w[(((o*cinG+c)*k[0]+a)*k[1]+b)*k[2]+e]
										acc += xv * wv
									}
								}
							}
						}
						y[yi] = acc
						yi++
					}
				}
			}
		}
	}
	return y
}

// naiveConvTranspose scatters every input value through the kernel, as
// PyTorch's ConvTranspose documentation defines it, in float64.
func naiveConvTranspose(p ConvTransposeParams, x, w, bias []float64) []float64 {
	nd := len(p.In)
	in, k := pad3(p.In, nd, 1), pad3(p.Kernel, nd, 1)
	s, pd, d := pad3(p.Stride, nd, 1), pad3(p.Pad, nd, 0), pad3(p.Dilation, nd, 1)
	out := pad3(p.Out(), nd, 1)
	G := max(p.Groups, 1)
	cinG, coutG := p.Cin/G, p.Cout/G
	ovol := out[0] * out[1] * out[2]
	y := make([]float64, p.N*p.Cout*ovol)
	for n := 0; n < p.N; n++ {
		for o := 0; o < p.Cout; o++ {
			for i := 0; i < ovol; i++ {
				if bias != nil {
					y[(n*p.Cout+o)*ovol+i] = bias[o]
				}
			}
		}
		for c := 0; c < p.Cin; c++ {
			g := c / cinG
			for z := 0; z < in[0]; z++ {
				for h := 0; h < in[1]; h++ {
					for v := 0; v < in[2]; v++ {
						xv := x[(((n*p.Cin+c)*in[0]+z)*in[1]+h)*in[2]+v]
						for oo := 0; oo < coutG; oo++ {
							for a := 0; a < k[0]; a++ {
								for b := 0; b < k[1]; b++ {
									for e := 0; e < k[2]; e++ {
										oz, oh, ov := z*s[0]-pd[0]+a*d[0], h*s[1]-pd[1]+b*d[1], v*s[2]-pd[2]+e*d[2]
										if oz < 0 || oz >= out[0] || oh < 0 || oh >= out[1] || ov < 0 || ov >= out[2] {
											continue
										}
										wv := w[(((c*coutG+oo)*k[0]+a)*k[1]+b)*k[2]+e]
										y[(((n*p.Cout+g*coutG+oo)*out[0]+oz)*out[1]+oh)*out[2]+ov] += xv * wv
									}
								}
							}
						}
					}
				}
			}
		}
	}
	return y
}

// randConvParams draws a small convolution of rank nd whose output is not
// empty, with odd sizes, size-1 axes, strides and dilations of 2, padding
// and groups all occurring.
func randConvParams(rng *rand.Rand, nd int) ConvParams {
	G := 1 + rng.IntN(3)
	p := ConvParams{N: 1 + rng.IntN(3), Cin: G * (1 + rng.IntN(3)), Cout: G * (1 + rng.IntN(3)), Groups: G}
	maxIn := []int{0, 11, 7, 5}[nd]
	for i := 0; i < nd; i++ {
		k, s, d := 1+rng.IntN(3), 1+rng.IntN(2), 1+rng.IntN(2)
		pad := rng.IntN(k) // PyTorch allows any pad, keep it below the kernel
		lo := max(1, d*(k-1)+1-2*pad)
		p.Kernel = append(p.Kernel, k)
		p.Stride = append(p.Stride, s)
		p.Dilation = append(p.Dilation, d)
		p.Pad = append(p.Pad, pad)
		p.In = append(p.In, lo+rng.IntN(maxIn))
	}
	if rng.IntN(4) == 0 {
		p.Stride, p.Dilation = nil, nil
	}
	if rng.IntN(4) == 0 {
		p.Pad = nil
		for i := range p.In {
			p.In[i] = max(p.In[i], at(p.Dilation, i, 1)*(p.Kernel[i]-1)+1)
		}
	}
	if rng.IntN(2) == 0 && p.Groups == 1 {
		p.Groups = 0
	}
	return p
}

func convCases(rng *rand.Rand, n int) []ConvParams {
	cases := []ConvParams{
		// Pointwise, the GEMM-only path.
		{N: 2, Cin: 3, Cout: 4, In: []int{5, 7}, Kernel: []int{1, 1}},
		{N: 1, Cin: 4, Cout: 2, In: []int{3, 1, 5}, Kernel: []int{1, 1, 1}, Groups: 2},
		// Pointwise with a stride is not the GEMM-only path.
		{N: 1, Cin: 2, Cout: 3, In: []int{6, 5}, Kernel: []int{1, 1}, Stride: []int{2, 2}},
		// U-Net-like 3×3 and 3×3×3 with padding 1.
		{N: 2, Cin: 3, Cout: 5, In: []int{9, 8}, Kernel: []int{3, 3}, Pad: []int{1, 1}, Stride: []int{1, 1}, Dilation: []int{1, 1}},
		{N: 1, Cin: 2, Cout: 3, In: []int{5, 4, 6}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
		// Kernel as large as the padded input: one output.
		{N: 1, Cin: 1, Cout: 1, In: []int{3}, Kernel: []int{5}, Pad: []int{1}},
		// Depthwise.
		{N: 2, Cin: 3, Cout: 6, In: []int{7, 5}, Kernel: []int{3, 2}, Stride: []int{2, 1}, Dilation: []int{1, 2}, Pad: []int{1, 1}, Groups: 3},
	}
	for i := 0; i < n; i++ {
		cases = append(cases, randConvParams(rng, 1+i%3))
	}
	return cases
}

func TestConvForwardAgainstNaive(t *testing.T) {
	withWorkers(t, func(t *testing.T) {
		rng := newRNG(10)
		for i, p := range convCases(rng, 60) {
			G := max(p.Groups, 1)
			x := normals(rng, p.N*p.Cin*prodInts(p.In))
			w := normals(rng, p.Cout*p.Cin/G*prodInts(p.Kernel))
			var bias []float64
			if i%2 == 0 {
				bias = normals(rng, p.Cout)
			}
			want := naiveConv(p, x, w, bias)
			y := make([]float64, len(want))
			for j := range y {
				y[j] = 1e9 // outputs are overwritten, not accumulated into
			}
			ConvForward(p, x, w, bias, y)
			assertClose(t, fmt.Sprintf("case %d %+v", i, p), y, want, 1e-12)

			y32 := make([]float32, len(want))
			ConvForward(p, to32(x), to32(w), to32OrNil(bias), y32)
			assertClose(t, fmt.Sprintf("float32 case %d %+v", i, p), to64(y32), want, 1e-4)
		}
	})
}

func to32OrNil(s []float64) []float32 {
	if s == nil {
		return nil
	}
	return to32(s)
}

// TestConvBackwardFiniteDifference checks both backward kernels against
// central differences of L = Σ r·ConvForward(x, w, b) for random r.
func TestConvBackwardFiniteDifference(t *testing.T) {
	withWorkers(t, func(t *testing.T) {
		rng := newRNG(11)
		for i, p := range convCases(rng, casesN(30, 12)) {
			G := max(p.Groups, 1)
			x := normals(rng, p.N*p.Cin*prodInts(p.In))
			w := normals(rng, p.Cout*p.Cin/G*prodInts(p.Kernel))
			bias := normals(rng, p.Cout)
			r := normals(rng, p.N*p.Cout*prodInts(p.Out()))
			y := make([]float64, len(r))
			loss := func() float64 { ConvForward(p, x, w, bias, y); return inner(y, r) }

			dx := make([]float64, len(x))
			ConvBackwardData(p, r, w, dx)
			assertClose(t, fmt.Sprintf("dx case %d %+v", i, p), dx, numGrad(loss, x, 1e-3), 1e-7)

			dw, db := make([]float64, len(w)), make([]float64, len(bias))
			for j := range dw {
				dw[j] = 1e9
			}
			ConvBackwardWeight(p, x, r, dw, db)
			assertClose(t, fmt.Sprintf("dw case %d %+v", i, p), dw, numGrad(loss, w, 1e-3), 1e-7)
			assertClose(t, fmt.Sprintf("dbias case %d %+v", i, p), db, numGrad(loss, bias, 1e-3), 1e-7)
			ConvBackwardWeight(p, x, r, dw, nil)
			assertClose(t, fmt.Sprintf("dw without dbias case %d", i), dw, numGrad(loss, w, 1e-3), 1e-7)

			// float32 goes through the assembly hooks where they apply.
			dx32, dw32, db32 := make([]float32, len(x)), make([]float32, len(w)), make([]float32, len(bias))
			ConvBackwardData(p, to32(r), to32(w), dx32)
			ConvBackwardWeight(p, to32(x), to32(r), dw32, db32)
			assertClose(t, fmt.Sprintf("float32 dx case %d", i), to64(dx32), dx, 1e-4)
			assertClose(t, fmt.Sprintf("float32 dw case %d", i), to64(dw32), dw, 1e-4)
			assertClose(t, fmt.Sprintf("float32 dbias case %d", i), to64(db32), db, 1e-4)
		}
	})
}

// TestConvTiled forces many im2col tiles so that the tile boundaries
// (which fall inside output planes) are exercised.
func TestConvTiled(t *testing.T) {
	old := colBudget
	defer func() { colBudget = old }()
	withWorkers(t, func(t *testing.T) {
		rng := newRNG(12)
		for _, budget := range []int{1, 40, 300} {
			colBudget = budget
			for i, p := range convCases(rng, casesN(12, 3)) {
				G := max(p.Groups, 1)
				x := normals(rng, p.N*p.Cin*prodInts(p.In))
				w := normals(rng, p.Cout*p.Cin/G*prodInts(p.Kernel))
				r := normals(rng, p.N*p.Cout*prodInts(p.Out()))
				y := make([]float64, len(r))
				ConvForward(p, x, w, nil, y)
				assertClose(t, fmt.Sprintf("y budget %d case %d", budget, i), y, naiveConv(p, x, w, nil), 1e-12)
				loss := func() float64 { ConvForward(p, x, w, nil, y); return inner(y, r) }
				dx, dw := make([]float64, len(x)), make([]float64, len(w))
				ConvBackwardData(p, r, w, dx)
				ConvBackwardWeight(p, x, r, dw, nil)
				assertClose(t, fmt.Sprintf("dx budget %d case %d", budget, i), dx, numGrad(loss, x, 1e-3), 1e-7)
				assertClose(t, fmt.Sprintf("dw budget %d case %d", budget, i), dw, numGrad(loss, w, 1e-3), 1e-7)
			}
		}
	})
}

func randConvTransposeParams(rng *rand.Rand, nd int) ConvTransposeParams {
	G := 1 + rng.IntN(2)
	p := ConvTransposeParams{N: 1 + rng.IntN(2), Cin: G * (1 + rng.IntN(3)), Cout: G * (1 + rng.IntN(3)), Groups: G}
	for i := 0; i < nd; i++ {
		k, s, d := 1+rng.IntN(3), 1+rng.IntN(2), 1+rng.IntN(2)
		pad := rng.IntN(k)
		op := rng.IntN(max(s, d))
		p.Kernel = append(p.Kernel, k)
		p.Stride = append(p.Stride, s)
		p.Dilation = append(p.Dilation, d)
		p.Pad = append(p.Pad, pad)
		p.OutputPadding = append(p.OutputPadding, op)
		// Output (in−1)s − 2pad + d(k−1) + op + 1 must be ≥ 1.
		in := 1 + rng.IntN([]int{0, 6, 5, 3}[nd])
		for (in-1)*s-2*pad+d*(k-1)+op+1 < 1 {
			in++
		}
		p.In = append(p.In, in)
	}
	return p
}

func convTransposeCases(rng *rand.Rand, n int) []ConvTransposeParams {
	cases := []ConvTransposeParams{
		// The U-Net up-convolution: kernel 2, stride 2.
		{N: 2, Cin: 4, Cout: 2, In: []int{3, 5}, Kernel: []int{2, 2}, Stride: []int{2, 2}},
		{N: 1, Cin: 2, Cout: 3, In: []int{2, 3, 2}, Kernel: []int{2, 2, 2}, Stride: []int{2, 2, 2}},
		// kernel 3, stride 2, pad 1, output padding 1.
		{N: 1, Cin: 3, Cout: 2, In: []int{4, 3}, Kernel: []int{3, 3}, Stride: []int{2, 2}, Pad: []int{1, 1}, OutputPadding: []int{1, 1}},
		// Output padding ≥ stride, allowed because it is below the dilation.
		{N: 1, Cin: 2, Cout: 2, In: []int{4}, Kernel: []int{3}, Stride: []int{1}, Dilation: []int{3}, OutputPadding: []int{2}},
		// 3×3(×3), stride 1, few channels: the few-channel passes of the
		// float32 hooks (convsmall_amd64.go), the forward on
		// backward-data's tile with 2 channels out, the weight gradient
		// with 1 channel in.
		{N: 2, Cin: 5, Cout: 2, In: []int{6, 18}, Kernel: []int{3, 3}, Pad: []int{1, 1}},
		{N: 1, Cin: 1, Cout: 3, In: []int{3, 4, 17}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
	}
	for i := 0; i < n; i++ {
		cases = append(cases, randConvTransposeParams(rng, 1+i%3))
	}
	return cases
}

func TestConvTransposeAgainstNaiveAndFiniteDifference(t *testing.T) {
	withWorkers(t, func(t *testing.T) {
		rng := newRNG(13)
		for i, p := range convTransposeCases(rng, casesN(30, 15)) {
			G := max(p.Groups, 1)
			x := normals(rng, p.N*p.Cin*prodInts(p.In))
			w := normals(rng, p.Cin*p.Cout/G*prodInts(p.Kernel))
			bias := normals(rng, p.Cout)
			want := naiveConvTranspose(p, x, w, bias)
			y := make([]float64, len(want))
			ConvTransposeForward(p, x, w, bias, y)
			name := fmt.Sprintf("case %d %+v", i, p)
			assertClose(t, "y "+name, y, want, 1e-12)

			y32 := make([]float32, len(want))
			ConvTransposeForward(p, to32(x), to32(w), to32(bias), y32)
			assertClose(t, "float32 y "+name, to64(y32), want, 1e-4)

			r := normals(rng, len(y))
			loss := func() float64 { ConvTransposeForward(p, x, w, bias, y); return inner(y, r) }
			dx, dw, db := make([]float64, len(x)), make([]float64, len(w)), make([]float64, len(bias))
			ConvTransposeBackwardData(p, r, w, dx)
			ConvTransposeBackwardWeight(p, x, r, dw, db)
			assertClose(t, "dx "+name, dx, numGrad(loss, x, 1e-3), 1e-7)
			assertClose(t, "dw "+name, dw, numGrad(loss, w, 1e-3), 1e-7)
			assertClose(t, "dbias "+name, db, numGrad(loss, bias, 1e-3), 1e-7)

			dx32, dw32, db32 := make([]float32, len(x)), make([]float32, len(w)), make([]float32, len(bias))
			ConvTransposeBackwardData(p, to32(r), to32(w), dx32)
			ConvTransposeBackwardWeight(p, to32(x), to32(r), dw32, db32)
			assertClose(t, "float32 dx "+name, to64(dx32), dx, 1e-4)
			assertClose(t, "float32 dw "+name, to64(dw32), dw, 1e-4)
			assertClose(t, "float32 dbias "+name, to64(db32), db, 1e-4)
		}
	})
}

func TestConvPanicsOnBadShapes(t *testing.T) {
	good := ConvParams{N: 1, Cin: 2, Cout: 2, In: []int{4, 4}, Kernel: []int{3, 3}}
	tests := []struct {
		name string
		fn   func()
	}{
		{"short input", func() { ConvForward(good, make([]float32, 31), make([]float32, 36), nil, make([]float32, 8)) }},
		{"short weight", func() { ConvForward(good, make([]float32, 32), make([]float32, 35), nil, make([]float32, 8)) }},
		{"bad bias", func() {
			ConvForward(good, make([]float32, 32), make([]float32, 36), make([]float32, 3), make([]float32, 8))
		}},
		{"long output", func() { ConvForward(good, make([]float32, 32), make([]float32, 36), nil, make([]float32, 9)) }},
		{"kernel rank", func() {
			p := good
			p.Kernel = []int{3}
			ConvForward(p, make([]float32, 32), make([]float32, 36), nil, make([]float32, 8))
		}},
		{"groups", func() {
			p := good
			p.Groups = 3
			ConvForward(p, make([]float32, 32), make([]float32, 36), nil, make([]float32, 8))
		}},
		{"kernel larger than input", func() {
			p := good
			p.Kernel = []int{5, 5}
			ConvBackwardData(p, make([]float32, 0), make([]float32, 100), make([]float32, 32))
		}},
		{"zero stride", func() {
			p := good
			p.Stride = []int{0, 1}
			ConvForward(p, make([]float32, 32), make([]float32, 36), nil, make([]float32, 8))
		}},
		{"negative padding", func() {
			p := good
			p.Pad = []int{-1, 0}
			ConvBackwardWeight(p, make([]float32, 32), make([]float32, 4), make([]float32, 36), nil)
		}},
		{"nil kernel", func() {
			p := good
			p.Kernel = nil
			ConvForward(p, make([]float32, 32), make([]float32, 36), nil, make([]float32, 8))
		}},
		{"transposed zero dilation", func() {
			p := ConvTransposeParams{N: 1, Cin: 1, Cout: 1, In: []int{3}, Kernel: []int{3}, Dilation: []int{0}}
			ConvTransposeForward(p, make([]float32, 3), make([]float32, 3), nil, make([]float32, 5))
		}},
		{"output padding", func() {
			p := ConvTransposeParams{N: 1, Cin: 1, Cout: 1, In: []int{3}, Kernel: []int{3}, Stride: []int{2}, OutputPadding: []int{2}}
			ConvTransposeForward(p, make([]float32, 3), make([]float32, 3), nil, make([]float32, 9))
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

func TestOutPanicsOnBadParams(t *testing.T) {
	tests := []struct {
		name string
		fn   func()
	}{
		{"conv zero stride", func() { ConvParams{In: []int{4}, Kernel: []int{3}, Stride: []int{0}}.Out() }},
		{"conv kernel rank", func() { ConvParams{In: []int{4, 4}, Kernel: []int{3}}.Out() }},
		{"conv no kernel", func() { ConvParams{In: []int{4}}.Out() }},
		{"transpose negative output padding", func() {
			ConvTransposeParams{In: []int{4}, Kernel: []int{3}, OutputPadding: []int{-1}}.Out()
		}},
		{"pool zero stride", func() { PoolParams{In: []int{4}, Kernel: []int{2}, Stride: []int{0}}.Out() }},
		{"pool four dimensions", func() { PoolParams{In: []int{4, 4, 4, 4}, Kernel: []int{2, 2, 2, 2}}.Out() }},
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
	// A kernel larger than the input is not misuse of Out: it reports the
	// (empty) size and the kernels reject it.
	if got := (ConvParams{In: []int{2}, Kernel: []int{5}}).Out(); got[0] != -2 {
		t.Fatalf("Out of a 5-kernel over 2 = %v, want [-2]", got)
	}
}
