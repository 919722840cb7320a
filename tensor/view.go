package tensor

import (
	"fmt"
	"slices"
)

// Reshape returns t with a new shape of the same size. One size may be -1
// and is then inferred. The result is a view when t is contiguous and a
// copy otherwise.
func (t *Dense[E]) Reshape(shape ...int) *Dense[E] {
	shape = cloneInts(shape)
	infer := -1
	known := 1
	for i, s := range shape {
		if s == -1 {
			if infer >= 0 {
				panic(fmt.Sprintf("tensor: Reshape %v to %v: more than one -1", t.shape, shape))
			}
			infer = i
			continue
		}
		if s < 0 {
			panic(fmt.Sprintf("tensor: Reshape %v to %v: negative size", t.shape, shape))
		}
		known *= s
	}
	n := t.Len()
	if infer >= 0 {
		if known == 0 || n%known != 0 {
			panic(fmt.Sprintf("tensor: Reshape %v to %v: size %d does not divide", t.shape, shape, n))
		}
		shape[infer] = n / known
		known *= shape[infer]
	}
	if known != n {
		panic(fmt.Sprintf("tensor: Reshape %v (size %d) to %v (size %d)", t.shape, n, shape, known))
	}
	src := t.Contiguous()
	return &Dense[E]{shape: shape, strides: contiguousStrides(shape), off: src.off, st: src.st}
}

// Flatten reshapes t to one axis.
func (t *Dense[E]) Flatten() *Dense[E] { return t.Reshape(-1) }

// Permute returns a view with the axes reordered: axis i of the result is
// axis axes[i] of t.
func (t *Dense[E]) Permute(axes ...int) *Dense[E] {
	if len(axes) != len(t.shape) {
		panic(fmt.Sprintf("tensor: Permute %v of shape %v: want %d axes", axes, t.shape, len(t.shape)))
	}
	seen := make([]bool, len(axes))
	sh, st := make([]int, len(axes)), make([]int, len(axes))
	for i, a := range axes {
		a = t.axis(a, "Permute")
		if seen[a] {
			panic(fmt.Sprintf("tensor: Permute %v of shape %v: repeated axis", axes, t.shape))
		}
		seen[a] = true
		sh[i], st[i] = t.shape[a], t.strides[a]
	}
	return &Dense[E]{shape: sh, strides: st, off: t.off, st: t.st}
}

// Transpose returns a view with axes a and b swapped.
func (t *Dense[E]) Transpose(a, b int) *Dense[E] {
	axes := make([]int, len(t.shape))
	for i := range axes {
		axes[i] = i
	}
	a, b = t.axis(a, "Transpose"), t.axis(b, "Transpose")
	axes[a], axes[b] = axes[b], axes[a]
	return t.Permute(axes...)
}

// Narrow returns a view of length elements of axis starting at start.
func (t *Dense[E]) Narrow(axis, start, length int) *Dense[E] {
	axis = t.axis(axis, "Narrow")
	if start < 0 || length < 0 || start+length > t.shape[axis] {
		panic(fmt.Sprintf("tensor: Narrow(axis %d, start %d, length %d) of shape %v", axis, start, length, t.shape))
	}
	sh := cloneInts(t.shape)
	sh[axis] = length
	return &Dense[E]{shape: sh, strides: cloneInts(t.strides), off: t.off + start*t.strides[axis], st: t.st}
}

// Slice returns a view of the elements start, start+step, ... (< end) of
// axis. step must be positive.
func (t *Dense[E]) Slice(axis, start, end, step int) *Dense[E] {
	axis = t.axis(axis, "Slice")
	if step < 1 || start < 0 || end > t.shape[axis] || start > end {
		panic(fmt.Sprintf("tensor: Slice(axis %d, %d:%d:%d) of shape %v", axis, start, end, step, t.shape))
	}
	sh, st := cloneInts(t.shape), cloneInts(t.strides)
	sh[axis] = (end - start + step - 1) / step
	st[axis] *= step
	return &Dense[E]{shape: sh, strides: st, off: t.off + start*t.strides[axis], st: t.st}
}

// Expand returns a view broadcast to shape (axes of size 1 repeat with
// stride 0; leading axes may be added), as PyTorch's expand.
func (t *Dense[E]) Expand(shape ...int) *Dense[E] { return t.broadcastTo(shape, "Expand") }

// Unsqueeze returns a view with a new axis of size 1 at position axis
// (0..Dims; negative counts from the end of the result).
func (t *Dense[E]) Unsqueeze(axis int) *Dense[E] {
	axis = normAxis(axis, len(t.shape)+1, "Unsqueeze", t.shape)
	st := 1
	if axis < len(t.shape) {
		st = t.strides[axis] * t.shape[axis]
	}
	return &Dense[E]{
		shape:   slices.Insert(cloneInts(t.shape), axis, 1),
		strides: slices.Insert(cloneInts(t.strides), axis, st),
		off:     t.off, st: t.st,
	}
}

// Squeeze returns a view without the given axes, which must have size 1;
// with no axes it drops every axis of size 1.
func (t *Dense[E]) Squeeze(axes ...int) *Dense[E] {
	drop := make([]bool, len(t.shape))
	if len(axes) == 0 {
		for i, s := range t.shape {
			drop[i] = s == 1
		}
	}
	for _, a := range axes {
		a = t.axis(a, "Squeeze")
		if t.shape[a] != 1 {
			panic(fmt.Sprintf("tensor: Squeeze axis %d of shape %v: size is not 1", a, t.shape))
		}
		drop[a] = true
	}
	var sh, st []int
	for i := range t.shape {
		if !drop[i] {
			sh, st = append(sh, t.shape[i]), append(st, t.strides[i])
		}
	}
	return &Dense[E]{shape: sh, strides: st, off: t.off, st: t.st}
}
