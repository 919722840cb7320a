//go:build !purego

package kernels

// Go versions of the panel gathers, so that the AVX2 tier runs the same
// implicit-GEMM convolution with its 6×16 kernel.

// gatherRows16Go sets dst[p*16+j] = b[off[p]+j] for p < k, j < 16.
func gatherRows16Go(dst, b []float32, off []int32, k int) {
	dst = dst[:k*16]
	for p, o := range off[:k] {
		copy(dst[p*16:p*16+16], b[o:int(o)+16])
	}
}

// gatherColsGo sets dst[q*dstStride+j] = src[idx[j]+q] for q < n,
// j < lanes.
func gatherColsGo(dst, src []float32, idx *[16]int32, lanes, n, dstStride int) {
	for j := 0; j < lanes; j++ {
		s := src[idx[j] : int(idx[j])+n]
		for q, v := range s {
			dst[q*dstStride+j] = v
		}
	}
}

var convKernAVX2 = &convKernel{mk: kernelAVX2, gather: gatherRows16Go, gatherCols: gatherColsGo}
