package autograd

import (
	"fmt"
	"testing"

	"github.com/ivadogo/ivadogo/tensor"
)

func TestGradConv(t *testing.T) {
	cases := []struct {
		x, w []int
		bias bool
		o    ConvOpts
	}{
		{[]int{2, 3, 7}, []int{4, 3, 3}, true, ConvOpts{}},
		{[]int{1, 2, 5, 6}, []int{3, 2, 3, 3}, true, ConvOpts{Pad: []int{1, 1}}},
		{[]int{2, 4, 7, 5}, []int{2, 2, 3, 2}, false, ConvOpts{Stride: []int{2, 1}, Pad: []int{1, 0}, Groups: 2}},
		{[]int{1, 1, 9, 8}, []int{2, 1, 3, 3}, true, ConvOpts{Dilation: []int{2, 2}, Pad: []int{2, 1}}},
		{[]int{1, 2, 4, 5, 3}, []int{2, 2, 3, 3, 3}, true, ConvOpts{Pad: []int{1, 1, 1}}},
		{[]int{2, 1, 5, 4, 5}, []int{3, 1, 2, 1, 3}, true, ConvOpts{Stride: []int{2, 1, 2}}},
		{[]int{1, 3, 3, 3, 3}, []int{2, 3, 1, 1, 1}, true, ConvOpts{}},
	}
	var gc []gradCase
	for _, c := range cases {
		shapes := [][]int{c.x, c.w}
		if c.bias {
			shapes = append(shapes, []int{c.w[0]})
		}
		o := c.o
		gc = append(gc, gradCase{name: fmt.Sprintf("Conv%v%v%+v", c.x, c.w, o), shapes: shapes, build: func(x []*Var[float64]) *Var[float64] {
			var b *Var[float64]
			if len(x) == 3 {
				b = x[2]
			}
			return Conv(x[0], x[1], b, o)
		}})
	}
	tcases := []struct {
		x, w []int
		o    ConvOpts
	}{
		{[]int{2, 3, 4}, []int{3, 2, 3}, ConvOpts{Stride: []int{2}}},
		{[]int{1, 2, 3, 4}, []int{2, 3, 2, 2}, ConvOpts{Stride: []int{2, 2}}},
		{[]int{1, 4, 3, 3}, []int{4, 1, 3, 3}, ConvOpts{Stride: []int{2, 1}, Pad: []int{1, 1}, OutputPadding: []int{1, 0}, Groups: 2}},
		{[]int{1, 2, 2, 3, 2}, []int{2, 2, 2, 2, 2}, ConvOpts{Stride: []int{2, 2, 2}}},
		{[]int{1, 1, 3, 2, 3}, []int{1, 2, 3, 1, 2}, ConvOpts{Dilation: []int{1, 2, 1}, Pad: []int{1, 0, 0}}},
	}
	for _, c := range tcases {
		o := c.o
		cout := c.w[1] * max(o.Groups, 1)
		gc = append(gc, gradCase{name: fmt.Sprintf("ConvTranspose%v%v%+v", c.x, c.w, o), shapes: [][]int{c.x, c.w, {cout}}, build: func(x []*Var[float64]) *Var[float64] {
			return ConvTranspose(x[0], x[1], x[2], o)
		}})
	}
	// A non-contiguous input (a transposed view) goes through a copy.
	gc = append(gc, gradCase{name: "ConvPermutedInput", shapes: [][]int{{1, 5, 2, 4}, {2, 2, 3, 3}}, build: func(x []*Var[float64]) *Var[float64] {
		return Conv(Permute(x[0], 0, 2, 3, 1), x[1], nil, ConvOpts{Pad: []int{1, 1}})
	}})
	runGradCases(t, gc)
}

func TestGradPoolInterp(t *testing.T) {
	var gc []gradCase
	pools := []struct {
		x []int
		o PoolOpts
	}{
		{[]int{2, 3, 7}, PoolOpts{Kernel: []int{2}}},
		{[]int{1, 2, 6, 5}, PoolOpts{Kernel: []int{2, 2}}},
		{[]int{2, 1, 7, 7}, PoolOpts{Kernel: []int{3, 3}, Stride: []int{2, 2}, Pad: []int{1, 1}}},
		{[]int{1, 2, 5, 6}, PoolOpts{Kernel: []int{2, 3}, Stride: []int{2, 2}, CeilMode: true}},
		{[]int{1, 2, 4, 5, 3}, PoolOpts{Kernel: []int{2, 2, 2}}},
		{[]int{1, 1, 5, 3, 4}, PoolOpts{Kernel: []int{3, 1, 2}, Stride: []int{2, 1, 1}, Pad: []int{1, 0, 1}}},
	}
	for _, p := range pools {
		o := p.o
		gc = append(gc,
			gradCase{name: fmt.Sprintf("MaxPool%v%+v", p.x, o), shapes: [][]int{p.x}, build: func(x []*Var[float64]) *Var[float64] { return MaxPool(x[0], o) }},
			gradCase{name: fmt.Sprintf("AvgPool%v%+v", p.x, o), shapes: [][]int{p.x}, build: func(x []*Var[float64]) *Var[float64] { return AvgPool(x[0], o) }},
		)
	}
	interps := []struct {
		x, size []int
	}{
		{[]int{2, 2, 5}, []int{9}},
		{[]int{1, 2, 3, 4}, []int{6, 8}},
		{[]int{1, 1, 5, 4}, []int{3, 7}},
		{[]int{1, 2, 2, 3, 2}, []int{4, 6, 4}},
		{[]int{1, 1, 3, 1, 2}, []int{5, 2, 3}},
	}
	for _, ip := range interps {
		size := ip.size
		for _, m := range []struct {
			name  string
			mode  InterpMode
			align bool
		}{{"Nearest", InterpNearest, false}, {"Linear", InterpLinear, false}, {"LinearAlign", InterpLinear, true}} {
			gc = append(gc, gradCase{name: fmt.Sprintf("Interp%s%v%v", m.name, ip.x, size), shapes: [][]int{ip.x}, build: func(x []*Var[float64]) *Var[float64] {
				return Interpolate(x[0], size, m.mode, m.align)
			}})
		}
	}
	runGradCases(t, gc)
}

func TestGradNorm(t *testing.T) {
	var gc []gradCase
	for _, xs := range [][]int{{4, 3}, {2, 3, 5}, {3, 2, 3, 4}, {2, 4, 3, 2, 3}, {1, 2, 1, 5}} {
		c := xs[1]
		gc = append(gc,
			gradCase{name: fmt.Sprintf("BatchNormTrain%v", xs), shapes: [][]int{xs, {c}, {c}}, build: func(x []*Var[float64]) *Var[float64] {
				return BatchNorm(x[0], x[1], x[2], tensor.New[float64](c), tensor.Full(1.0, c), true, 0.1, 1e-5)
			}},
			gradCase{name: fmt.Sprintf("BatchNormTrainNoAffine%v", xs), shapes: [][]int{xs}, build: func(x []*Var[float64]) *Var[float64] {
				return BatchNorm(x[0], nil, nil, nil, nil, true, 0.1, 1e-5)
			}},
			gradCase{name: fmt.Sprintf("BatchNormEval%v", xs), shapes: [][]int{xs, {c}, {c}}, build: func(x []*Var[float64]) *Var[float64] {
				rm := tensor.Uniform(tensor.NewRNG(3), -0.5, 0.5, c)
				rv := tensor.Uniform(tensor.NewRNG(4), 0.5, 1.5, c)
				return BatchNorm(x[0], x[1], x[2], rm, rv, false, 0.1, 1e-5)
			}},
		)
		if len(xs) > 2 {
			gc = append(gc,
				gradCase{name: fmt.Sprintf("InstanceNorm%v", xs), shapes: [][]int{xs, {c}, {c}}, build: func(x []*Var[float64]) *Var[float64] {
					return InstanceNorm(x[0], x[1], x[2], 1e-5)
				}},
				gradCase{name: fmt.Sprintf("InstanceNormNoAffine%v", xs), shapes: [][]int{xs}, build: func(x []*Var[float64]) *Var[float64] {
					return InstanceNorm(x[0], nil, nil, 1e-5)
				}},
			)
		}
		if c%2 == 0 {
			gc = append(gc, gradCase{name: fmt.Sprintf("GroupNorm%v", xs), shapes: [][]int{xs, {c}, {c}}, build: func(x []*Var[float64]) *Var[float64] {
				return GroupNorm(x[0], 2, x[1], x[2], 1e-5)
			}})
		}
	}
	runGradCases(t, gc)
}
