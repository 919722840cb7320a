package tensor

import (
	"fmt"
	"math"
	"slices"
)

// reduceAxes resolves axes (nil means all) into a per-axis mask.
func (t *Dense[E]) reduceAxes(axes []int, op string) []bool {
	m := make([]bool, len(t.shape))
	if len(axes) == 0 {
		for i := range m {
			m[i] = true
		}
		return m
	}
	for _, a := range axes {
		m[t.axis(a, op)] = true
	}
	return m
}

// keptShape is t's shape with reduced axes set to 1.
func keptShape(shape []int, mask []bool) []int {
	k := cloneInts(shape)
	for i, r := range mask {
		if r {
			k[i] = 1
		}
	}
	return k
}

func dropShape(shape []int, mask []bool) []int {
	k := []int{}
	for i, r := range mask {
		if !r {
			k = append(k, shape[i])
		}
	}
	return k
}

// reduceInto folds t into out (shape keptShape) with f, out pre-filled with
// the identity. f is applied as acc = f(acc, x).
func reduceInto[E Float](t, out *Dense[E], f func(acc, x E) E) {
	view := out.broadcastTo(t.shape, "reduce") // stride 0 along reduced axes
	walk(t.shape, []*Dense[E]{view, t}, func(o []int, n int, s []int) {
		d, a := view.buf(), t.buf()
		if s[0] == 0 {
			acc := d[o[0]]
			for i := 0; i < n; i++ {
				acc = f(acc, a[o[1]+i*s[1]])
			}
			d[o[0]] = acc
			return
		}
		for i := 0; i < n; i++ {
			p := o[0] + i*s[0]
			d[p] = f(d[p], a[o[1]+i*s[1]])
		}
	})
}

func finish[E Float](out *Dense[E], shape []int, mask []bool, keep bool) *Dense[E] {
	if keep {
		return out
	}
	return out.Reshape(dropShape(shape, mask)...)
}

// Sum sums t over the given axes (all axes when none are given). With
// keepDim the reduced axes stay, with size 1. Sums accumulate in float64,
// so that a float32 sum over a whole volume keeps its precision.
func Sum[E Float](t *Dense[E], axes []int, keepDim bool) *Dense[E] {
	return sumScaled(t, axes, keepDim, false, "Sum")
}

// Mean averages t over the given axes (all when none are given),
// accumulating in float64 like Sum.
func Mean[E Float](t *Dense[E], axes []int, keepDim bool) *Dense[E] {
	return sumScaled(t, axes, keepDim, true, "Mean")
}

func sumScaled[E Float](t *Dense[E], axes []int, keepDim, mean bool, op string) *Dense[E] {
	m := t.reduceAxes(axes, op)
	out := Empty[E](keptShape(t.shape, m)...)
	accT := New[float64](out.Len()) // pooled like any tensor
	defer accT.Release()
	acc := accT.Data()
	// out is fresh and contiguous, so its offsets index acc too.
	view := out.broadcastTo(t.shape, op)
	walk(t.shape, []*Dense[E]{view, t}, func(o []int, n int, s []int) {
		a := t.buf()
		if s[0] == 0 {
			var sum float64
			for i := 0; i < n; i++ {
				sum += float64(a[o[1]+i*s[1]])
			}
			acc[o[0]] += sum
			return
		}
		for i := 0; i < n; i++ {
			acc[o[0]+i*s[0]] += float64(a[o[1]+i*s[1]])
		}
	})
	scale := 1.0
	if mean { // an empty reduction gives 0/0 = NaN, as PyTorch
		scale = float64(t.Len() / max(out.Len(), 1))
	}
	d := out.Data()
	for i, v := range acc {
		d[i] = E(v / scale)
	}
	return finish(out, t.shape, m, keepDim)
}

// Max returns the largest element over the given axes (all when none).
// NaNs propagate.
func Max[E Float](t *Dense[E], axes []int, keepDim bool) *Dense[E] {
	m := t.reduceAxes(axes, "Max")
	out := Full(E(math.Inf(-1)), keptShape(t.shape, m)...)
	reduceInto(t, out, func(acc, x E) E {
		if x > acc || x != x {
			return x
		}
		return acc
	})
	return finish(out, t.shape, m, keepDim)
}

// Min returns the smallest element over the given axes (all when none).
func Min[E Float](t *Dense[E], axes []int, keepDim bool) *Dense[E] {
	m := t.reduceAxes(axes, "Min")
	out := Full(E(math.Inf(1)), keptShape(t.shape, m)...)
	reduceInto(t, out, func(acc, x E) E {
		if x < acc || x != x {
			return x
		}
		return acc
	})
	return finish(out, t.shape, m, keepDim)
}

// Var returns the variance over the given axes (all when none): the mean
// squared deviation, divided by count−1 when unbiased (PyTorch's default
// for torch.var) and by count otherwise.
func Var[E Float](t *Dense[E], axes []int, unbiased, keepDim bool) *Dense[E] {
	m := t.reduceAxes(axes, "Var")
	mean := Mean(t, axes, true)
	d := Sub(t, mean)
	sq := Mul(d, d)
	out := Sum(sq, axes, true)
	cnt := t.Len() / max(out.Len(), 1)
	if unbiased {
		cnt--
	}
	Scal(1/E(cnt), out)
	return finish(out, t.shape, m, keepDim)
}

// SumAll returns the sum of all elements, accumulated in float64.
func SumAll[E Float](t *Dense[E]) E {
	var s float64
	walk(t.shape, []*Dense[E]{t}, func(o []int, n int, st []int) {
		a := t.buf()
		for i := 0; i < n; i++ {
			s += float64(a[o[0]+i*st[0]])
		}
	})
	return E(s)
}

// ArgMax returns, for every position of the other axes in row-major
// order, the index along axis of the largest element (the first one on
// ties, as PyTorch). The result has t's shape without axis.
func ArgMax[E Float](t *Dense[E], axis int) []int {
	axis = t.axis(axis, "ArgMax")
	perm := []int{}
	for i := range t.shape {
		if i != axis {
			perm = append(perm, i)
		}
	}
	perm = append(perm, axis)
	p := t.Permute(perm...).Contiguous()
	k := t.shape[axis]
	if k == 0 {
		panic(fmt.Sprintf("tensor: ArgMax along empty axis %d of shape %v", axis, t.shape))
	}
	d := p.Data()
	out := make([]int, len(d)/k)
	for r := range out {
		row := d[r*k : (r+1)*k]
		best := 0
		for i, v := range row {
			if v > row[best] || (v != v && row[best] == row[best]) {
				best = i
			}
		}
		out[r] = best
	}
	return out
}

// SumTo sums t down to shape, the inverse of broadcasting shape up to
// t's shape: leading axes are summed away and axes where shape has 1 are
// summed with keepDim. It returns t itself when the shapes are equal.
func SumTo[E Float](t *Dense[E], shape []int) *Dense[E] {
	if slices.Equal(t.shape, shape) {
		return t
	}
	lead := len(t.shape) - len(shape)
	if lead < 0 {
		panic(fmt.Sprintf("tensor: SumTo %v from %v", shape, t.shape))
	}
	var axes []int
	for i := range t.shape {
		if i < lead {
			axes = append(axes, i)
			continue
		}
		switch s := shape[i-lead]; {
		case s == t.shape[i]:
		case s == 1:
			axes = append(axes, i)
		default:
			panic(fmt.Sprintf("tensor: SumTo %v from %v", shape, t.shape))
		}
	}
	if len(axes) == 0 { // only leading size-1 axes differ
		return t.Reshape(shape...)
	}
	return Sum(t, axes, true).Reshape(shape...)
}
