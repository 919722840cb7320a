package kernels_test

import (
	"fmt"

	"github.com/ivadogo/ivadogo/kernels"
)

// A 3×3 convolution with padding 1 keeps the spatial size; here a box
// filter over a 4×4 image of ones counts the in-bounds neighbours.
func ExampleConvForward() {
	p := kernels.ConvParams{N: 1, Cin: 1, Cout: 1, In: []int{4, 4}, Kernel: []int{3, 3}, Pad: []int{1, 1}}
	x := make([]float32, 16)
	w := make([]float32, 9)
	for i := range x {
		x[i] = 1
	}
	for i := range w {
		w[i] = 1
	}
	y := make([]float32, 1*1*16) // N·Cout·prod(p.Out())
	kernels.ConvForward(p, x, w, nil, y)
	fmt.Println(p.Out())
	for r := 0; r < 4; r++ {
		fmt.Println(y[4*r : 4*r+4])
	}
	// Output:
	// [4 4]
	// [4 6 6 4]
	// [6 9 9 6]
	// [6 9 9 6]
	// [4 6 6 4]
}

// Max pooling returns, with each maximum, its index within the plane,
// which MaxPoolBackward uses to route the gradient.
func ExampleMaxPoolForward() {
	p := kernels.PoolParams{N: 1, C: 1, In: []int{2, 4}, Kernel: []int{2, 2}}
	x := []float32{
		1, 5, 2, 0,
		3, 4, 7, 6,
	}
	y, idx := make([]float32, 2), make([]int32, 2)
	kernels.MaxPoolForward(p, x, y, idx)
	dx := make([]float32, 8)
	kernels.MaxPoolBackward(p, []float32{10, 20}, idx, dx)
	fmt.Println(y, idx)
	fmt.Println(dx)
	// Output:
	// [5 7] [1 6]
	// [0 10 0 0 0 0 20 0]
}

// Linear interpolation with and without align_corners, as
// F.interpolate(x, size=5, mode='linear', align_corners=...).
func ExampleInterpForward() {
	x := []float64{0, 1, 2}
	y := make([]float64, 5)
	for _, ac := range []bool{true, false} {
		kernels.InterpForward(kernels.InterpParams{N: 1, C: 1, In: []int{3}, Out: []int{5}, Mode: kernels.Linear, AlignCorners: ac}, x, y)
		fmt.Printf("align_corners=%v: %.2f\n", ac, y)
	}
	kernels.InterpForward(kernels.InterpParams{N: 1, C: 1, In: []int{3}, Out: []int{5}, Mode: kernels.Nearest}, x, y)
	fmt.Printf("nearest: %.2f\n", y)
	// Output:
	// align_corners=true: [0.00 0.50 1.00 1.50 2.00]
	// align_corners=false: [0.00 0.40 1.00 1.60 2.00]
	// nearest: [0.00 0.00 1.00 1.00 2.00]
}

// Batch norm in training mode returns the batch statistics with the
// normalised values; the backward pass takes them back.
func ExampleBatchNormForward() {
	// x is [n=2, c=1, s=2].
	x := []float64{1, 2, 3, 4}
	y, mean, invstd := make([]float64, 4), make([]float64, 1), make([]float64, 1)
	kernels.BatchNormForward(2, 1, 2, x, nil, nil, 0, y, mean, invstd)
	fmt.Printf("mean %.2f, var %.2f, y %.3f\n", mean[0], 1/(invstd[0]*invstd[0]), y)
	// Output:
	// mean 2.50, var 1.25, y [-1.342 -0.447 0.447 1.342]
}

// One Adam step moves every parameter by about LR against its gradient's
// sign, whatever the gradient's size.
func ExampleAdamUpdate() {
	param := []float64{1, 1}
	grad := []float64{0.001, -1000}
	m, v := make([]float64, 2), make([]float64, 2)
	kernels.AdamUpdate(kernels.AdamParams{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 1}, param, grad, m, v)
	fmt.Printf("%.4f\n", param)
	// Output:
	// [0.9000 1.1000]
}

// A long-running training process can bound the memory the kernels keep
// between calls, and report it.
func ExampleSetScratchLimit() {
	old := kernels.SetScratchLimit(32 << 20) // keep at most 32 MiB of scratch
	defer kernels.SetScratchLimit(old)
	x := make([]float32, 1<<20)
	_ = kernels.Sum(x)
	fmt.Println(kernels.ScratchBytes() <= 32<<20)
	// Output: true
}

// A 3-tap convolution of a nearest ×2 upsampling, computed from the map
// before upsampling: p describes the convolution of the upsampled map. A
// box filter over [1 2 3] upsampled to [1 1 2 2 3 3] sums each output's
// three neighbours.
func ExampleConvForwardUpsampled() {
	p := kernels.ConvParams{N: 1, Cin: 1, Cout: 1, In: []int{6}, Kernel: []int{3}, Pad: []int{1}}
	x := []float32{1, 2, 3}
	w := []float32{1, 1, 1}
	y := make([]float32, 6)
	kernels.ConvForwardUpsampled(p, x, w, nil, y)
	fmt.Println(y)
	// Output:
	// [2 4 5 7 8 6]
}
