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

// TestGradRandomGeometry checks convolution, pooling, interpolation and
// normalisation on random geometries: ranks 1 to 3, odd sizes, size-1
// axes, strides, padding, dilation and groups drawn at random.
func TestGradRandomGeometry(t *testing.T) {
	rng := tensor.NewRNG(77)
	in := func(a, b int) int { return a + rng.IntN(b-a+1) }
	var gc []gradCase
	for geoms := 0; geoms < 10; {
		nd := in(1, 3)
		groups := in(1, 2)
		n, cin, cout := in(1, 2), groups*in(1, 2), groups*in(1, 2)
		xs := []int{n, cin}
		ws := []int{cout, cin / groups}
		var o ConvOpts
		o.Groups = groups
		ok := true
		for d := 0; d < nd; d++ {
			size, k := in(1, 6), in(1, 3)
			s, dil, pad := in(1, 2), in(1, 2), in(0, 1)
			if (size+2*pad-dil*(k-1)-1)/s+1 < 1 || size+2*pad < dil*(k-1)+1 {
				ok = false
			}
			xs, ws = append(xs, size), append(ws, k)
			o.Stride, o.Dilation, o.Pad = append(o.Stride, s), append(o.Dilation, dil), append(o.Pad, pad)
		}
		if !ok {
			continue
		}
		geoms++
		co := o
		gc = append(gc, gradCase{name: fmt.Sprintf("Conv%v%v%+v", xs, ws, co), shapes: [][]int{xs, ws, {cout}}, build: func(x []*Var[float64]) *Var[float64] {
			return Conv(x[0], x[1], x[2], co)
		}})
		// The transposed convolution of the same geometry, with an output
		// padding below the stride or dilation where one is allowed.
		to := co
		to.OutputPadding = make([]int, nd)
		for d := range to.OutputPadding {
			if lim := max(to.Stride[d], to.Dilation[d]); lim > 1 {
				to.OutputPadding[d] = rng.IntN(lim)
			}
		}
		tws := append([]int{cin, cout / groups}, ws[2:]...)
		tp := 0
		for d := 0; d < nd; d++ {
			if (xs[2+d]-1)*to.Stride[d]-2*to.Pad[d]+to.Dilation[d]*(ws[2+d]-1)+to.OutputPadding[d]+1 < 1 {
				tp = -1
			}
		}
		if tp == 0 {
			gc = append(gc, gradCase{name: fmt.Sprintf("ConvTranspose%v%v%+v", xs, tws, to), shapes: [][]int{xs, tws, {cout}}, build: func(x []*Var[float64]) *Var[float64] {
				return ConvTranspose(x[0], x[1], x[2], to)
			}})
		}
		// Pooling and interpolation on the same input shape.
		var po PoolOpts
		po.CeilMode = rng.IntN(2) == 0
		size := make([]int, nd)
		for d := 0; d < nd; d++ {
			k := in(1, min(3, xs[2+d]))
			po.Kernel, po.Stride, po.Pad = append(po.Kernel, k), append(po.Stride, in(1, 2)), append(po.Pad, in(0, k/2))
			size[d] = in(1, 7)
		}
		mode := InterpMode(rng.IntN(2))
		align := rng.IntN(2) == 0
		gc = append(gc,
			gradCase{name: fmt.Sprintf("MaxPool%v%+v", xs, po), shapes: [][]int{xs}, build: func(x []*Var[float64]) *Var[float64] { return MaxPool(x[0], po) }},
			gradCase{name: fmt.Sprintf("AvgPool%v%+v", xs, po), shapes: [][]int{xs}, build: func(x []*Var[float64]) *Var[float64] { return AvgPool(x[0], po) }},
			gradCase{name: fmt.Sprintf("Interp%v->%v,mode%d,align%v", xs, size, mode, align), shapes: [][]int{xs}, build: func(x []*Var[float64]) *Var[float64] {
				return Interpolate(x[0], size, mode, align)
			}},
			gradCase{name: fmt.Sprintf("GroupNorm%v/%d", xs, groups), shapes: [][]int{xs, {cin}, {cin}}, build: func(x []*Var[float64]) *Var[float64] {
				return GroupNorm(x[0], groups, x[1], x[2], 1e-5)
			}},
		)
		if n*prodInts(xs[2:]) > 1 {
			gc = append(gc, gradCase{name: fmt.Sprintf("BatchNorm%v", xs), shapes: [][]int{xs, {cin}, {cin}}, build: func(x []*Var[float64]) *Var[float64] {
				return BatchNorm(x[0], x[1], x[2], nil, nil, true, 0.1, 1e-5)
			}})
		}
	}
	runGradCases(t, gc)
}

func prodInts(s []int) int {
	p := 1
	for _, v := range s {
		p *= v
	}
	return p
}
