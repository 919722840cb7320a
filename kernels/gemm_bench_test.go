package kernels

import (
	"fmt"
	"testing"
)

func BenchmarkSgemm(b *testing.B) {
	for _, s := range [][3]int{{1024, 1024, 1024}, {512, 1024, 4608}, {64, 4096, 576}} {
		m, n, k := s[0], s[1], s[2]
		a, bb, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
		for i := range a {
			a[i] = float32(i%7) - 3
		}
		for i := range bb {
			bb[i] = float32(i%5) - 2
		}
		for _, tr := range availableTiers()[1:] {
			b.Run(fmt.Sprintf("%s/%dx%dx%d", tr, m, n, k), func(b *testing.B) {
				defer setTier(tr)()
				c0 := processCPU()
				for b.Loop() {
					Gemm(false, false, m, n, k, 1, a, k, bb, n, 0, c, n)
				}
				reportCPU(b, c0)
				b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
