package tensor

import (
	"math"

	"github.com/ivadogo/ivadogo/kernels"
)

// binOp names a broadcasting binary operation; the inner loops switch on
// it once per run rather than calling a function per element.
type binOp int

const (
	opAdd binOp = iota
	opSub
	opMul
	opDiv
	opMax
	opMin
)

// grain is the smallest number of elements a parallel task gets.
const grain = 1 << 15

func binaryRun[E Float](op binOp, d []E, od, sd int, a []E, oa, sa int, b []E, ob, sb, n int) {
	if sd == 1 && sa == 1 && sb == 1 {
		d, a, b = d[od:od+n], a[oa:oa+n], b[ob:ob+n]
		switch op {
		case opAdd:
			for i := range d {
				d[i] = a[i] + b[i]
			}
		case opSub:
			for i := range d {
				d[i] = a[i] - b[i]
			}
		case opMul:
			for i := range d {
				d[i] = a[i] * b[i]
			}
		case opDiv:
			for i := range d {
				d[i] = a[i] / b[i]
			}
		case opMax:
			for i := range d {
				d[i] = max(a[i], b[i])
			}
		case opMin:
			for i := range d {
				d[i] = min(a[i], b[i])
			}
		}
		return
	}
	for i := 0; i < n; i++ {
		x, y := a[oa+i*sa], b[ob+i*sb]
		var r E
		switch op {
		case opAdd:
			r = x + y
		case opSub:
			r = x - y
		case opMul:
			r = x * y
		case opDiv:
			r = x / y
		case opMax:
			r = max(x, y)
		case opMin:
			r = min(x, y)
		}
		d[od+i*sd] = r
	}
}

func binary[E Float](op binOp, a, b *Dense[E]) *Dense[E] {
	sh := BroadcastShape(a.shape, b.shape)
	out := Empty[E](sh...)
	binaryInto(op, out, a.broadcastTo(sh, "binary"), b.broadcastTo(sh, "binary"))
	return out
}

// binaryInto computes out = a op b for operands already of out's shape.
func binaryInto[E Float](op binOp, out, a, b *Dense[E]) {
	if out.IsContiguous() && a.IsContiguous() && b.IsContiguous() {
		d, x, y := out.Data(), a.Data(), b.Data()
		switch op { // the kernels' (vectorised) loops where they exist
		case opAdd:
			kernels.Add(d, x, y)
			return
		case opSub:
			kernels.Sub(d, x, y)
			return
		case opMul:
			kernels.Mul(d, x, y)
			return
		case opDiv:
			kernels.Div(d, x, y)
			return
		}
		kernels.Parallel(len(d), grain, func(lo, hi int) {
			binaryRun(op, d, lo, 1, x, lo, 1, y, lo, 1, hi-lo)
		})
		return
	}
	walk(out.shape, []*Dense[E]{out, a, b}, func(o []int, n int, s []int) {
		binaryRun(op, out.buf(), o[0], s[0], a.buf(), o[1], s[1], b.buf(), o[2], s[2], n)
	})
}

// Add returns a + b, broadcasting.
func Add[E Float](a, b *Dense[E]) *Dense[E] { return binary(opAdd, a, b) }

// Sub returns a − b, broadcasting.
func Sub[E Float](a, b *Dense[E]) *Dense[E] { return binary(opSub, a, b) }

// Mul returns a·b elementwise, broadcasting.
func Mul[E Float](a, b *Dense[E]) *Dense[E] { return binary(opMul, a, b) }

// Div returns a/b elementwise, broadcasting.
func Div[E Float](a, b *Dense[E]) *Dense[E] { return binary(opDiv, a, b) }

// Maximum returns the elementwise maximum, broadcasting.
func Maximum[E Float](a, b *Dense[E]) *Dense[E] { return binary(opMax, a, b) }

// Minimum returns the elementwise minimum, broadcasting.
func Minimum[E Float](a, b *Dense[E]) *Dense[E] { return binary(opMin, a, b) }

// Map returns f applied to every element of t, as a new contiguous tensor.
func Map[E Float](t *Dense[E], f func(E) E) *Dense[E] {
	out := Empty[E](t.shape...)
	src := t.Contiguous()
	d, s := out.Data(), src.Data()
	kernels.Parallel(len(d), grain/8, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			d[i] = f(s[i])
		}
	})
	if src != t {
		src.Release()
	}
	return out
}

// Map2 returns f(a, b) elementwise, broadcasting a and b.
func Map2[E Float](a, b *Dense[E], f func(x, y E) E) *Dense[E] {
	sh := BroadcastShape(a.shape, b.shape)
	out := Empty[E](sh...)
	aa, bb := a.broadcastTo(sh, "Map2"), b.broadcastTo(sh, "Map2")
	walk(sh, []*Dense[E]{out, aa, bb}, func(o []int, n int, s []int) {
		d, x, y := out.buf(), aa.buf(), bb.buf()
		for i := 0; i < n; i++ {
			d[o[0]+i*s[0]] = f(x[o[1]+i*s[1]], y[o[2]+i*s[2]])
		}
	})
	return out
}

// AddScalar returns t + s.
func AddScalar[E Float](t *Dense[E], s E) *Dense[E] {
	out := Empty[E](t.shape...)
	src := t.Contiguous()
	kernels.AddScalar(out.Data(), src.Data(), s)
	if src != t {
		src.Release()
	}
	return out
}

// MulScalar returns t·s.
func MulScalar[E Float](t *Dense[E], s E) *Dense[E] {
	out := Empty[E](t.shape...)
	src := t.Contiguous()
	kernels.Scale(out.Data(), s, src.Data())
	if src != t {
		src.Release()
	}
	return out
}

// Pow returns t raised elementwise to the power p.
func Pow[E Float](t *Dense[E], p E) *Dense[E] {
	switch p {
	case 2:
		return Map(t, func(x E) E { return x * x })
	case 1:
		return t.Clone()
	}
	return Map(t, func(x E) E { return E(math.Pow(float64(x), float64(p))) })
}

// Neg returns −t.
func Neg[E Float](t *Dense[E]) *Dense[E] { return Map(t, func(x E) E { return -x }) }

// Exp returns eᵗ elementwise.
func Exp[E Float](t *Dense[E]) *Dense[E] {
	return Map(t, func(x E) E { return E(math.Exp(float64(x))) })
}

// Log returns the natural logarithm elementwise.
func Log[E Float](t *Dense[E]) *Dense[E] {
	return Map(t, func(x E) E { return E(math.Log(float64(x))) })
}

// Sqrt returns the square root elementwise.
func Sqrt[E Float](t *Dense[E]) *Dense[E] {
	return Map(t, func(x E) E { return E(math.Sqrt(float64(x))) })
}

// Abs returns |t| elementwise.
func Abs[E Float](t *Dense[E]) *Dense[E] {
	return Map(t, func(x E) E { return E(math.Abs(float64(x))) })
}

// Tanh returns tanh elementwise.
func Tanh[E Float](t *Dense[E]) *Dense[E] {
	return Map(t, func(x E) E { return E(math.Tanh(float64(x))) })
}

// Sigmoid returns 1/(1+e^−t) elementwise, computed without overflow
// (kernels.Sigmoid).
func Sigmoid[E Float](t *Dense[E]) *Dense[E] {
	out := Empty[E](t.shape...)
	src := t.Contiguous()
	kernels.Sigmoid(out.Data(), src.Data())
	if src != t {
		src.Release()
	}
	return out
}

// Relu returns max(t, 0) elementwise.
func Relu[E Float](t *Dense[E]) *Dense[E] { return Map(t, func(x E) E { return max(x, 0) }) }

// Clamp returns t limited to [lo, hi] elementwise.
func Clamp[E Float](t *Dense[E], lo, hi E) *Dense[E] {
	return Map(t, func(x E) E { return min(max(x, lo), hi) })
}

// Axpy adds alpha·x to y in place (y += alpha·x), broadcasting x to y's
// shape.
func Axpy[E Float](alpha E, x, y *Dense[E]) {
	xx := x.broadcastTo(y.shape, "Axpy")
	if y.IsContiguous() && xx.IsContiguous() {
		kernels.Axpy(alpha, xx.Data(), y.Data())
		return
	}
	walk(y.shape, []*Dense[E]{y, xx}, func(o []int, n int, s []int) {
		d, a := y.buf(), xx.buf()
		for i := 0; i < n; i++ {
			d[o[0]+i*s[0]] += alpha * a[o[1]+i*s[1]]
		}
	})
}

// Scal multiplies t by alpha in place.
func Scal[E Float](alpha E, t *Dense[E]) {
	walk(t.shape, []*Dense[E]{t}, func(o []int, n int, s []int) {
		d := t.buf()
		for i := 0; i < n; i++ {
			d[o[0]+i*s[0]] *= alpha
		}
	})
}

// MulInto stores a·b (broadcast to dst's shape) into dst.
func MulInto[E Float](dst, a, b *Dense[E]) {
	binaryInto(opMul, dst, a.broadcastTo(dst.shape, "MulInto"), b.broadcastTo(dst.shape, "MulInto"))
}

// AddInto stores a+b (broadcast to dst's shape) into dst.
func AddInto[E Float](dst, a, b *Dense[E]) {
	binaryInto(opAdd, dst, a.broadcastTo(dst.shape, "AddInto"), b.broadcastTo(dst.shape, "AddInto"))
}

// Convert returns t's values as a tensor of another element type.
func Convert[D, E Float](t *Dense[E]) *Dense[D] {
	out := Empty[D](t.shape...)
	d, s := out.Data(), t.Contiguous().Data()
	for i, v := range s {
		d[i] = D(v)
	}
	return out
}
