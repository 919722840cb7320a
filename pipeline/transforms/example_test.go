package transforms_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"github.com/ivadogo/ivadogo/pipeline/transforms"
)

func ExampleList_For() {
	list, err := transforms.Parse(json.RawMessage(`{
		"CenterCrop": {"size": [2, 2]},
		"RandomReverse": {"dataset_type": ["training"]},
		"NormalizeInstance": {"applied_to": ["im"]}
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	shape := [3]int{4, 4, 1}
	img := make([]float32, 16)
	for i := range img {
		img[i] = float32(i)
	}
	s := &transforms.Sample{
		Im: transforms.Part{Data: [][]float32{img}, Shape: shape},
		GT: transforms.Part{Data: [][]float32{make([]float32, 16)}, Shape: shape},
	}
	test := list.For(transforms.Testing, true)
	rec, err := test.Apply(s, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(test.Names(), s.Im.Shape, s.Im.Data[0])
	pred, _ := rec.Undo(transforms.Part{Data: [][]float32{{1, 1, 1, 1}}, Shape: s.GT.Shape})
	fmt.Println(pred.Shape, pred.Data[0])
	// Output:
	// [CenterCrop NormalizeInstance] [2 2 1] [-1.2126781 -0.7276069 0.7276069 1.2126781]
	// [4 4 1] [0 0 0 0 0 1 1 0 0 1 1 0 0 0 0 0]
}
