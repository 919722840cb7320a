package tensor

import (
	"fmt"
	"math"
	"strings"

	"github.com/ivadogo/ivadogo/kernels"
)

// Float is the set of element types a tensor may hold.
type Float = kernels.Float

// Dense is an N-dimensional array of E viewing a shared Storage through a
// shape, strides (in elements) and an offset. The zero value is not
// usable; make tensors with New, Zeros, FromSlice and friends.
type Dense[E Float] struct {
	shape   []int
	strides []int
	off     int
	st      *Storage[E]
}

// Tensor is the float32 tensor that models compute with.
type Tensor = Dense[float32]

// New returns a zero-filled tensor of the given shape. No shape arguments
// give a scalar (0-D) tensor holding one element.
func New[E Float](shape ...int) *Dense[E] {
	n := checkShape(shape)
	return &Dense[E]{shape: cloneInts(shape), strides: contiguousStrides(shape), st: &Storage[E]{buf: alloc[E](n, true), counted: true}}
}

// Empty is New without zeroing: the contents are unspecified (a reused
// buffer). Use it for outputs that are about to be overwritten entirely.
func Empty[E Float](shape ...int) *Dense[E] {
	n := checkShape(shape)
	return &Dense[E]{shape: cloneInts(shape), strides: contiguousStrides(shape), st: &Storage[E]{buf: alloc[E](n, false), counted: true}}
}

// Zeros returns a zero-filled float32 tensor.
func Zeros(shape ...int) *Tensor { return New[float32](shape...) }

// Ones returns a float32 tensor of ones.
func Ones(shape ...int) *Tensor { return Full[float32](1, shape...) }

// Full returns a tensor filled with v.
func Full[E Float](v E, shape ...int) *Dense[E] {
	t := Empty[E](shape...)
	t.Fill(v)
	return t
}

// Scalar returns a 0-D tensor holding v.
func Scalar[E Float](v E) *Dense[E] { return Full(v) }

// FromSlice returns a tensor of the given shape that uses data as its
// storage (no copy). It panics if len(data) is not the shape's size.
func FromSlice[E Float](data []E, shape ...int) *Dense[E] {
	n := checkShape(shape)
	if len(data) != n {
		panic(fmt.Sprintf("tensor: FromSlice: %d elements for shape %v (size %d)", len(data), shape, n))
	}
	return &Dense[E]{shape: cloneInts(shape), strides: contiguousStrides(shape), st: &Storage[E]{buf: data}}
}

// ZerosLike returns a zero-filled contiguous tensor shaped as t.
func ZerosLike[E Float](t *Dense[E]) *Dense[E] { return New[E](t.shape...) }

// EmptyLike returns an uninitialised contiguous tensor shaped as t.
func EmptyLike[E Float](t *Dense[E]) *Dense[E] { return Empty[E](t.shape...) }

// Shape returns the sizes of the axes. The slice is the tensor's own: do
// not modify it.
func (t *Dense[E]) Shape() []int { return t.shape }

// Strides returns the element strides of the axes (do not modify).
func (t *Dense[E]) Strides() []int { return t.strides }

// Dims returns the number of axes.
func (t *Dense[E]) Dims() int { return len(t.shape) }

// Dim returns the size of axis i; negative i counts from the end.
func (t *Dense[E]) Dim(i int) int { return t.shape[t.axis(i, "Dim")] }

// Len returns the number of elements.
func (t *Dense[E]) Len() int { return prod(t.shape) }

// Device returns where the tensor lives (the CPU, for now).
func (t *Dense[E]) Device() Device { return CPU }

// Storage returns the buffer the tensor views; tensors that share storage
// return the same pointer.
func (t *Dense[E]) Storage() *Storage[E] { return t.st }

// Offset returns the position of the first element in the storage.
func (t *Dense[E]) Offset() int { return t.off }

// buf returns the storage slice, panicking on a released storage.
func (t *Dense[E]) buf() []E {
	if t.st.buf == nil && prod(t.shape) > 0 {
		panic(fmt.Sprintf("tensor: use of a released tensor of shape %v", t.shape))
	}
	return t.st.buf
}

// IsContiguous reports whether the elements are laid out row-major with
// no gaps, so that Data can return them as one slice.
func (t *Dense[E]) IsContiguous() bool {
	s := 1
	for i := len(t.shape) - 1; i >= 0; i-- {
		if t.shape[i] != 1 && t.strides[i] != s {
			return false
		}
		s *= t.shape[i]
	}
	return true
}

// Data returns the elements of a contiguous tensor as a slice of its
// storage: writes through it change the tensor. It panics if t is not
// contiguous (call Contiguous first).
func (t *Dense[E]) Data() []E {
	if !t.IsContiguous() {
		panic(fmt.Sprintf("tensor: Data of a non-contiguous tensor (shape %v, strides %v); call Contiguous first", t.shape, t.strides))
	}
	return t.buf()[t.off : t.off+t.Len()]
}

// Contiguous returns t itself if it is contiguous, else a contiguous copy.
func (t *Dense[E]) Contiguous() *Dense[E] {
	if t.IsContiguous() {
		return t
	}
	return t.Clone()
}

// Clone returns a contiguous copy of t with storage of its own.
func (t *Dense[E]) Clone() *Dense[E] {
	c := Empty[E](t.shape...)
	c.CopyFrom(t)
	return c
}

// CopyFrom copies src into t; src is broadcast to t's shape.
func (t *Dense[E]) CopyFrom(src *Dense[E]) {
	s := src.broadcastTo(t.shape, "CopyFrom")
	if t.IsContiguous() && s.IsContiguous() {
		copy(t.Data(), s.Data())
		return
	}
	// A strided copy (a concatenation's parts, a narrowed gradient) of
	// some size is split over the workers along its first long axis.
	if n := t.Len(); n >= copyParallelMin {
		for ax, sz := range t.shape {
			if sz > 1 {
				kernels.Parallel(sz, max(1, copyParallelMin/(n/sz)), func(lo, hi int) {
					t.Narrow(ax, lo, hi-lo).copyStrided(s.Narrow(ax, lo, hi-lo))
				})
				return
			}
		}
	}
	t.copyStrided(s)
}

// copyParallelMin is the number of elements from which CopyFrom runs
// on several workers.
const copyParallelMin = 1 << 16

// copyStrided is CopyFrom in the calling goroutine, with memmove for the
// runs that are contiguous on both sides.
func (t *Dense[E]) copyStrided(s *Dense[E]) {
	walk(t.shape, []*Dense[E]{t, s}, func(o []int, n int, st []int) {
		d, a := t.buf(), s.buf()
		od, oa, sd, sa := o[0], o[1], st[0], st[1]
		if sd == 1 && sa == 1 {
			copy(d[od:od+n], a[oa:oa+n])
			return
		}
		for i := 0; i < n; i++ {
			d[od+i*sd] = a[oa+i*sa]
		}
	})
}

// Fill sets every element to v.
func (t *Dense[E]) Fill(v E) {
	if t.IsContiguous() {
		d := t.Data()
		if v == 0 && !math.Signbit(float64(v)) {
			clear(d) // memclr, where the loop below stores one value at a time
			return
		}
		for i := range d {
			d[i] = v
		}
		return
	}
	walk(t.shape, []*Dense[E]{t}, func(o []int, n int, st []int) {
		d := t.buf()
		for i := 0; i < n; i++ {
			d[o[0]+i*st[0]] = v
		}
	})
}

// Release hands t's storage back to the pool for reuse. Every tensor that
// shares the storage (views included) becomes unusable and panics on
// access. Call it only on tensors whose storage nothing else still needs.
func (t *Dense[E]) Release() { t.st.release() }

// index returns the storage position of the element at idx.
func (t *Dense[E]) index(idx []int) int {
	if len(idx) != len(t.shape) {
		panic(fmt.Sprintf("tensor: %d indices for shape %v", len(idx), t.shape))
	}
	p := t.off
	for i, v := range idx {
		if v < 0 || v >= t.shape[i] {
			panic(fmt.Sprintf("tensor: index %v out of range for shape %v", idx, t.shape))
		}
		p += v * t.strides[i]
	}
	return p
}

// At returns the element at the given indices.
func (t *Dense[E]) At(idx ...int) E { return t.buf()[t.index(idx)] }

// Set stores v at the given indices.
func (t *Dense[E]) Set(v E, idx ...int) { t.buf()[t.index(idx)] = v }

// Item returns the single element of a tensor of size 1.
func (t *Dense[E]) Item() E {
	if t.Len() != 1 {
		panic(fmt.Sprintf("tensor: Item of a tensor of shape %v", t.shape))
	}
	return t.buf()[t.off]
}

// Values returns a fresh slice with the elements in row-major order.
func (t *Dense[E]) Values() []E {
	return append([]E(nil), t.Contiguous().Data()...)
}

// String formats small tensors in full and large ones by shape.
func (t *Dense[E]) String() string {
	if t.st.buf == nil && t.Len() > 0 {
		return fmt.Sprintf("Tensor%v(released)", t.shape)
	}
	if t.Len() > 64 {
		return fmt.Sprintf("Tensor%v", t.shape)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Tensor%v%v", t.shape, t.Values())
	return b.String()
}
