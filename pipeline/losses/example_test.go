package losses_test

import (
	"encoding/json"
	"fmt"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/pipeline/losses"
	"github.com/ivadogo/ivadogo/tensor"
)

func ExampleNew() {
	loss, err := losses.New("DiceLoss", json.RawMessage(`{"smooth": 1}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	pred := autograd.Param(tensor.FromSlice([]float32{0.5, 0.5, 0.5, 0.5}, 1, 1, 2, 2))
	target := autograd.Const(tensor.FromSlice([]float32{1, 0, 1, 0}, 1, 1, 2, 2))
	l := loss(pred, target)
	l.Backward()
	fmt.Printf("%.3f %.3f\n", l.Item(), pred.Grad().Data())
	// Output: -0.600 [-0.280 0.120 -0.280 0.120]
}
