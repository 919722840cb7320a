//go:build !purego

package kernels

import (
	"fmt"
	"testing"
)

// BenchmarkSgemmMicro times the AVX-512 micro-kernels alone on one core,
// 24 A panels against one B panel as the blocked loop runs them, with C
// at a power-of-two row stride and one that is not, to tell the kernel's
// own speed from packing, blocking and cache conflicts. Compare cpu-GFLOP/s
// with the FMA peak (about 169 per core here).
func BenchmarkSgemmMicro(b *testing.B) {
	if !hasAVX512 {
		b.Skip("no AVX-512")
	}
	for _, mk := range []*microKernel{kernelAVX512, kernel8x48AVX512} {
		_, kc, _ := blockSizes(mk)
		for _, ldc := range []int{1024, 1040} {
			const panels = 24
			a := make([]float32, panels*mk.mr*kc)
			bp := make([]float32, kc*mk.nr)
			c := make([]float32, panels*mk.mr*ldc)
			for i := range a {
				a[i] = float32(i%7) - 3
			}
			for i := range bp {
				bp[i] = float32(i%5) - 2
			}
			b.Run(fmt.Sprintf("%dx%d/k%d/ldc%d", mk.mr, mk.nr, kc, ldc), func(b *testing.B) {
				c0 := processCPU()
				for b.Loop() {
					for p := 0; p < panels; p++ {
						mk.fn(kc, a[p*mk.mr*kc:(p+1)*mk.mr*kc], bp, c[p*mk.mr*ldc:], ldc, 1)
					}
				}
				if c := processCPU() - c0; c > 0 {
					b.ReportMetric(2*float64(panels*mk.mr*mk.nr*kc)*float64(b.N)/c/1e9, "cpu-GFLOP/s")
				}
			})
		}
	}
}
