package kernels

// gemmGeneric is the pure-Go GEMM: the reference the assembly is tested
// against. Rows of C are spread over the worker pool; within a row the
// i-k-j order streams B and C contiguously when B is not transposed.
func gemmGeneric[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	Parallel(m, 4, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			ci := c[i*ldc : i*ldc+n]
			if beta == 0 {
				clear(ci)
			} else if beta != 1 {
				for j := range ci {
					ci[j] *= beta
				}
			}
			for p := 0; p < k; p++ {
				var aip T
				if transA {
					aip = a[p*lda+i]
				} else {
					aip = a[i*lda+p]
				}
				aip *= alpha
				if transB {
					for j := range ci {
						ci[j] += aip * b[j*ldb+p]
					}
				} else {
					bp := b[p*ldb : p*ldb+n]
					for j, bv := range bp {
						ci[j] += aip * bv
					}
				}
			}
		}
	})
}
