package autograd

import (
	"fmt"
	"testing"
)

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
