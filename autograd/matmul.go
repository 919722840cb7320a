package autograd

import (
	"fmt"

	"github.com/ivadogo/ivadogo/tensor"
)

// MatMul returns the matrix product of a [m,k] and b [k,n], or the
// batched product of [B,m,k] and [B,k,n].
func MatMul[E Float](a, b *Var[E]) *Var[E] {
	out := tensor.MatMul(a.data, b.data)
	return record("MatMul", out, vars(a, b), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		var ga, gb *tensor.Dense[E]
		nd := a.data.Dims()
		if needs(a) { // gy·bᵀ
			ga = tensor.MatMul(gy, b.data.Transpose(nd-2, nd-1))
		}
		if needs(b) { // aᵀ·gy
			gb = tensor.MatMul(a.data.Transpose(nd-2, nd-1), gy)
		}
		return grads(ga, gb)
	})
}

// Linear returns x·wᵀ + b for x [N, in], w [out, in] and b [out] or nil,
// as torch.nn.functional.linear. x may have more leading axes; they are
// flattened into N and restored.
func Linear[E Float](x, w, b *Var[E]) *Var[E] {
	xs := x.Shape()
	if len(xs) < 1 || w.data.Dims() != 2 || xs[len(xs)-1] != w.Dim(1) {
		panic(fmt.Sprintf("autograd: Linear of input %v with weight %v", xs, w.Shape()))
	}
	if b != nil && (b.data.Dims() != 1 || b.Dim(0) != w.Dim(0)) {
		panic(fmt.Sprintf("autograd: Linear bias %v for weight %v", b.Shape(), w.Shape()))
	}
	in, outF := w.Dim(1), w.Dim(0)
	x2 := x.data.Reshape(-1, in)
	n := x2.Dim(0)
	y := tensor.Empty[E](n, outF)
	if b != nil {
		y.CopyFrom(b.data.Reshape(1, outF))
		tensor.MatMulInto(y, x2, w.data.Transpose(0, 1), 1, 1)
	} else {
		tensor.MatMulInto(y, x2, w.data.Transpose(0, 1), 1, 0)
	}
	outShape := append(append([]int(nil), xs[:len(xs)-1]...), outF)
	y = y.Reshape(outShape...)
	inputs := vars(x, w, b)
	if b == nil {
		inputs = vars(x, w)
	}
	return record("Linear", y, inputs, nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		g2 := gy.Reshape(n, outF)
		gs := make([]*tensor.Dense[E], len(inputs))
		if needs(x) {
			gs[0] = tensor.MatMul(g2, w.data).Reshape(xs...)
		}
		if needs(w) {
			gs[1] = tensor.MatMul(g2.Transpose(0, 1), x2)
		}
		if b != nil && needs(b) {
			gs[2] = tensor.Sum(g2, []int{0}, false)
		}
		return gs
	})
}
