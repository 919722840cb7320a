package tensor

import (
	"fmt"
	"slices"
)

func prod(s []int) int {
	p := 1
	for _, v := range s {
		p *= v
	}
	return p
}

func cloneInts(s []int) []int { return append([]int{}, s...) }

func checkShape(shape []int) int {
	for _, v := range shape {
		if v < 0 {
			panic(fmt.Sprintf("tensor: negative size in shape %v", shape))
		}
	}
	return prod(shape)
}

func contiguousStrides(shape []int) []int {
	st := make([]int, len(shape))
	s := 1
	for i := len(shape) - 1; i >= 0; i-- {
		st[i] = s
		s *= shape[i]
	}
	return st
}

// SameShape reports whether a and b have equal shapes.
func SameShape(a, b []int) bool { return slices.Equal(a, b) }

// axis resolves a possibly negative axis, panicking with the shape when it
// is out of range.
func (t *Dense[E]) axis(a int, op string) int {
	return normAxis(a, len(t.shape), op, t.shape)
}

func normAxis(a, n int, op string, shape []int) int {
	if a < 0 {
		a += n
	}
	if a < 0 || a >= n {
		panic(fmt.Sprintf("tensor: %s: axis out of range for shape %v", op, shape))
	}
	return a
}

// BroadcastShape returns the shape that a and b broadcast to, by NumPy's
// rules (align trailing axes; sizes must match or one of them be 1). It
// panics with both shapes when they do not broadcast.
func BroadcastShape(a, b []int) []int {
	n := max(len(a), len(b))
	out := make([]int, n)
	for i := 0; i < n; i++ {
		da, db := 1, 1
		if j := len(a) - n + i; j >= 0 {
			da = a[j]
		}
		if j := len(b) - n + i; j >= 0 {
			db = b[j]
		}
		switch {
		case da == db, db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			panic(fmt.Sprintf("tensor: shapes %v and %v do not broadcast", a, b))
		}
	}
	return out
}

// broadcastTo returns a view of t with the given shape, using stride 0
// along broadcast axes. It panics if t does not broadcast to shape.
func (t *Dense[E]) broadcastTo(shape []int, op string) *Dense[E] {
	if slices.Equal(t.shape, shape) {
		return t
	}
	n := len(shape)
	if len(t.shape) > n {
		panic(fmt.Sprintf("tensor: %s: shape %v does not broadcast to %v", op, t.shape, shape))
	}
	st := make([]int, n)
	for i := 0; i < n; i++ {
		j := len(t.shape) - n + i
		if j < 0 {
			continue
		}
		switch {
		case t.shape[j] == shape[i]:
			st[i] = t.strides[j]
		case t.shape[j] == 1:
			st[i] = 0
		default:
			panic(fmt.Sprintf("tensor: %s: shape %v does not broadcast to %v", op, t.shape, shape))
		}
	}
	return &Dense[E]{shape: cloneInts(shape), strides: st, off: t.off, st: t.st}
}

// walk visits the elements of shape in row-major order, one innermost run
// at a time: fn gets, per operand, the storage offset of the run's first
// element, the run length and the per-operand stride along the run. Axes
// that are contiguous for every operand are merged first, so that
// contiguous operands are visited in one long run. Operands must already
// have the given shape (broadcast views are fine).
func walk[E Float](shape []int, ops []*Dense[E], fn func(off []int, n int, stride []int)) {
	k := len(ops)
	if prod(shape) == 0 {
		return
	}
	// Drop size-1 axes and merge axes that are contiguous for all.
	var sh []int
	st := make([][]int, k)
	for i, s := range shape {
		if s == 1 {
			continue
		}
		if len(sh) > 0 {
			merge := true
			for j, o := range ops {
				if st[j][len(st[j])-1] != o.strides[i]*s {
					merge = false
					break
				}
			}
			if merge {
				sh[len(sh)-1] *= s
				for j, o := range ops {
					st[j][len(st[j])-1] = o.strides[i]
				}
				continue
			}
		}
		sh = append(sh, s)
		for j, o := range ops {
			st[j] = append(st[j], o.strides[i])
		}
	}
	off := make([]int, k)
	base := make([]int, k)
	for j, o := range ops {
		base[j] = o.off
	}
	if len(sh) == 0 {
		one := make([]int, k)
		fn(base, 1, one)
		return
	}
	d := len(sh) - 1
	inner := make([]int, k)
	for j := range ops {
		inner[j] = st[j][d]
	}
	idx := make([]int, d)
	for {
		copy(off, base)
		for a := 0; a < d; a++ {
			for j := range ops {
				off[j] += idx[a] * st[j][a]
			}
		}
		fn(off, sh[d], inner)
		a := d - 1
		for ; a >= 0; a-- {
			idx[a]++
			if idx[a] < sh[a] {
				break
			}
			idx[a] = 0
		}
		if a < 0 {
			return
		}
	}
}
