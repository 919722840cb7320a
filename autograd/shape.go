package autograd

import (
	"github.com/ivadogo/ivadogo/tensor"
)

// Reshape returns x with a new shape of the same size (one size may be
// −1). The result shares x's data when x is contiguous.
func Reshape[E Float](x *Var[E], shape ...int) *Var[E] {
	out := x.data.Reshape(shape...)
	return record("Reshape", out, vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		return grads(gy.Reshape(x.Shape()...))
	})
}

// Flatten reshapes x to [x.Dim(0), rest], keeping the batch axis.
func Flatten[E Float](x *Var[E]) *Var[E] {
	return Reshape(x, x.Dim(0), -1)
}

// Permute reorders the axes of x: axis i of the result is axis axes[i].
func Permute[E Float](x *Var[E], axes ...int) *Var[E] {
	out := x.data.Permute(axes...)
	inv := make([]int, len(axes))
	for i, a := range axes {
		if a < 0 {
			a += len(axes)
		}
		inv[a] = i
	}
	return record("Permute", out, vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		return grads(gy.Permute(inv...))
	})
}

// Transpose swaps axes a and b.
func Transpose[E Float](x *Var[E], a, b int) *Var[E] {
	axes := make([]int, x.data.Dims())
	for i := range axes {
		axes[i] = i
	}
	if a < 0 {
		a += len(axes)
	}
	if b < 0 {
		b += len(axes)
	}
	axes[a], axes[b] = axes[b], axes[a]
	return Permute(x, axes...)
}

// Narrow returns length elements of axis starting at start.
func Narrow[E Float](x *Var[E], axis, start, length int) *Var[E] {
	return Slice(x, axis, start, start+length, 1)
}

// Slice returns the elements start, start+step, … (< end) of axis.
func Slice[E Float](x *Var[E], axis, start, end, step int) *Var[E] {
	out := x.data.Slice(axis, start, end, step)
	return record("Slice", out, vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		g := tensor.ZerosLike(x.data)
		g.Slice(axis, start, end, step).CopyFrom(gy)
		return grads(g)
	})
}

// Expand broadcasts x to shape (size-1 axes repeat; leading axes may be
// added), as PyTorch's expand. The gradient sums over the repeats.
func Expand[E Float](x *Var[E], shape ...int) *Var[E] {
	out := x.data.Expand(shape...)
	return record("Expand", out, vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		return grads(sumTo(gy, x.Shape(), false))
	})
}

// Unsqueeze inserts an axis of size 1 at position axis.
func Unsqueeze[E Float](x *Var[E], axis int) *Var[E] {
	out := x.data.Unsqueeze(axis)
	return record("Unsqueeze", out, vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		return grads(gy.Reshape(x.Shape()...))
	})
}

// Squeeze removes the given axes of size 1 (all of them when none given).
func Squeeze[E Float](x *Var[E], axes ...int) *Var[E] {
	out := x.data.Squeeze(axes...)
	return record("Squeeze", out, vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		return grads(gy.Reshape(x.Shape()...))
	})
}

// Concat joins xs along axis; the other axes must match.
func Concat[E Float](axis int, xs ...*Var[E]) *Var[E] {
	ds := make([]*tensor.Dense[E], len(xs))
	for i, x := range xs {
		ds[i] = x.data
	}
	out := tensor.Concat(axis, ds...)
	v := fresh(recordBlind("Concat", out, xs, nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		gs := make([]*tensor.Dense[E], len(xs))
		at := 0
		for i, x := range xs {
			n := x.data.Dim(axis)
			if needs(x) {
				gs[i] = gy.Narrow(axis, at, n)
			}
			at += n
		}
		return gs
	}))
	if v.requiresGrad && axis == 1 && allRemat(xs) {
		// Rebuild each part straight into its channels (see Drop).
		v.remat = func(dst *tensor.Dense[E]) {
			at := 0
			for _, x := range xs {
				n := x.data.Dim(1)
				part := dst.Narrow(1, at, n)
				if x.data.Storage().Released() {
					x.remat(part)
				} else {
					part.CopyFrom(x.data)
				}
				at += n
			}
		}
	}
	return v
}

// Stack joins equally shaped xs along a new axis.
func Stack[E Float](axis int, xs ...*Var[E]) *Var[E] {
	us := make([]*Var[E], len(xs))
	for i, x := range xs {
		us[i] = Unsqueeze(x, axis)
	}
	return Concat(axis, us...)
}

// Pad pads x with the constant value; pads holds (before, after) pairs
// from the last axis backwards, as torch.nn.functional.pad. Negative
// amounts crop.
func Pad[E Float](x *Var[E], pads []int, value E) *Var[E] {
	out := tensor.Pad(x.data, pads, value)
	neg := make([]int, len(pads))
	for i, p := range pads {
		neg[i] = -p
	}
	return record("Pad", out, vars(x), nil, func(gy *tensor.Dense[E]) []*tensor.Dense[E] {
		return grads(tensor.Pad(gy, neg, 0))
	})
}
