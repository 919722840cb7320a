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
