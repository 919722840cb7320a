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
