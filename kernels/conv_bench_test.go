package kernels

import (
	"fmt"
	"testing"
)

// Convolution cases of ../shared/bench (cases.json): same names, shapes
// and FLOP counts (2·N·Cout·Cin·k^d·out per forward, three times that for
// forward + both backward passes), so GFLOP/s compare with peer_torch.py.
var benchConvCases = []benchConvCase{
	{8, 1, 32, []int{128, 128}},
	{8, 32, 32, []int{128, 128}},
	{8, 64, 64, []int{64, 64}},
	{8, 128, 128, []int{32, 32}},
	{8, 256, 256, []int{16, 16}},
	{2, 1, 16, []int{48, 48, 48}},
	{2, 16, 16, []int{48, 48, 48}},
	{2, 32, 32, []int{24, 24, 24}},
	{2, 64, 64, []int{12, 12, 12}},
}

type benchConvCase struct {
	n, cin, cout int
	spatial      []int
}

// setup returns the case's 3×3(×3) padding-1 convolution, its name as
// cases.json spells it and the FLOPs of one forward pass.
func (c benchConvCase) setup() (p ConvParams, name string, flops float64) {
	nd := len(c.spatial)
	p = ConvParams{N: c.n, Cin: c.cin, Cout: c.cout, In: c.spatial, Kernel: []int{3, 3, 3}[:nd], Pad: []int{1, 1, 1}[:nd]}
	flops = 2.0 * float64(c.n*c.cout*c.cin*prodInts(p.Kernel)*prodInts(c.spatial))
	dims := fmt.Sprint(c.spatial[0])
	for _, s := range c.spatial[1:] {
		dims += fmt.Sprintf("x%d", s)
	}
	return p, fmt.Sprintf("conv%dd_%dto%d_%s_n%d", nd, c.cin, c.cout, dims, c.n), flops
}

// convPass runs one pass of p: "fwd" (x, w → y), "bwddata" (dy, w → dx)
// or otherwise the weight gradient (x, dy → dw).
func convPass(pass string, p ConvParams, x, w, y, dy, dx, dw []float32) {
	switch pass {
	case "fwd":
		ConvForward(p, x, w, nil, y)
	case "bwddata":
		ConvBackwardData(p, dy, w, dx)
	default:
		ConvBackwardWeight(p, x, dy, dw, nil)
	}
}

func BenchmarkConv(b *testing.B) {
	for _, c := range benchConvCases {
		p, name, flops := c.setup()
		sp, kvol := prodInts(c.spatial), prodInts(p.Kernel)
		rng := newRNG(1)
		x := to32(normals(rng, c.n*c.cin*sp))
		w := to32(normals(rng, c.cout*c.cin*kvol))
		y := make([]float32, c.n*c.cout*sp)
		dy := to32(normals(rng, len(y)))
		dx, dw := make([]float32, len(x)), make([]float32, len(w))
		b.Run(name+"_fwd", func(b *testing.B) {
			ConvForward(p, x, w, nil, y)
			b.ReportAllocs()
			b.ResetTimer()
			c0 := processCPU()
			for i := 0; i < b.N; i++ {
				ConvForward(p, x, w, nil, y)
			}
			reportCPU(b, c0)
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		fwdbwd := func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			c0 := processCPU()
			for i := 0; i < b.N; i++ {
				ConvForward(p, x, w, nil, y)
				ConvBackwardData(p, dy, w, dx)
				ConvBackwardWeight(p, x, dy, dw, nil)
			}
			reportCPU(b, c0)
			b.ReportMetric(3*flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		}
		b.Run(name+"_fwdbwd", fwdbwd)
		// The two backward passes alone, to see where fwdbwd's time goes.
		b.Run(name+"_bwddata", func(b *testing.B) {
			c0 := processCPU()
			for i := 0; i < b.N; i++ {
				ConvBackwardData(p, dy, w, dx)
			}
			reportCPU(b, c0)
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		b.Run(name+"_bwdweight", func(b *testing.B) {
			c0 := processCPU()
			for i := 0; i < b.N; i++ {
				ConvBackwardWeight(p, x, dy, dw, nil)
			}
			reportCPU(b, c0)
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		// The same through im2col + Gemm, with the float32 convolution
		// hooks switched off: the path every shape a hook declines takes.
		b.Run(name+"_fwdbwd_im2col", func(b *testing.B) {
			f, d, wt := convForwardF32, convBackwardDataF32, convBackwardWeightF32
			convForwardF32, convBackwardDataF32, convBackwardWeightF32 = nil, nil, nil
			defer func() { convForwardF32, convBackwardDataF32, convBackwardWeightF32 = f, d, wt }()
			fwdbwd(b)
		})
	}
}

// reportCPU reports the process CPU time per operation since c0, the
// measure to compare on a loaded machine (see processCPU).
func reportCPU(b *testing.B, c0 float64) {
	if c := processCPU(); c > 0 {
		b.ReportMetric((c-c0)*1e3/float64(b.N), "cpu-ms/op")
	}
}

// BenchmarkConvStride2 times the 3×3×3 stride-2 downsampling convolutions
// of Modified3DUNet (f16, 48³ input, batch 2), forward and the passes of
// training, which before the phase-split direct path ran on im2col.
func BenchmarkConvStride2(b *testing.B) {
	for _, c := range []struct{ cin, cout, size int }{{16, 32, 48}, {32, 64, 24}, {64, 128, 12}} {
		p := ConvParams{N: 2, Cin: c.cin, Cout: c.cout, In: []int{c.size, c.size, c.size},
			Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}, Stride: []int{2, 2, 2}}
		out := prodInts(p.Out())
		rng := newRNG(1)
		x := to32(normals(rng, p.N*c.cin*c.size*c.size*c.size))
		w := to32(normals(rng, c.cout*c.cin*27))
		y := make([]float32, p.N*c.cout*out)
		dy := to32(normals(rng, len(y)))
		dx, dw := make([]float32, len(x)), make([]float32, len(w))
		name := fmt.Sprintf("conv3d_%dto%d_%d_s2_n2", c.cin, c.cout, c.size)
		for _, pass := range []string{"fwd", "bwddata", "bwdweight"} {
			b.Run(name+"_"+pass, func(b *testing.B) {
				c0 := processCPU()
				for i := 0; i < b.N; i++ {
					convPass(pass, p, x, w, y, dy, dx, dw)
				}
				reportCPU(b, c0)
			})
		}
	}
}
