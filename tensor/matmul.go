package tensor

import (
	"fmt"

	"github.com/ivadogo/ivadogo/kernels"
)

// gemmOperand returns the slice, leading dimension and transpose flag
// that describe a 2-D tensor to Gemm without copying when its layout
// allows (row-major, or a transposed row-major view).
func gemmOperand[E Float](t *Dense[E]) ([]E, int, bool, *Dense[E]) {
	r, c := t.shape[0], t.shape[1]
	if t.strides[1] == 1 && (t.strides[0] >= c || r == 1) {
		ld := max(t.strides[0], c)
		return t.buf()[t.off:], ld, false, t
	}
	if t.strides[0] == 1 && (t.strides[1] >= r || c == 1) {
		ld := max(t.strides[1], r)
		return t.buf()[t.off:], ld, true, t
	}
	ct := t.Clone()
	return ct.Data(), c, false, ct
}

// MatMul returns the matrix product a·b of a [m,k] and b [k,n], or the
// batched product of [B,m,k] and [B,k,n].
func MatMul[E Float](a, b *Dense[E]) *Dense[E] {
	switch {
	case len(a.shape) == 2 && len(b.shape) == 2:
		if a.shape[1] != b.shape[0] {
			panic(fmt.Sprintf("tensor: MatMul of shapes %v and %v", a.shape, b.shape))
		}
		out := Empty[E](a.shape[0], b.shape[1])
		MatMulInto(out, a, b, 1, 0)
		return out
	case len(a.shape) == 3 && len(b.shape) == 3:
		if a.shape[0] != b.shape[0] || a.shape[2] != b.shape[1] {
			panic(fmt.Sprintf("tensor: MatMul of shapes %v and %v", a.shape, b.shape))
		}
		out := Empty[E](a.shape[0], a.shape[1], b.shape[2])
		for i := 0; i < a.shape[0]; i++ {
			MatMulInto(out.Narrow(0, i, 1).Squeeze(0), a.Narrow(0, i, 1).Squeeze(0), b.Narrow(0, i, 1).Squeeze(0), 1, 0)
		}
		return out
	}
	panic(fmt.Sprintf("tensor: MatMul of shapes %v and %v: want two 2-D or two 3-D tensors", a.shape, b.shape))
}

// MatMulInto computes c = alpha·a·b + beta·c for 2-D a [m,k], b [k,n]
// and a row-major c [m,n].
func MatMulInto[E Float](c, a, b *Dense[E], alpha, beta E) {
	if len(a.shape) != 2 || len(b.shape) != 2 || len(c.shape) != 2 ||
		a.shape[1] != b.shape[0] || c.shape[0] != a.shape[0] || c.shape[1] != b.shape[1] {
		panic(fmt.Sprintf("tensor: MatMulInto %v = %v · %v", c.shape, a.shape, b.shape))
	}
	m, k, n := a.shape[0], a.shape[1], b.shape[1]
	if c.strides[1] != 1 && n > 1 {
		panic(fmt.Sprintf("tensor: MatMulInto: destination %v with strides %v is not row-major", c.shape, c.strides))
	}
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		Scal(beta, c)
		return
	}
	as, lda, ta, _ := gemmOperand(a)
	bs, ldb, tb, _ := gemmOperand(b)
	ldc := max(c.strides[0], n)
	kernels.Gemm(ta, tb, m, n, k, alpha, as, lda, bs, ldb, beta, c.buf()[c.off:], ldc)
}
