package autograd

import (
	"fmt"
	"testing"

	"github.com/ivadogo/ivadogo/tensor"
)

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
			}}, gradCase{name: fmt.Sprintf("GroupNormLeakyRelu%v", xs), shapes: [][]int{xs, {c}, {c}}, build: func(x []*Var[float64]) *Var[float64] {
				return GroupNormLeakyRelu(x[0], 2, x[1], x[2], 1e-5, 0.1)
			}}, gradCase{name: fmt.Sprintf("GroupNormLeakyReluNoAffine%v", xs), shapes: [][]int{xs}, build: func(x []*Var[float64]) *Var[float64] {
				return GroupNormLeakyRelu(x[0], c, nil, nil, 1e-5, 0.01)
			}}, gradCase{name: fmt.Sprintf("GroupNormLeakyReluThenInPlace%v", xs), shapes: [][]int{xs, {c}, {c}}, build: func(x []*Var[float64]) *Var[float64] {
				// Its backward pass reads its output: an in-place op
				// after it must not write over that.
				return LeakyReluInPlace(GroupNormLeakyRelu(x[0], 2, x[1], x[2], 1e-5, 0.1), 0.3)
			}})
		}
	}
	runGradCases(t, gc)
}

// TestGradGroupNormLeakyReluConv1 checks the fused head's gradients, for
// the input, the affine parameters, the weight and the bias, against
// finite differences: 3D with affine parameters and a bias over two
// output channels, 2D without either, and with more outputs than
// mixBackwardMaxOut, whose backward pass rebuilds the map.
func TestGradGroupNormLeakyReluConv1(t *testing.T) {
	runGradCases(t, []gradCase{
		{name: "3D many outputs", shapes: [][]int{{2, 4, 2, 3, 2}, {4}, {4}, {mixBackwardMaxOut + 1, 4, 1, 1, 1}, {mixBackwardMaxOut + 1}}, build: func(x []*Var[float64]) *Var[float64] {
			return GroupNormLeakyReluConv1(x[0], 4, x[1], x[2], 1e-5, 0.1, x[3], x[4])
		}},
		{name: "3D", shapes: [][]int{{2, 4, 3, 2, 3}, {4}, {4}, {2, 4, 1, 1, 1}, {2}}, build: func(x []*Var[float64]) *Var[float64] {
			return GroupNormLeakyReluConv1(x[0], 2, x[1], x[2], 1e-5, 0.1, x[3], x[4])
		}},
		{name: "2D", shapes: [][]int{{2, 3, 4, 5}, {1, 3, 1, 1}}, build: func(x []*Var[float64]) *Var[float64] {
			return GroupNormLeakyReluConv1(x[0], 3, nil, nil, 1e-5, 0.01, x[1], nil)
		}},
	})
}

// TestGroupNormLeakyReluConv1MatchesOps: the fused head gives
// Conv(GroupNormLeakyRelu(x)) to rounding, output and gradients.
func TestGroupNormLeakyReluConv1MatchesOps(t *testing.T) {
	run := func(fused bool) [][]float32 {
		rng := tensor.NewRNG(21)
		x := Param(tensor.Uniform[float32](rng, -1, 1, 2, 8, 12, 12, 10))
		gamma := Param(tensor.Uniform[float32](rng, 0.5, 1.5, 8))
		beta := Param(tensor.Uniform[float32](rng, -0.5, 0.5, 8))
		w := Param(tensor.Uniform[float32](rng, -0.5, 0.5, 1, 8, 1, 1, 1))
		b := Param(tensor.Uniform[float32](rng, -0.5, 0.5, 1))
		var z *Var[float32]
		if fused {
			z = GroupNormLeakyReluConv1(x, 8, gamma, beta, 1e-5, 0.01, w, b)
		} else {
			z = Conv(GroupNormLeakyRelu(x, 8, gamma, beta, 1e-5, 0.01), w, b, ConvOpts{})
		}
		out := z.Data().Clone().Data()
		_, gs := lossGrads(z, x, gamma, beta, w, b)
		return append([][]float32{out}, gs...)
	}
	closeRuns(t, "output and gradients", run(true), run(false))
}
