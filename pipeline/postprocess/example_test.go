package postprocess_test

import (
	"encoding/json"
	"fmt"

	"github.com/ivadogo/ivadogo/pipeline/postprocess"
)

func ExampleSteps_Apply() {
	steps, err := postprocess.Parse(json.RawMessage(`{"binarize_prediction": {"thr": 0.5}, "keep_largest": {}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	pred := [][]float32{{0.9, 0.7, 0, 0.8, 0.1}}
	out, err := steps.Apply(pred, [3]int{1, 1, 5}, [3]float64{1, 1, 1}, nil)
	fmt.Println(out[0], err)
	// Output: [1 1 0 0 0] <nil>
}
