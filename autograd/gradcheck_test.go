package autograd

import (
	"fmt"
	"math"
	"testing"

	"github.com/ivadogo/ivadogo/tensor"
)

// gradCase is one finite-difference check: build turns float64 leaves
// into a Var of any shape; the check differentiates Σ r·build(xs) for a
// fixed random r, so that no gradient vanishes by symmetry (Σ softmax = 1).
type gradCase struct {
	name   string
	shapes [][]int
	build  func(xs []*Var[float64]) *Var[float64]
	// positive keeps inputs away from 0 (Log, Sqrt, Div).
	positive bool
	// lo, hi bound inputs when set (default [−1, 1]).
	lo, hi float64
}

const (
	fdStep = 1e-6
	fdAbs  = 1e-6
	fdRel  = 1e-5
)

// checkGrad compares the gradients Backward computes with central finite
// differences, in float64, for every element of every input.
func checkGrad(t *testing.T, c gradCase, seed uint64) {
	t.Helper()
	rng := tensor.NewRNG(seed)
	lo, hi := -1.0, 1.0
	if c.positive {
		lo, hi = 0.5, 2
	}
	if c.lo != 0 || c.hi != 0 {
		lo, hi = c.lo, c.hi
	}
	data := make([]*tensor.Dense[float64], len(c.shapes))
	for i, s := range c.shapes {
		data[i] = tensor.Uniform(rng, lo, hi, s...)
	}
	var r *tensor.Dense[float64]
	loss := func(xs []*Var[float64]) *Var[float64] {
		out := c.build(xs)
		if r == nil {
			r = tensor.Uniform(rng, -1.0, 1.0, out.Shape()...)
		}
		return SumAll(Mul(out, Const(r)))
	}
	xs := make([]*Var[float64], len(data))
	for i, d := range data {
		xs[i] = Param(d)
	}
	l := loss(xs)
	l.Backward()
	l.Release()
	eval := func() float64 {
		// Constant leaves record no backward; Release recycles the rest.
		cs := make([]*Var[float64], len(data))
		for i, d := range data {
			cs[i] = Const(d)
		}
		l := loss(cs)
		v := l.Item()
		l.Release()
		return v
	}
	for i, d := range data {
		g := xs[i].Grad()
		if g == nil {
			t.Fatalf("%s: input %d got no gradient", c.name, i)
		}
		vals := d.Data()
		gv := g.Contiguous().Data()
		bad := 0
		for j := range vals {
			old := vals[j]
			vals[j] = old + fdStep
			fp := eval()
			vals[j] = old - fdStep
			fm := eval()
			vals[j] = old
			num := (fp - fm) / (2 * fdStep)
			if diff := math.Abs(gv[j] - num); diff > fdAbs+fdRel*math.Abs(num) || math.IsNaN(gv[j]) {
				if bad < 5 {
					t.Errorf("%s: input %d %v element %d: backward %.9g, finite difference %.9g", c.name, i, d.Shape(), j, gv[j], num)
				}
				bad++
			}
		}
		if bad > 0 {
			t.Errorf("%s: input %d: %d of %d elements differ", c.name, i, bad, len(vals))
		}
	}
}

// randShape returns a shape of the given rank with sizes in [1, max],
// odd sizes and size-1 axes included.
func randShape(rng *tensor.RNG, rank, max int) []int {
	s := make([]int, rank)
	for i := range s {
		s[i] = 1 + rng.IntN(max)
	}
	return s
}

func runGradCases(t *testing.T, cases []gradCase) {
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkGrad(t, c, uint64(100+i)) })
	}
}

func TestGradElementwise(t *testing.T) {
	rng := tensor.NewRNG(1)
	var cases []gradCase
	for k := 0; k < 3; k++ {
		s := randShape(rng, 1+rng.IntN(4), 4)
		b := append([]int(nil), s...)
		for i := range b { // broadcast some axes
			if rng.IntN(2) == 0 {
				b[i] = 1
			}
		}
		b = b[rng.IntN(len(b)):] // and drop leading ones
		sh := fmt.Sprint(s, b)
		cases = append(cases,
			gradCase{name: "Add" + sh, shapes: [][]int{s, b}, build: func(x []*Var[float64]) *Var[float64] { return Add(x[0], x[1]) }},
			gradCase{name: "AddRev" + sh, shapes: [][]int{b, s}, build: func(x []*Var[float64]) *Var[float64] { return Add(x[0], x[1]) }},
			gradCase{name: "Sub" + sh, shapes: [][]int{s, b}, build: func(x []*Var[float64]) *Var[float64] { return Sub(x[0], x[1]) }},
			gradCase{name: "Mul" + sh, shapes: [][]int{s, b}, build: func(x []*Var[float64]) *Var[float64] { return Mul(x[0], x[1]) }},
			gradCase{name: "Div" + sh, shapes: [][]int{b, s}, positive: true, build: func(x []*Var[float64]) *Var[float64] { return Div(x[0], x[1]) }},
			gradCase{name: "Maximum" + sh, shapes: [][]int{s, b}, build: func(x []*Var[float64]) *Var[float64] { return Maximum(x[0], x[1]) }},
			gradCase{name: "Minimum" + sh, shapes: [][]int{b, s}, build: func(x []*Var[float64]) *Var[float64] { return Minimum(x[0], x[1]) }},
		)
	}
	s := []int{3, 1, 5}
	cases = append(cases,
		gradCase{name: "AddScalar", shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] { return AddScalar(x[0], 2.5) }},
		gradCase{name: "MulScalar", shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] { return MulScalar(x[0], -1.5) }},
		gradCase{name: "Neg", shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] { return Neg(x[0]) }},
		gradCase{name: "Pow", shapes: [][]int{s}, positive: true, build: func(x []*Var[float64]) *Var[float64] { return Pow(x[0], 2.7) }},
		gradCase{name: "Square", shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] { return Square(x[0]) }},
		gradCase{name: "Exp", shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] { return Exp(x[0]) }},
		gradCase{name: "Log", shapes: [][]int{s}, positive: true, build: func(x []*Var[float64]) *Var[float64] { return Log(x[0]) }},
		gradCase{name: "Sqrt", shapes: [][]int{s}, positive: true, build: func(x []*Var[float64]) *Var[float64] { return Sqrt(x[0]) }},
		gradCase{name: "Abs", shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] { return Abs(x[0]) }},
		gradCase{name: "SelfMul", shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] { return Mul(x[0], x[0]) }},
		gradCase{name: "Diamond", shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] {
			a := Exp(x[0])
			return Mul(Add(a, x[0]), Sub(a, MulScalar(x[0], 3)))
		}},
	)
	runGradCases(t, cases)
}

func TestGradActivation(t *testing.T) {
	s := []int{2, 3, 1, 5}
	runGradCases(t, []gradCase{
		{name: "Relu", shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] { return Relu(x[0]) }},
		{name: "LeakyRelu", shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] { return LeakyRelu(x[0], 0.01) }},
		{name: "Elu", shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] { return Elu(x[0], 1.3) }},
		{name: "Sigmoid", shapes: [][]int{s}, lo: -6, hi: 6, build: func(x []*Var[float64]) *Var[float64] { return Sigmoid(x[0]) }},
		{name: "Tanh", shapes: [][]int{s}, lo: -3, hi: 3, build: func(x []*Var[float64]) *Var[float64] { return Tanh(x[0]) }},
		{name: "Clamp", shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] { return Clamp(x[0], -0.3, 0.6) }},
	})
}

func TestGradReduce(t *testing.T) {
	s := []int{3, 4, 1, 5}
	var cases []gradCase
	for _, ax := range [][]int{nil, {0}, {1, 3}, {-1}, {2}} {
		for _, keep := range []bool{false, true} {
			sh := fmt.Sprint(ax, keep)
			cases = append(cases,
				gradCase{name: "Sum" + sh, shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] { return Sum(x[0], ax, keep) }},
				gradCase{name: "Mean" + sh, shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] { return Mean(x[0], ax, keep) }},
				gradCase{name: "Max" + sh, shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] { return Max(x[0], ax, keep) }},
				gradCase{name: "VarianceBiased" + sh, shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] { return Variance(x[0], ax, false, keep) }},
			)
			if fmt.Sprint(ax) == "[2]" {
				continue // unbiased variance over one element is 0/0, as in PyTorch
			}
			cases = append(cases,
				gradCase{name: "Variance" + sh, shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] { return Variance(x[0], ax, true, keep) }},
			)
		}
	}
	runGradCases(t, cases)
}

func TestGradShape(t *testing.T) {
	s := []int{2, 3, 4}
	runGradCases(t, []gradCase{
		{name: "Reshape", shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] { return Reshape(x[0], 4, -1) }},
		{name: "Flatten", shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] { return Flatten(x[0]) }},
		{name: "Permute", shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] { return Permute(x[0], 2, 0, 1) }},
		{name: "PermuteReshape", shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] { return Reshape(Permute(x[0], 2, 0, 1), -1) }},
		{name: "Transpose", shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] { return Transpose(x[0], 0, -1) }},
		{name: "Narrow", shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] { return Narrow(x[0], 2, 1, 2) }},
		{name: "Slice", shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] { return Slice(x[0], 1, 0, 3, 2) }},
		{name: "Expand", shapes: [][]int{{3, 1}}, build: func(x []*Var[float64]) *Var[float64] { return Expand(x[0], 2, 3, 5) }},
		{name: "Unsqueeze", shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] { return Unsqueeze(x[0], 1) }},
		{name: "Squeeze", shapes: [][]int{{2, 1, 3, 1}}, build: func(x []*Var[float64]) *Var[float64] { return Squeeze(x[0]) }},
		{name: "Concat", shapes: [][]int{{2, 1, 3}, {2, 4, 3}, {2, 2, 3}}, build: func(x []*Var[float64]) *Var[float64] { return Concat(1, x...) }},
		{name: "ConcatLast", shapes: [][]int{{2, 3, 1}, {2, 3, 2}}, build: func(x []*Var[float64]) *Var[float64] { return Concat(-1, x...) }},
		{name: "Stack", shapes: [][]int{{2, 3}, {2, 3}}, build: func(x []*Var[float64]) *Var[float64] { return Stack(0, x...) }},
		{name: "Pad", shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] { return Pad(x[0], []int{1, 2, 0, 1}, 0.5) }},
		{name: "PadCrop", shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] { return Pad(x[0], []int{-1, 2, 1, -1}, 0) }},
	})
}

func TestGradMatMul(t *testing.T) {
	runGradCases(t, []gradCase{
		{name: "MatMul", shapes: [][]int{{3, 5}, {5, 2}}, build: func(x []*Var[float64]) *Var[float64] { return MatMul(x[0], x[1]) }},
		{name: "MatMul1", shapes: [][]int{{1, 1}, {1, 3}}, build: func(x []*Var[float64]) *Var[float64] { return MatMul(x[0], x[1]) }},
		{name: "MatMulT", shapes: [][]int{{5, 3}, {5, 2}}, build: func(x []*Var[float64]) *Var[float64] { return MatMul(Transpose(x[0], 0, 1), x[1]) }},
		{name: "MatMulBatched", shapes: [][]int{{2, 3, 4}, {2, 4, 3}}, build: func(x []*Var[float64]) *Var[float64] { return MatMul(x[0], x[1]) }},
		{name: "Linear", shapes: [][]int{{4, 3}, {5, 3}, {5}}, build: func(x []*Var[float64]) *Var[float64] { return Linear(x[0], x[1], x[2]) }},
		{name: "Linear3D", shapes: [][]int{{2, 3, 3}, {1, 3}, {1}}, build: func(x []*Var[float64]) *Var[float64] { return Linear(x[0], x[1], x[2]) }},
		{name: "LinearNoBias", shapes: [][]int{{4, 3}, {2, 3}}, build: func(x []*Var[float64]) *Var[float64] { return Linear(x[0], x[1], nil) }},
	})
}

func TestGradSoftmax(t *testing.T) {
	s := []int{2, 3, 1, 4}
	runGradCases(t, []gradCase{
		{name: "Softmax1", shapes: [][]int{s}, lo: -4, hi: 4, build: func(x []*Var[float64]) *Var[float64] { return Softmax(x[0], 1) }},
		{name: "SoftmaxLast", shapes: [][]int{s}, lo: -4, hi: 4, build: func(x []*Var[float64]) *Var[float64] { return Softmax(x[0], -1) }},
		{name: "SoftmaxSize1", shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] { return Softmax(x[0], 2) }},
		{name: "LogSoftmax1", shapes: [][]int{s}, lo: -4, hi: 4, build: func(x []*Var[float64]) *Var[float64] { return LogSoftmax(x[0], 1) }},
		{name: "LogSoftmax0", shapes: [][]int{s}, lo: -4, hi: 4, build: func(x []*Var[float64]) *Var[float64] { return LogSoftmax(x[0], 0) }},
	})
}

func TestGradDropout(t *testing.T) {
	s := []int{3, 4, 2, 3}
	runGradCases(t, []gradCase{
		{name: "Dropout", shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] {
			return Dropout(x[0], 0.3, true, tensor.NewRNG(7))
		}},
		{name: "ChannelDropout", shapes: [][]int{s}, build: func(x []*Var[float64]) *Var[float64] {
			return ChannelDropout(x[0], 0.5, true, tensor.NewRNG(7))
		}},
	})
}
