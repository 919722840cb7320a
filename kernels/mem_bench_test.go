package kernels

import (
	"fmt"
	"testing"
)

// Memory-bound cases of ../shared/bench: same names and byte counts
// (4 bytes per element read or written, as peer_torch.py defines them).
// On a shared machine compare cpu-ms/op (process CPU time) at -cpu 1.
func BenchmarkMemOps(b *testing.B) {
	for _, shape := range [][]int{{8, 32, 128, 128}, {2, 16, 48, 48, 48}} {
		nd := len(shape) - 2
		S := prodInts(shape)
		n, c, s := shape[0], shape[1], S/(shape[0]*shape[1])
		So := S >> nd
		sh := fmt.Sprint(shape[0])
		for _, v := range shape[1:] {
			sh += fmt.Sprintf("x%d", v)
		}
		rng := newRNG(2)
		x := to32(normals(rng, S))
		y, dx, dy := make([]float32, S), make([]float32, S), to32(normals(rng, S))
		pooled, idx := make([]float32, So), make([]int32, So)
		gamma, beta := make([]float32, c), make([]float32, c)
		for i := range gamma {
			gamma[i] = 1
		}
		mean, invstd := make([]float32, n*c), make([]float32, n*c)
		dg, db := make([]float32, c), make([]float32, c)
		pp := PoolParams{N: n, C: c, In: shape[2:], Kernel: []int{2, 2, 2}[:nd]}
		ops := []struct {
			name    string
			fb, bb  int
			fwd     func()
			bwdOnly func()
		}{
			{"relu", 8 * S, 12 * S, func() { Relu(y, x) }, func() { ReluBackward(dx, y, dy) }},
			{fmt.Sprintf("maxpool%dd", nd), 4 * (S + So), 4 * (So + S),
				func() { MaxPoolForward(pp, x, pooled, idx) }, func() { MaxPoolBackward(pp, dy[:So], idx, dx) }},
			{fmt.Sprintf("batchnorm%dd", nd), 8 * S, 12 * S,
				func() { BatchNormForward(n, c, s, x, gamma, beta, 1e-5, y, mean[:c], invstd[:c]) },
				func() { BatchNormBackward(n, c, s, x, dy, gamma, mean[:c], invstd[:c], dx, dg, db) }},
			{fmt.Sprintf("instancenorm%dd", nd), 8 * S, 12 * S,
				func() { GroupNormForward(n, c, s, c, x, nil, nil, 1e-5, y, mean, invstd) },
				func() { GroupNormBackward(n, c, s, c, x, dy, nil, mean, invstd, dx, nil, nil) }},
		}
		for _, op := range ops {
			name := op.name + "_" + sh
			b.Run(name+"_fwd", func(b *testing.B) {
				op.fwd()
				b.ReportAllocs()
				b.ResetTimer()
				c0 := processCPU()
				for i := 0; i < b.N; i++ {
					op.fwd()
				}
				reportCPU(b, c0)
				b.ReportMetric(float64(op.fb)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
			})
			b.Run(name+"_fwdbwd", func(b *testing.B) {
				b.ReportAllocs()
				b.ResetTimer()
				c0 := processCPU()
				for i := 0; i < b.N; i++ {
					op.fwd()
					op.bwdOnly()
				}
				reportCPU(b, c0)
				b.ReportMetric(float64(op.fb+op.bb)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
			})
		}
	}
}

// The kernels added after the bench cases, on every tier (generic is the
// pure-Go baseline): Adam on the 4.9M parameters of the 2D U-Net, the
// U-Nets' upsamplings, LeakyReLU on the 3D activation, and the
// average-pooling and batch-norm-inference passes. GB/s counts 4 bytes
// per element read or written (Adam: 4 arrays read, 3 written).
//
//	go test -run - -bench 'MemExtra' -cpu 1 -count 5 ./kernels
func BenchmarkMemExtra(b *testing.B) {
	rng := newRNG(3)
	type op struct {
		name  string
		bytes int
		run   func()
	}
	var ops []op
	{
		n := 4901569
		p, g, m, v := to32(normals(rng, n)), to32(normals(rng, n)), make([]float32, n), make([]float32, n)
		ap := AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 1}
		ops = append(ops, op{"adam_4901569", 28 * n, func() { AdamUpdate(ap, p, g, m, v) }})
	}
	for _, ip := range []InterpParams{
		{N: 8, C: 32, In: []int{64, 64}, Out: []int{128, 128}, Mode: Linear, AlignCorners: true},
		{N: 2, C: 16, In: []int{24, 24, 24}, Out: []int{48, 48, 48}, Mode: Nearest},
		{N: 2, C: 16, In: []int{24, 24, 24}, Out: []int{48, 48, 48}, Mode: Linear},
	} {
		ni, no := ip.N*ip.C*prod(ip.In), ip.N*ip.C*prod(ip.Out)
		x, y, dx := to32(normals(rng, ni)), make([]float32, no), make([]float32, ni)
		name := fmt.Sprintf("interp%dd_%s_ac%v", len(ip.In), map[InterpMode]string{Nearest: "nearest", Linear: "linear"}[ip.Mode], ip.AlignCorners)
		ops = append(ops,
			op{name + "_fwd", 4 * (ni + no), func() { InterpForward(ip, x, y) }},
			op{name + "_bwd", 4 * (ni + no), func() { InterpBackward(ip, y, dx) }})
	}
	{
		S := 2 * 16 * 48 * 48 * 48
		x, y, dy := to32(normals(rng, S)), make([]float32, S), to32(normals(rng, S))
		ops = append(ops,
			op{"leakyrelu_2x16x48x48x48_fwd", 8 * S, func() { LeakyRelu(y, x, 0.01) }},
			op{"leakyrelu_2x16x48x48x48_bwd", 12 * S, func() { LeakyReluBackward(y, x, dy, 0.01) }})
		pp := PoolParams{N: 2, C: 16, In: []int{48, 48, 48}, Kernel: []int{2, 2, 2}}
		so := S / 8
		ops = append(ops,
			op{"avgpool3d_2x16x48x48x48_fwd", 4 * (S + so), func() { AvgPoolForward(pp, x, y[:so]) }},
			op{"avgpool3d_2x16x48x48x48_bwd", 4 * (S + so), func() { AvgPoolBackward(pp, dy[:so], y) }})
		g, bt, rm, rv := to32(normals(rng, 16)), to32(normals(rng, 16)), to32(normals(rng, 16)), make([]float32, 16)
		for i := range rv {
			rv[i] = 1
		}
		ops = append(ops, op{"bninfer_2x16x48x48x48", 8 * S, func() { BatchNormInference(2, 16, 48*48*48, x, g, bt, rm, rv, 1e-5, y) }})
	}
	for _, o := range ops {
		for _, tr := range availableTiers() {
			b.Run(o.name+"/"+tr.String(), func(b *testing.B) {
				defer setTier(tr)()
				o.run()
				b.ResetTimer()
				c0 := processCPU()
				for i := 0; i < b.N; i++ {
					o.run()
				}
				reportCPU(b, c0)
				b.ReportMetric(float64(o.bytes)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
			})
		}
	}
}
