package kernels

import "fmt"

// Gemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices,
// where op(X) is X or its transpose. op(A) is m×k, op(B) is k×n and C is
// m×n; lda, ldb and ldc are the row strides of A, B and C as stored.
// When beta is 0, C is not read (NaNs in it do not propagate), as in BLAS.
func Gemm[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	checkGemm(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if m == 0 || n == 0 {
		return
	}
	if mk := sgemmKernel; mk != nil && m*n*k >= sgemmMinWork {
		if alt := mk.alt; alt != nil && tilesArea(alt, m, n) < tilesArea(mk, m, n) {
			mk = alt
		}
		if a32, ok := any(a).([]float32); ok {
			b32, c32 := any(b).([]float32), any(c).([]float32)
			d := getJob[denseB](&denseBJobs)
			*d = denseB{b: b32, ld: ldb, trans: transB}
			sgemmPacked(mk, m, n, k, float32(alpha), a32, lda, transA, d, float32(beta), c32, ldc)
			putJob(&denseBJobs, d)
			return
		}
	}
	gemmGeneric(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

var denseBJobs jobList

// tilesArea is the area of C that mk's tiles cover, edge tiles included:
// 64 rows take 6 tiles of 12 rows, a ninth of them padding, but 8 of 8.
func tilesArea(mk *microKernel, m, n int) int {
	return ceilDiv(m, mk.mr) * mk.mr * ceilDiv(n, mk.nr) * mk.nr
}

// checkGemm panics with the shapes when the slices cannot hold the
// matrices they are said to hold.
func checkGemm(transA, transB bool, m, n, k, la, lda, lb, ldb, lc, ldc int) {
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	bad := func(name string, rows, cols, l, ld int) {
		if rows == 0 || cols == 0 {
			return
		}
		if ld < cols || l < (rows-1)*ld+cols {
			panic(fmt.Sprintf("kernels: Gemm(transA=%v, transB=%v, m=%d, n=%d, k=%d): %s is %d×%d with stride %d but has %d elements",
				transA, transB, m, n, k, name, rows, cols, ld, l))
		}
	}
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("kernels: Gemm: negative size m=%d n=%d k=%d", m, n, k))
	}
	bad("A", ar, ac, la, lda)
	bad("B", br, bc, lb, ldb)
	bad("C", m, n, lc, ldc)
}

// sgemmMinWork is the m·n·k below which float32 GEMMs stay on the generic
// code: packing and waking the workers cost more than such products
// (tests lower it to run the assembly on every shape).
var sgemmMinWork = 8 * 8 * 8
