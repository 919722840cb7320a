package kernels

import (
	"fmt"
	"testing"
)

// Memory-bound cases of ../shared/bench: same names and byte counts
// (4 bytes per element read or written, as peer_torch.py defines them).
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
				for i := 0; i < b.N; i++ {
					op.fwd()
				}
				b.ReportMetric(float64(op.fb)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
			})
			b.Run(name+"_fwdbwd", func(b *testing.B) {
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					op.fwd()
					op.bwdOnly()
				}
				b.ReportMetric(float64(op.fb+op.bb)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
			})
		}
	}
}
