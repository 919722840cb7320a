package autograd

import (
	"math"
	"testing"

	"github.com/ivadogo/ivadogo/tensor"
)

// miniUNet builds a two-level U-Net-shaped graph over leaves made from
// the given float64 values, so that the same network can run in either
// element type.
func miniUNet[E Float](x64, w64 []*tensor.Dense[float64], y64 *tensor.Dense[float64]) (loss *Var[E], params []*Var[E]) {
	for _, w := range w64 {
		params = append(params, Param(tensor.Convert[E](w)))
	}
	x := Const(tensor.Convert[E](x64[0]))
	y := Const(tensor.Convert[E](y64))
	return miniUNetLoss(x, y, params), params
}

func miniUNetLoss[E Float](x, y *Var[E], p []*Var[E]) *Var[E] {
	same := ConvOpts{Pad: []int{1, 1}}
	e1 := Relu(BatchNorm(Conv(x, p[0], p[1], same), p[2], p[3], nil, nil, true, 0.1, 1e-5))
	d := MaxPool(e1, PoolOpts{Kernel: []int{2, 2}})
	m := LeakyRelu(GroupNorm(Conv(d, p[4], nil, same), 2, p[5], p[6], 1e-5), 0.1)
	u := Interpolate(m, []int{e1.Dim(2), e1.Dim(3)}, InterpLinear, false)
	c := Concat(1, u, e1)
	t := ConvTranspose(c, p[7], p[8], ConvOpts{Pad: []int{1, 1}})
	o := Sigmoid(Conv(Elu(t, 1), p[9], p[10], ConvOpts{}))
	inter := SumAll(Mul(o, y))
	den := AddScalar(Add(SumAll(o), SumAll(y)), 1)
	return AddScalar(Neg(Div(AddScalar(MulScalar(inter, 2), 1), den)), 1)
}

var miniShapes = [][]int{{6, 2, 3, 3}, {6}, {6}, {6}, {4, 6, 3, 3}, {4}, {4}, {10, 5, 3, 3}, {5}, {1, 5, 1, 1}, {1}}

// TestGradComposite checks a whole U-Net-shaped graph, inputs and every
// weight, against finite differences: the engine's accumulation over
// skip connections and shared inputs, not only single ops.
func TestGradComposite(t *testing.T) {
	shapes := append([][]int{{2, 2, 6, 5}}, miniShapes...)
	runGradCases(t, []gradCase{{name: "MiniUNet", shapes: shapes, build: func(v []*Var[float64]) *Var[float64] {
		y := Const(tensor.Uniform(tensor.NewRNG(9), 0.0, 1.0, 2, 1, 6, 5))
		return miniUNetLoss(v[0], y, v[1:])
	}}})
}

// TestFloat32Graph checks the float32 path of a whole network against
// the float64 one: same graph, same float32-exact inputs. The float64
// gradients are the ones the finite-difference checks vouch for; the
// float32 run goes through the kernels' float32 (assembly) code.
func TestFloat32Graph(t *testing.T) {
	rng := tensor.NewRNG(5)
	x := tensor.Convert[float64](tensor.Normal[float32](rng, 0, 1, 2, 2, 10, 9))
	y := tensor.Convert[float64](tensor.Uniform[float32](rng, 0, 1, 2, 1, 10, 9))
	shapes := miniShapes
	var w []*tensor.Dense[float64]
	for _, s := range shapes {
		w = append(w, tensor.Convert[float64](tensor.Uniform[float32](rng, -0.5, 0.5, s...)))
	}
	l64, p64 := miniUNet[float64]([]*tensor.Dense[float64]{x}, w, y)
	l32, p32 := miniUNet[float32]([]*tensor.Dense[float64]{x}, w, y)
	if d := math.Abs(float64(l32.Item()) - l64.Item()); d > 1e-5 {
		t.Errorf("loss: float32 %v, float64 %v", l32.Item(), l64.Item())
	}
	l64.Backward()
	l32.Backward()
	for i := range p64 {
		g64, g32 := p64[i].Grad().Data(), p32[i].Grad().Data()
		scale := 0.0
		for _, v := range g64 {
			scale = math.Max(scale, math.Abs(v))
		}
		for j := range g64 {
			if d := math.Abs(float64(g32[j]) - g64[j]); d > 1e-4*scale+1e-7 {
				t.Errorf("param %d %v element %d: float32 gradient %v, float64 %v", i, shapes[i], j, g32[j], g64[j])
				break
			}
		}
	}
	l64.Release()
	l32.Release()
}
