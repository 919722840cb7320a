package kernels

// gemmGeneric is the pure-Go GEMM: the reference the assembly is tested
// against. Rows of C are spread over the worker pool; within a row the
// i-k-j order streams B and C contiguously when B is not transposed.
func gemmGeneric[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	l := typedList[T](&gemmGenericJobs)
	j := getJob[gemmGenericJob[T]](l)
	*j = gemmGenericJob[T]{transA, transB, n, k, alpha, beta, a, b, c, lda, ldb, ldc}
	parallelJob(m, 4, j)
	putJob(l, j)
}

var gemmGenericJobs [2]jobList

type gemmGenericJob[T Float] struct {
	transA, transB bool
	n, k           int
	alpha, beta    T
	a, b, c        []T
	lda, ldb, ldc  int
}

func (j *gemmGenericJob[T]) run(lo, hi int) {
	transA, transB, n, k, alpha, beta := j.transA, j.transB, j.n, j.k, j.alpha, j.beta
	a, b, c, lda, ldb, ldc := j.a, j.b, j.c, j.lda, j.ldb, j.ldc
	{
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
	}
}
