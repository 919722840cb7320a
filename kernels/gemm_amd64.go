//go:build !purego

package kernels

// Assembly micro-kernels (gemm_amd64.s); see microKernel for the contract.
// The AVX2 kernel uses FMA3 and is installed only when hasAVX2FMA.

//go:noescape
func sgemmKernel12x32AVX512(k int, a, b, c []float32, ldc int, beta float32)

//go:noescape
func sgemmKernel8x48AVX512(k int, a, b, c []float32, ldc int, beta float32)

//go:noescape
func sgemmKernel6x16AVX2(k int, a, b, c []float32, ldc int, beta float32)

var (
	kernelAVX512 = &microKernel{mr: 12, nr: 32, fn: sgemmKernel12x32AVX512, packA: packA12AVX512, packAT: packAT12AVX512, packBRows: packBRows32AVX512, packBPanel: packBPanel32AVX512,
		gatherCols: gatherCols16AVX512, alt: kernel8x48AVX512}
	// kernel8x48AVX512 serves convolutions whose output channels are a
	// multiple of 8 but not of 12, and GEMMs whose rows are.
	kernel8x48AVX512 = &microKernel{mr: 8, nr: 48, fn: sgemmKernel8x48AVX512, packA: packA8AVX512, packAT: packAT8AVX512, packBPanel: packBPanel48AVX512,
		gatherCols: gatherCols16AVX512}
	kernelAVX2 = &microKernel{mr: 6, nr: 16, fn: sgemmKernel6x16AVX2, packBPanel: packBPanel16AVX2}
)
