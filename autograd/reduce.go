package autograd

import (
	"github.com/ivadogo/ivadogo/tensor"
)

// keptShape returns shape with the given axes (all when none) set to 1.
func keptShape(shape []int, axes []int) []int {
	k := append([]int(nil), shape...)
	if len(axes) == 0 {
		for i := range k {
			k[i] = 1
		}
		return k
	}
	for _, a := range axes {
		if a < 0 {
			a += len(shape)
		}
		k[a] = 1
	}
	return k
}

// Sum sums x over the given axes (all when none); keepDim keeps them
// with size 1.
func Sum[E Float](x *Var[E], axes []int, keepDim bool) *Var[E] {
	out := tensor.Sum(x.data, axes, keepDim)
	kept := keptShape(x.Shape(), axes)
	return record("Sum", out, vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		g := tensor.EmptyLike(x.data)
		g.CopyFrom(gy.Reshape(kept...))
		return grads(g)
	})
}

// Mean averages x over the given axes (all when none).
func Mean[E Float](x *Var[E], axes []int, keepDim bool) *Var[E] {
	out := tensor.Mean(x.data, axes, keepDim)
	kept := keptShape(x.Shape(), axes)
	cnt := x.data.Len() / max(out.Len(), 1)
	return record("Mean", out, vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		g := tensor.EmptyLike(x.data)
		g.CopyFrom(gy.Reshape(kept...))
		tensor.Scal(1/E(cnt), g)
		return grads(g)
	})
}

// SumAll returns the sum of all elements as a 0-D Var.
func SumAll[E Float](x *Var[E]) *Var[E] { return Sum(x, nil, false) }

// MeanAll returns the mean of all elements as a 0-D Var.
func MeanAll[E Float](x *Var[E]) *Var[E] { return Mean(x, nil, false) }

// Max returns the largest element over the given axes (all when none).
// The gradient goes to the maximal elements, shared equally among ties
// (as PyTorch's amax).
func Max[E Float](x *Var[E], axes []int, keepDim bool) *Var[E] {
	out := tensor.Max(x.data, axes, keepDim)
	kept := keptShape(x.Shape(), axes)
	return record("Max", out, vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		m := out.Reshape(kept...)
		mask := tensor.Map2(x.data, m, func(a, b E) E {
			if a == b {
				return 1
			}
			return 0
		})
		cnt := tensor.Sum(mask, axes, true)
		share := tensor.Div(gy.Reshape(kept...), cnt)
		g := tensor.Mul(mask, share)
		mask.Release()
		cnt.Release()
		share.Release()
		return grads(g)
	})
}

// Variance returns the variance over the given axes (all when none), divided
// by count−1 when unbiased and by count otherwise.
func Variance[E Float](x *Var[E], axes []int, unbiased, keepDim bool) *Var[E] {
	out := tensor.Var(x.data, axes, unbiased, keepDim)
	kept := keptShape(x.Shape(), axes)
	cnt := x.data.Len() / max(out.Len(), 1)
	if unbiased {
		cnt--
	}
	return record("Variance", out, vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		// d var/dx = 2(x − mean)/cnt
		mean := tensor.Mean(x.data, axes, true)
		d := tensor.Sub(x.data, mean)
		g := tensor.Mul(d, gy.Reshape(kept...))
		tensor.Scal(2/E(cnt), g)
		mean.Release()
		d.Release()
		return grads(g)
	})
}
