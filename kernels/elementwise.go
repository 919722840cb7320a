package kernels

import (
	"fmt"
	"math"
)

// Elementwise kernels work on flat slices of equal length; dst may be the
// same slice as an input. Slices of at least parallelMin elements are
// split over the worker pool in ranges of at least elemGrain.
const (
	elemGrain   = 1 << 14
	parallelMin = 2 * elemGrain
)

// mustSameLen panics unless every slice has the length of the first.
func mustSameLen(kernel string, lens ...int) {
	for _, l := range lens[1:] {
		if l != lens[0] {
			panic(fmt.Sprintf("kernels: %s: slice lengths %v differ", kernel, lens))
		}
	}
}

// Add sets dst[i] = a[i] + b[i].
func Add[T Float](dst, a, b []T) {
	mustSameLen("Add", len(dst), len(a), len(b))
	if addF32 != nil {
		if d, ok := any(dst).([]float32); ok && addF32(d, any(a).([]float32), any(b).([]float32)) {
			return
		}
	}
	if len(dst) < parallelMin {
		addRange(dst, a, b)
		return
	}
	Parallel(len(dst), elemGrain, func(lo, hi int) { addRange(dst[lo:hi], a[lo:hi], b[lo:hi]) })
}

func addRange[T Float](dst, a, b []T) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] + b[i]
	}
}

// Sub sets dst[i] = a[i] − b[i].
func Sub[T Float](dst, a, b []T) {
	mustSameLen("Sub", len(dst), len(a), len(b))
	if subF32 != nil {
		if d, ok := any(dst).([]float32); ok && subF32(d, any(a).([]float32), any(b).([]float32)) {
			return
		}
	}
	if len(dst) < parallelMin {
		subRange(dst, a, b)
		return
	}
	Parallel(len(dst), elemGrain, func(lo, hi int) { subRange(dst[lo:hi], a[lo:hi], b[lo:hi]) })
}

func subRange[T Float](dst, a, b []T) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] - b[i]
	}
}

// Mul sets dst[i] = a[i]·b[i].
func Mul[T Float](dst, a, b []T) {
	mustSameLen("Mul", len(dst), len(a), len(b))
	if mulF32 != nil {
		if d, ok := any(dst).([]float32); ok && mulF32(d, any(a).([]float32), any(b).([]float32)) {
			return
		}
	}
	if len(dst) < parallelMin {
		mulRange(dst, a, b)
		return
	}
	Parallel(len(dst), elemGrain, func(lo, hi int) { mulRange(dst[lo:hi], a[lo:hi], b[lo:hi]) })
}

func mulRange[T Float](dst, a, b []T) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] * b[i]
	}
}

// Div sets dst[i] = a[i] / b[i] (IEEE division: x/0 is ±Inf or NaN).
func Div[T Float](dst, a, b []T) {
	mustSameLen("Div", len(dst), len(a), len(b))
	if len(dst) < parallelMin {
		divRange(dst, a, b)
		return
	}
	Parallel(len(dst), elemGrain, func(lo, hi int) { divRange(dst[lo:hi], a[lo:hi], b[lo:hi]) })
}

func divRange[T Float](dst, a, b []T) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] / b[i]
	}
}

// Scale sets dst[i] = alpha·x[i].
func Scale[T Float](dst []T, alpha T, x []T) {
	mustSameLen("Scale", len(dst), len(x))
	if scaleF32 != nil {
		if d, ok := any(dst).([]float32); ok && scaleF32(d, float32(alpha), any(x).([]float32)) {
			return
		}
	}
	if len(dst) < parallelMin {
		scaleRange(dst, alpha, x)
		return
	}
	Parallel(len(dst), elemGrain, func(lo, hi int) { scaleRange(dst[lo:hi], alpha, x[lo:hi]) })
}

func scaleRange[T Float](dst []T, alpha T, x []T) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = alpha * v
	}
}

// AddScalar sets dst[i] = x[i] + c.
func AddScalar[T Float](dst, x []T, c T) {
	mustSameLen("AddScalar", len(dst), len(x))
	if len(dst) < parallelMin {
		addScalarRange(dst, x, c)
		return
	}
	Parallel(len(dst), elemGrain, func(lo, hi int) { addScalarRange(dst[lo:hi], x[lo:hi], c) })
}

func addScalarRange[T Float](dst, x []T, c T) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = v + c
	}
}

// Axpy sets y[i] += alpha·x[i], the BLAS operation: unlike the other
// kernels it accumulates into its output, which is what gradient
// accumulation and SGD steps want.
func Axpy[T Float](alpha T, x, y []T) {
	mustSameLen("Axpy", len(x), len(y))
	if axpyF32 != nil {
		if xf, ok := any(x).([]float32); ok && axpyF32(float32(alpha), xf, any(y).([]float32)) {
			return
		}
	}
	if len(y) < parallelMin {
		axpyRange(alpha, x, y)
		return
	}
	Parallel(len(y), elemGrain, func(lo, hi int) { axpyRange(alpha, x[lo:hi], y[lo:hi]) })
}

func axpyRange[T Float](alpha T, x, y []T) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

// Relu sets dst[i] = max(x[i], 0); a NaN stays NaN, as in PyTorch.
func Relu[T Float](dst, x []T) {
	mustSameLen("Relu", len(dst), len(x))
	if reluF32 != nil {
		if d, ok := any(dst).([]float32); ok && reluF32(d, any(x).([]float32)) {
			return
		}
	}
	if len(dst) < parallelMin {
		reluRange(dst, x)
		return
	}
	Parallel(len(dst), elemGrain, func(lo, hi int) { reluRange(dst[lo:hi], x[lo:hi]) })
}

func reluRange[T Float](dst, x []T) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = max(v, 0) // branch-free, and max propagates NaN
	}
}

// ReluBackward sets dx[i] = dy[i] where y[i] > 0 and 0 elsewhere; y may
// be Relu's input or its output (they are positive at the same places),
// and the gradient at 0 is 0, as PyTorch's threshold_backward.
func ReluBackward[T Float](dx, y, dy []T) {
	mustSameLen("ReluBackward", len(dx), len(y), len(dy))
	if reluBackwardF32 != nil {
		if d, ok := any(dx).([]float32); ok && reluBackwardF32(d, any(y).([]float32), any(dy).([]float32)) {
			return
		}
	}
	if len(dx) < parallelMin {
		reluBackwardRange(dx, y, dy)
		return
	}
	Parallel(len(dx), elemGrain, func(lo, hi int) { reluBackwardRange(dx[lo:hi], y[lo:hi], dy[lo:hi]) })
}

func reluBackwardRange[T Float](dx, y, dy []T) {
	switch d := any(dx).(type) {
	case []float32:
		reluBackward32(d, any(y).([]float32), any(dy).([]float32))
		return
	case []float64:
		reluBackward64(d, any(y).([]float64), any(dy).([]float64))
		return
	}
	y, dy = y[:len(dx)], dy[:len(dx)]
	for i, v := range y {
		if v > 0 {
			dx[i] = dy[i]
		} else {
			dx[i] = 0
		}
	}
}

// reluBackward32 masks dy with the bits of y: y > 0 exactly when its bit
// pattern, less one, is below that of +Inf (zeros, negatives and NaNs are
// not). The integer test compiles to a conditional move; the float
// comparison's branch mispredicts on half of a random activation.
func reluBackward32(dx, y, dy []float32) {
	y, dy = y[:len(dx)], dy[:len(dx)]
	for i, v := range y {
		var m uint32
		if math.Float32bits(v)-1 < 0x7f800000 {
			m = ^uint32(0)
		}
		dx[i] = math.Float32frombits(math.Float32bits(dy[i]) & m)
	}
}

func reluBackward64(dx, y, dy []float64) {
	y, dy = y[:len(dx)], dy[:len(dx)]
	for i, v := range y {
		var m uint64
		if math.Float64bits(v)-1 < 0x7ff0000000000000 {
			m = ^uint64(0)
		}
		dx[i] = math.Float64frombits(math.Float64bits(dy[i]) & m)
	}
}

// LeakyRelu sets dst[i] = x[i] if x[i] > 0, else slope·x[i].
func LeakyRelu[T Float](dst, x []T, slope T) {
	mustSameLen("LeakyRelu", len(dst), len(x))
	if leakyReluF32 != nil {
		if d, ok := any(dst).([]float32); ok && leakyReluF32(d, any(x).([]float32), float32(slope)) {
			return
		}
	}
	if len(dst) < parallelMin {
		leakyReluRange(dst, x, slope)
		return
	}
	Parallel(len(dst), elemGrain, func(lo, hi int) { leakyReluRange(dst[lo:hi], x[lo:hi], slope) })
}

func leakyReluRange[T Float](dst, x []T, slope T) {
	x = x[:len(dst)]
	if slope >= 0 && slope <= 1 {
		// For such slopes the branch-free max(v, slope·v) is the same.
		for i, v := range x {
			dst[i] = max(v, slope*v)
		}
		return
	}
	for i, v := range x {
		if v > 0 {
			dst[i] = v
		} else {
			dst[i] = slope * v
		}
	}
}

// AddLeakyRelu sets dst[i] = LeakyRelu(a[i] + b[i]) with the bits of Add
// then LeakyRelu, in one pass; dst may be a or b. A residual block's sum
// and its activation run so.
func AddLeakyRelu[T Float](dst, a, b []T, slope T) {
	mustSameLen("AddLeakyRelu", len(dst), len(a), len(b))
	if addLeakyReluF32 != nil {
		if d, ok := any(dst).([]float32); ok && addLeakyReluF32(d, any(a).([]float32), any(b).([]float32), float32(slope)) {
			return
		}
	}
	if len(dst) < parallelMin {
		addLeakyReluRange(dst, a, b, slope)
		return
	}
	Parallel(len(dst), elemGrain, func(lo, hi int) { addLeakyReluRange(dst[lo:hi], a[lo:hi], b[lo:hi], slope) })
}

func addLeakyReluRange[T Float](dst, a, b []T, slope T) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] + b[i]
	}
	leakyReluRange(dst, dst, slope)
}

// LeakyReluBackward sets dx[i] = dy[i] if x[i] > 0, else slope·dy[i],
// where x is LeakyRelu's input (or its output, when slope > 0).
func LeakyReluBackward[T Float](dx, x, dy []T, slope T) {
	mustSameLen("LeakyReluBackward", len(dx), len(x), len(dy))
	if leakyReluBackwardF32 != nil {
		if d, ok := any(dx).([]float32); ok && leakyReluBackwardF32(d, any(x).([]float32), any(dy).([]float32), float32(slope)) {
			return
		}
	}
	if len(dx) < parallelMin {
		leakyReluBackwardRange(dx, x, dy, slope)
		return
	}
	Parallel(len(dx), elemGrain, func(lo, hi int) { leakyReluBackwardRange(dx[lo:hi], x[lo:hi], dy[lo:hi], slope) })
}

func leakyReluBackwardRange[T Float](dx, x, dy []T, slope T) {
	switch d := any(dx).(type) {
	case []float32:
		leakyReluBackward32(d, any(x).([]float32), any(dy).([]float32), float32(slope))
		return
	case []float64:
		leakyReluBackward64(d, any(x).([]float64), any(dy).([]float64), float64(slope))
		return
	}
	x, dy = x[:len(dx)], dy[:len(dx)]
	for i, v := range x {
		if v > 0 {
			dx[i] = dy[i]
		} else {
			dx[i] = slope * dy[i]
		}
	}
}

// leakyReluBackward32 picks the factor 1 or slope by the bits of x, as
// reluBackward32 does, so that the choice is a conditional move.
func leakyReluBackward32(dx, x, dy []float32, slope float32) {
	x, dy = x[:len(dx)], dy[:len(dx)]
	one, sb := math.Float32bits(1), math.Float32bits(slope)
	for i, v := range x {
		f := sb
		if math.Float32bits(v)-1 < 0x7f800000 {
			f = one
		}
		dx[i] = dy[i] * math.Float32frombits(f)
	}
}

func leakyReluBackward64(dx, x, dy []float64, slope float64) {
	x, dy = x[:len(dx)], dy[:len(dx)]
	one, sb := math.Float64bits(1), math.Float64bits(slope)
	for i, v := range x {
		f := sb
		if math.Float64bits(v)-1 < 0x7ff0000000000000 {
			f = one
		}
		dx[i] = dy[i] * math.Float64frombits(f)
	}
}
