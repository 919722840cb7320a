package safetensors_test

import (
	"bytes"
	"fmt"

	"github.com/ivadogo/ivadogo/nn/safetensors"
)

func ExampleParse() {
	f := safetensors.New()
	f.Metadata = map[string]string{"format": "pt"}
	f.Add("conv.weight", safetensors.Float32([]int{2, 2}, []float32{1, 2, 3, 4}))
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		fmt.Println(err)
		return
	}
	g, err := safetensors.Parse(buf.Bytes())
	if err != nil {
		fmt.Println(err)
		return
	}
	w := g.Tensors["conv.weight"]
	v, _ := w.AsFloat32()
	fmt.Println(g.Metadata["format"], w.DType, w.Shape, v)
	_, err = safetensors.Parse(buf.Bytes()[:buf.Len()-4])
	fmt.Println(err)
	// Output:
	// pt F32 [2 2] [1 2 3 4]
	// safetensors: tensor "conv.weight": data_offsets [0, 16] run past the end of the 12-byte data section (file truncated?)
}
