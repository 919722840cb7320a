package autograd_test

import (
	"fmt"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/tensor"
)

func Example() {
	// A linear layer and a loss, differentiated with respect to its weights.
	x := autograd.Const(tensor.FromSlice([]float32{1, 2, 3, 4}, 2, 2))
	w := autograd.Param(tensor.FromSlice([]float32{0.5, -1, 2, 0}, 2, 2))
	b := autograd.Param(tensor.Zeros(2))

	y := autograd.Linear(x, w, b)                // x·wᵀ + b
	loss := autograd.MeanAll(autograd.Square(y)) // a scalar
	fmt.Printf("loss %.3g\n", loss.Item())

	loss.Backward()
	loss.Release() // hand the step's intermediates back to the pool
	fmt.Println(w.Grad())
	fmt.Println(b.Grad())

	// A plain SGD step, outside the graph.
	tensor.Axpy(-0.1, w.Grad(), w.Data())
	w.ZeroGrad()
	b.ZeroGrad()
	// Output:
	// loss 12.1
	// Tensor[2 2][-4.5 -6.5 10 14]
	// Tensor[2][-2 4]
}

func ExampleNoGrad() {
	w := autograd.Param(tensor.Ones(3))
	var y *autograd.Value
	autograd.NoGrad(func() {
		y = autograd.Mul(w, w) // inference: nothing recorded
	})
	fmt.Println(y.RequiresGrad(), y.IsLeaf())
	// Output: false true
}

func ExampleOp() {
	// A custom op, y = x³, with its backward 3x²·gy. Inputs are read with
	// Peek so that their buffers can still be recycled after the step.
	cube := func(x *autograd.Value) *autograd.Value {
		xd := x.Peek()
		y := tensor.Mul(tensor.Mul(xd, xd), xd)
		return autograd.Op("Cube", y, []*autograd.Value{x}, func(gy *tensor.Tensor) []*tensor.Tensor {
			return []*tensor.Tensor{tensor.Mul(gy, tensor.MulScalar(tensor.Mul(xd, xd), 3))}
		})
	}
	x := autograd.Param(tensor.FromSlice([]float32{1, 2}, 2))
	l := autograd.SumAll(cube(x))
	l.Backward()
	l.Release()
	fmt.Println(x.Grad())
	// Output: Tensor[2][3 12]
}

func ExampleConv() {
	// A 3×3 image of ones through a 2×2 kernel of ones plus a bias.
	x := autograd.Param(tensor.Ones(1, 1, 3, 3)) // N, C, H, W
	w := autograd.Param(tensor.Ones(1, 1, 2, 2)) // Cout, Cin, kH, kW
	b := autograd.Param(tensor.Full[float32](0.5, 1))
	y := autograd.Conv(x, w, b, autograd.ConvOpts{}) // stride 1, no padding
	fmt.Println(y.Shape(), y.Data().Values())

	l := autograd.SumAll(y)
	l.Backward()
	fmt.Println(x.Grad().Values()) // how many windows each pixel is in
	fmt.Println(w.Grad().Values(), b.Grad().Values())
	// Output:
	// [1 1 2 2] [4.5 4.5 4.5 4.5]
	// [1 2 1 2 4 2 1 2 1]
	// [4 4 4 4] [4]
}

func ExampleBatchNorm() {
	x := autograd.Const(tensor.FromSlice([]float32{1, 2, 3, 4, 10, 20, 30, 40}, 2, 2, 2)) // N=2, C=2, L=2
	runMean, runVar := tensor.Zeros(2), tensor.Ones(2)
	y := autograd.BatchNorm(x, nil, nil, runMean, runVar, true, 0.1, 1e-5)
	fmt.Printf("%.3f\n", y.Data().Values())
	// Channel 0 holds 1, 2, 10, 20: mean 8.25, biased variance 58.1875
	// (normalises), unbiased 77.583 (enters the running variance).
	fmt.Printf("%.4f %.4f\n", runMean.Values(), runVar.Values())
	// Output:
	// [-0.950 -0.819 -1.006 -0.945 0.229 1.540 0.666 1.285]
	// [0.8250 1.9250] [8.6583 35.6583]
}
