package bench

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/ivadogo/ivadogo/kernels"
)

func init() {
	Register("gemm", setupGemm)
	Register("conv2d", setupConv)
	Register("conv3d", setupConv)
	Register("mem", setupMem)
}

// randn returns n standard normal float32 values scaled by s, from a fixed
// seed so that every run times the same data.
func randn(rng *rand.Rand, n int, s float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64() * s)
	}
	return x
}

func prod(s []int) int {
	p := 1
	for _, v := range s {
		p *= v
	}
	return p
}

// setupGemm times C = A·B, row-major, alpha 1, beta 0.
func setupGemm(c Case) (func(), error) {
	if c.M <= 0 || c.N <= 0 || c.K <= 0 {
		return nil, fmt.Errorf("gemm case needs positive M, N, K, have %d, %d, %d", c.M, c.N, c.K)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	a, b := randn(rng, c.M*c.K, 1), randn(rng, c.K*c.N, 1)
	out := make([]float32, c.M*c.N)
	return func() {
		kernels.Gemm(false, false, c.M, c.N, c.K, 1, a, c.K, b, c.N, 0, out, c.N)
	}, nil
}

// setupConv times a convolution without bias; the _fwdbwd cases add the
// gradients with respect to the input and the weight, as
// torch.autograd.grad(y, (x, w), dy).
func setupConv(c Case) (func(), error) {
	d := len(c.Spatial)
	if (c.Kind == "conv2d" && d != 2) || (c.Kind == "conv3d" && d != 3) || c.Kernel <= 0 {
		return nil, fmt.Errorf("%s case needs %s spatial sizes and a kernel, have %v, k=%d", c.Kind, c.Kind[4:], c.Spatial, c.Kernel)
	}
	rep := func(v int) []int {
		s := make([]int, d)
		for i := range s {
			s[i] = v
		}
		return s
	}
	p := kernels.ConvParams{N: c.N, Cin: c.Cin, Cout: c.Cout, In: c.Spatial,
		Kernel: rep(c.Kernel), Pad: rep(c.Pad), Stride: rep(max(c.Stride, 1))}
	kvol := prod(p.Kernel)
	rng := rand.New(rand.NewPCG(2, 2))
	x := randn(rng, c.N*c.Cin*prod(c.Spatial), 1)
	w := randn(rng, c.Cout*c.Cin*kvol, 1/math.Sqrt(float64(c.Cin*kvol)))
	var bias []float32
	if c.Bias {
		bias = randn(rng, c.Cout, 1)
	}
	y := make([]float32, c.N*c.Cout*prod(p.Out()))
	if len(c.Grads) == 0 {
		return func() { kernels.ConvForward(p, x, w, bias, y) }, nil
	}
	dy := randn(rng, len(y), 1)
	dx, dw := make([]float32, len(x)), make([]float32, len(w))
	var dbias []float32
	if c.Bias {
		dbias = make([]float32, c.Cout)
	}
	return func() {
		kernels.ConvForward(p, x, w, bias, y)
		kernels.ConvBackwardData(p, dy, w, dx)
		kernels.ConvBackwardWeight(p, x, dy, dw, dbias)
	}, nil
}

// memOps are the memory-bound layers by the prefix of their case name;
// each returns the forward and the forward+backward operation on an
// activation of the given shape. A layer whose kernel does not exist yet
// is simply absent.
var memOps = map[string]func(shape []int) (fwd, fwdbwd func()){
	"relu":           reluOps,
	"maxpool2d":      maxPoolOps,
	"maxpool3d":      maxPoolOps,
	"batchnorm2d":    batchNormOps,
	"batchnorm3d":    batchNormOps,
	"instancenorm2d": instanceNormOps,
	"instancenorm3d": instanceNormOps,
}

// setupMem times relu, max pooling, batch and instance norm on the
// shapes of the cases; the op is the case name up to its first '_'.
func setupMem(c Case) (func(), error) {
	op, _, _ := strings.Cut(c.Name, "_")
	mk, ok := memOps[op]
	if !ok {
		return nil, fmt.Errorf("mem op %q: %w", op, ErrNotAvailable)
	}
	if len(c.Shape) < 3 {
		return nil, fmt.Errorf("mem case needs an N, C, spatial... shape, have %v", c.Shape)
	}
	fwd, fwdbwd := mk(c.Shape)
	if strings.HasSuffix(c.Name, "_fwdbwd") {
		return fwdbwd, nil
	}
	return fwd, nil
}

// maxPoolOps: kernel 2, stride 2, with the argmax indices kept for the
// backward pass (PyTorch's max_pool with return_indices).
func maxPoolOps(shape []int) (fwd, fwdbwd func()) {
	sp := shape[2:]
	two := make([]int, len(sp))
	for i := range two {
		two[i] = 2
	}
	p := kernels.PoolParams{N: shape[0], C: shape[1], In: sp, Kernel: two, Stride: two}
	rng := rand.New(rand.NewPCG(3, 3))
	x := randn(rng, prod(shape), 1)
	no := shape[0] * shape[1] * prod(p.Out())
	y, idx := make([]float32, no), make([]int32, no)
	dy, dx := randn(rng, no, 1), make([]float32, len(x))
	fwd = func() { kernels.MaxPoolForward(p, x, y, idx) }
	fwdbwd = func() {
		kernels.MaxPoolForward(p, x, y, idx)
		kernels.MaxPoolBackward(p, dy, idx, dx)
	}
	return fwd, fwdbwd
}

// reluOps: y = max(x, 0); backward dx = dy where y > 0.
func reluOps(shape []int) (fwd, fwdbwd func()) {
	rng := rand.New(rand.NewPCG(4, 4))
	x := randn(rng, prod(shape), 1)
	y, dy, dx := make([]float32, len(x)), randn(rng, len(x), 1), make([]float32, len(x))
	fwd = func() { kernels.Relu(y, x) }
	fwdbwd = func() {
		kernels.Relu(y, x)
		kernels.ReluBackward(dx, y, dy)
	}
	return fwd, fwdbwd
}

// batchNormOps: training-mode batch norm with affine parameters, eps 1e-5;
// the backward pass gives dx, dgamma and dbeta.
func batchNormOps(shape []int) (fwd, fwdbwd func()) {
	n, c, s := shape[0], shape[1], prod(shape[2:])
	rng := rand.New(rand.NewPCG(5, 5))
	x := randn(rng, n*c*s, 1)
	gamma, beta := randn(rng, c, 1), randn(rng, c, 1)
	y, mean, invstd := make([]float32, len(x)), make([]float32, c), make([]float32, c)
	dy, dx := randn(rng, len(x), 1), make([]float32, len(x))
	dgamma, dbeta := make([]float32, c), make([]float32, c)
	fwd = func() { kernels.BatchNormForward(n, c, s, x, gamma, beta, 1e-5, y, mean, invstd) }
	fwdbwd = func() {
		kernels.BatchNormForward(n, c, s, x, gamma, beta, 1e-5, y, mean, invstd)
		kernels.BatchNormBackward(n, c, s, x, dy, gamma, mean, invstd, dx, dgamma, dbeta)
	}
	return fwd, fwdbwd
}

// instanceNormOps: statistics per (sample, channel), no affine parameters
// (InstanceNorm's default), as group norm with one channel per group.
func instanceNormOps(shape []int) (fwd, fwdbwd func()) {
	n, c, s := shape[0], shape[1], prod(shape[2:])
	rng := rand.New(rand.NewPCG(6, 6))
	x := randn(rng, n*c*s, 1)
	y, mean, invstd := make([]float32, len(x)), make([]float32, n*c), make([]float32, n*c)
	dy, dx := randn(rng, len(x), 1), make([]float32, len(x))
	fwd = func() { kernels.GroupNormForward(n, c, s, c, x, nil, nil, 1e-5, y, mean, invstd) }
	fwdbwd = func() {
		kernels.GroupNormForward(n, c, s, c, x, nil, nil, 1e-5, y, mean, invstd)
		kernels.GroupNormBackward(n, c, s, c, x, dy, nil, mean, invstd, dx, nil, nil)
	}
	return fwd, fwdbwd
}
