package tensor_test

import (
	"fmt"
	"math"

	"github.com/ivadogo/ivadogo/tensor"
)

func Example() {
	// A batch of two 2×3 images with one channel: N, C, H, W.
	x := tensor.FromSlice([]float32{
		1, 2, 3,
		4, 5, 6,

		-1, -2, -3,
		-4, -5, -6,
	}, 2, 1, 2, 3)
	bias := tensor.FromSlice([]float32{10, 20}, 2, 1, 1, 1) // one per sample
	y := tensor.Add(x, bias)                                // broadcasts
	fmt.Println(y.Shape(), y.At(1, 0, 1, 2))

	// Views share storage: the transpose of H and W costs nothing.
	fmt.Println(x.Transpose(2, 3).Shape(), x.Transpose(2, 3).At(0, 0, 2, 1))

	// Reductions along axes.
	fmt.Println(tensor.Sum(x, []int{2, 3}, false))
	fmt.Println(tensor.ArgMax(x.Reshape(2, 6), 1))
	// Output:
	// [2 1 2 3] 14
	// [2 1 3 2] 6
	// Tensor[2 1][21 -21]
	// [5 0]
}

func ExampleDense_KaimingUniform() {
	// PyTorch's default initialisation of a Conv3d weight.
	w := tensor.New[float32](8, 4, 3, 3, 3)
	w.KaimingUniform(tensor.NewRNG(1), math.Sqrt(5), tensor.FanIn, "leaky_relu")
	fanIn, _ := tensor.Fans(w.Shape())
	bound := 1 / math.Sqrt(float64(fanIn))
	m := tensor.Max(tensor.Abs(w), nil, false).Item()
	fmt.Println(fanIn, float64(m) <= bound)
	// Output: 108 true
}

func ExampleDense_Release() {
	a := tensor.Zeros(64, 64)
	a.Release() // its buffer goes back to the pool...
	b := tensor.Zeros(4096)
	fmt.Println(b.Len()) // ...and this allocation reuses it.
	// Using a released tensor panics instead of reading b's memory.
	defer func() { fmt.Println(recover()) }()
	a.At(0, 0)
	// Output:
	// 4096
	// tensor: use of a released tensor of shape [64 64]
}

// A training loop marks each step, so that from the second on the step's
// buffers come from an arena laid out for it.
func ExampleStartStep() {
	before := tensor.Pool().Planned
	for range 3 {
		step := tensor.StartStep("example")
		x := tensor.Full(float32(1), 256, 256) // 256 KiB
		y := tensor.Add(x, x)
		x.Release()
		fmt.Println(y.Data()[0])
		y.Release()
		step.End()
	}
	fmt.Println("served from the arena:", tensor.Pool().Planned-before)
	// Output:
	// 2
	// 2
	// 2
	// served from the arena: 4
}
