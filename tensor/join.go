package tensor

import "fmt"

// Concat joins tensors along axis; all other axes must match.
func Concat[E Float](axis int, ts ...*Dense[E]) *Dense[E] {
	if len(ts) == 0 {
		panic("tensor: Concat of no tensors")
	}
	ref := ts[0].shape
	axis = normAxis(axis, len(ref), "Concat", ref)
	sh := cloneInts(ref)
	sh[axis] = 0
	for _, t := range ts {
		if len(t.shape) != len(ref) {
			panic(fmt.Sprintf("tensor: Concat along %d: shapes %v and %v", axis, ref, t.shape))
		}
		for i := range ref {
			if i != axis && t.shape[i] != ref[i] {
				panic(fmt.Sprintf("tensor: Concat along %d: shapes %v and %v", axis, ref, t.shape))
			}
		}
		sh[axis] += t.shape[axis]
	}
	out := Empty[E](sh...)
	at := 0
	for _, t := range ts {
		out.Narrow(axis, at, t.shape[axis]).CopyFrom(t)
		at += t.shape[axis]
	}
	return out
}

// Split cuts t along axis into views of the given sizes, which must sum to
// the axis's size (the inverse of Concat).
func Split[E Float](t *Dense[E], axis int, sizes ...int) []*Dense[E] {
	axis = t.axis(axis, "Split")
	out := make([]*Dense[E], len(sizes))
	at := 0
	for i, s := range sizes {
		out[i] = t.Narrow(axis, at, s)
		at += s
	}
	if at != t.shape[axis] {
		panic(fmt.Sprintf("tensor: Split %v along %d into sizes %v", t.shape, axis, sizes))
	}
	return out
}

// Stack joins tensors of equal shape along a new axis.
func Stack[E Float](axis int, ts ...*Dense[E]) *Dense[E] {
	if len(ts) == 0 {
		panic("tensor: Stack of no tensors")
	}
	axis = normAxis(axis, len(ts[0].shape)+1, "Stack", ts[0].shape)
	us := make([]*Dense[E], len(ts))
	for i, t := range ts {
		if !SameShape(t.shape, ts[0].shape) {
			panic(fmt.Sprintf("tensor: Stack: shapes %v and %v", ts[0].shape, t.shape))
		}
		us[i] = t.Unsqueeze(axis)
	}
	return Concat(axis, us...)
}

// Pad pads t with value. pads holds (before, after) pairs starting from
// the LAST axis, as torch.nn.functional.pad: {left, right} pads the last
// axis, {left, right, top, bottom} the last two, and so on. Negative
// amounts crop.
func Pad[E Float](t *Dense[E], pads []int, value E) *Dense[E] {
	if len(pads)%2 != 0 || len(pads)/2 > len(t.shape) {
		panic(fmt.Sprintf("tensor: Pad %v of shape %v: want pairs for at most %d axes", pads, t.shape, len(t.shape)))
	}
	sh := cloneInts(t.shape)
	src := t
	dstStart := make([]int, len(sh))
	for i := 0; i < len(pads)/2; i++ {
		ax := len(sh) - 1 - i
		lo, hi := pads[2*i], pads[2*i+1]
		sh[ax] += lo + hi
		if sh[ax] < 0 {
			panic(fmt.Sprintf("tensor: Pad %v of shape %v: negative size", pads, t.shape))
		}
		// Crop the source where the padding is negative.
		s0, n := 0, src.shape[ax]
		if lo < 0 {
			s0, n = -lo, n+lo
		} else {
			dstStart[ax] = lo
		}
		if hi < 0 {
			n += hi
		}
		if n < 0 {
			n = 0
		}
		src = src.Narrow(ax, s0, n)
	}
	out := Full(value, sh...)
	dst := out
	for ax := range sh {
		dst = dst.Narrow(ax, dstStart[ax], src.shape[ax])
	}
	dst.CopyFrom(src)
	return out
}
