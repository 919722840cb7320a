package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// RNG is a deterministic, seeded random source (PCG). The same seed gives
// the same numbers on every platform. An RNG is not safe for concurrent use.
type RNG struct{ r *rand.Rand }

// NewRNG returns a generator seeded with seed.
func NewRNG(seed uint64) *RNG {
	return &RNG{r: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15^seed))}
}

// Float64 returns a uniform number in [0, 1).
func (g *RNG) Float64() float64 { return g.r.Float64() }

// NormFloat64 returns a standard normal number.
func (g *RNG) NormFloat64() float64 { return g.r.NormFloat64() }

// IntN returns a uniform integer in [0, n).
func (g *RNG) IntN(n int) int { return g.r.IntN(n) }

// Perm returns a random permutation of 0..n-1.
func (g *RNG) Perm(n int) []int { return g.r.Perm(n) }

// Uniform returns a tensor with elements uniform in [lo, hi).
func Uniform[E Float](g *RNG, lo, hi E, shape ...int) *Dense[E] {
	t := Empty[E](shape...)
	t.FillUniform(g, lo, hi)
	return t
}

// Normal returns a tensor with normal elements of the given mean and
// standard deviation.
func Normal[E Float](g *RNG, mean, std E, shape ...int) *Dense[E] {
	t := Empty[E](shape...)
	t.FillNormal(g, mean, std)
	return t
}

// FillUniform sets t's elements uniform in [lo, hi), in row-major order.
func (t *Dense[E]) FillUniform(g *RNG, lo, hi E) {
	d := t.Data()
	w := float64(hi) - float64(lo)
	for i := range d {
		d[i] = E(float64(lo) + w*g.Float64())
	}
}

// FillNormal sets t's elements normal with the given mean and standard
// deviation, in row-major order.
func (t *Dense[E]) FillNormal(g *RNG, mean, std E) {
	d := t.Data()
	for i := range d {
		d[i] = E(float64(mean) + float64(std)*g.NormFloat64())
	}
}

// Fans returns the fan-in and fan-out of a weight of the given shape as
// PyTorch's _calculate_fan_in_and_fan_out computes them: shape[1] and
// shape[0] times the receptive field (the product of shape[2:]). A weight
// needs at least 2 axes.
func Fans(shape []int) (fanIn, fanOut int) {
	if len(shape) < 2 {
		panic(fmt.Sprintf("tensor: Fans of shape %v: want at least 2 axes", shape))
	}
	rf := prod(shape[2:])
	return shape[1] * rf, shape[0] * rf
}

// Gain returns the recommended gain for a nonlinearity, as PyTorch's
// torch.nn.init.calculate_gain: 1 for "linear", "conv1d", "conv2d",
// "conv3d", "conv_transpose1d/2d/3d" and "sigmoid"; 5/3 for "tanh";
// √2 for "relu"; √(2/(1+a²)) for "leaky_relu" with negative slope a
// (param); 3/4 for "selu". It panics on an unknown name.
func Gain(nonlinearity string, param float64) float64 {
	switch nonlinearity {
	case "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid":
		return 1
	case "tanh":
		return 5.0 / 3
	case "relu":
		return math.Sqrt2
	case "leaky_relu":
		return math.Sqrt(2 / (1 + param*param))
	case "selu":
		return 0.75
	}
	panic(fmt.Sprintf("tensor: Gain: unknown nonlinearity %q", nonlinearity))
}

// FanMode selects which fan Kaiming initialisation scales by.
type FanMode int

const (
	FanIn  FanMode = iota // preserve the forward pass's variance (PyTorch's default)
	FanOut                // preserve the backward pass's variance
)

func (t *Dense[E]) fan(mode FanMode) float64 {
	in, out := Fans(t.shape)
	if mode == FanOut {
		return float64(out)
	}
	return float64(in)
}

// KaimingUniform fills t as torch.nn.init.kaiming_uniform_(t, a, mode,
// nonlinearity): uniform in [−b, b] with b = gain·√(3/fan) and
// gain = Gain(nonlinearity, a). PyTorch's default layer initialisation
// is KaimingUniform(g, √5, FanIn, "leaky_relu"), which gives b = 1/√fan_in.
func (t *Dense[E]) KaimingUniform(g *RNG, a float64, mode FanMode, nonlinearity string) {
	b := Gain(nonlinearity, a) * math.Sqrt(3/t.fan(mode))
	t.FillUniform(g, E(-b), E(b))
}

// KaimingNormal fills t as torch.nn.init.kaiming_normal_: normal with
// mean 0 and standard deviation gain/√fan.
func (t *Dense[E]) KaimingNormal(g *RNG, a float64, mode FanMode, nonlinearity string) {
	std := Gain(nonlinearity, a) / math.Sqrt(t.fan(mode))
	t.FillNormal(g, 0, E(std))
}

// XavierUniform fills t as torch.nn.init.xavier_uniform_: uniform in
// [−b, b] with b = gain·√(6/(fan_in+fan_out)).
func (t *Dense[E]) XavierUniform(g *RNG, gain float64) {
	in, out := Fans(t.shape)
	b := gain * math.Sqrt(6/float64(in+out))
	t.FillUniform(g, E(-b), E(b))
}

// XavierNormal fills t as torch.nn.init.xavier_normal_: normal with
// standard deviation gain·√(2/(fan_in+fan_out)).
func (t *Dense[E]) XavierNormal(g *RNG, gain float64) {
	in, out := Fans(t.shape)
	t.FillNormal(g, 0, E(gain*math.Sqrt(2/float64(in+out))))
}
