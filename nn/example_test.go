package nn_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/nn"
	"github.com/ivadogo/ivadogo/nn/optim"
	"github.com/ivadogo/ivadogo/tensor"
)

// ivadomed's 2D U-Net of the peer benchmark: depth 4, 32 base filters.
func ExampleNewUnet() {
	m := nn.NewUnet(nn.UnetConfig{Depth: 4, Filters: 32})
	fmt.Println(nn.CountParameters(m))
	fmt.Println(nn.StateDict(m)[0].Name)
	// Output:
	// 4901569
	// encoder.down_path.0.conv1.weight
}

// Models are built by ivadomed's class names and config keys.
func ExampleBuild() {
	m, err := nn.Build("Modified3DUNet", []byte(`{"n_filters": 8, "attention": false}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(nn.CountParameters(m))
	_, err = nn.Build("Unet", []byte(`{"n_filter": 8}`))
	fmt.Println(err)
	// Output:
	// 1781192
	// nn: options of Unet: json: unknown field "n_filter"
}

// One training step: forward, loss, backward, optimiser.
func ExampleRun() {
	nn.SetSeed(1)
	m := nn.NewUnet(nn.UnetConfig{Depth: 2, Filters: 4})
	opt := optim.NewAdam(nn.Parameters(m), 1e-3)
	x := autograd.Const(tensor.Zeros(2, 1, 16, 16))
	target := autograd.Const(tensor.Ones(2, 1, 16, 16))
	opt.ZeroGrad()
	pred := nn.Run(m, nn.Input{X: x})
	loss := nn.DiceLoss(pred, target)
	loss.Backward()
	opt.Step()
	fmt.Println(pred.Shape())
	// Output:
	// [2 1 16 16]
}

// Weights go to and from safetensors files under PyTorch state_dict names.
func ExampleSaveFile() {
	dir, _ := os.MkdirTemp("", "weights")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "unet.safetensors")
	a := nn.NewUnet(nn.UnetConfig{Depth: 2, Filters: 4})
	if err := nn.SaveFile(a, path, map[string]string{"model": "Unet"}); err != nil {
		fmt.Println(err)
		return
	}
	b := nn.NewUnet(nn.UnetConfig{Depth: 2, Filters: 4})
	fmt.Println(nn.LoadFile(b, path))
	c := nn.NewUnet(nn.UnetConfig{Depth: 2, Filters: 8})
	err := nn.LoadFile(c, path)
	fmt.Println(err != nil)
	// Output:
	// <nil>
	// true
}

// A summary lists the layers with their output shapes and conv FLOPs.
func ExampleSummarize() {
	m := nn.NewUnet(nn.UnetConfig{Depth: 2, Filters: 8})
	s, err := nn.Summarize("Unet", m, []int{1, 1, 64, 64})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Parameters, s.Output, len(s.Layers))
	fmt.Println(s.Layers[0].Name, s.Layers[0].Type, s.Layers[0].Output)
	// Output:
	// 18385 [1 1 64 64] 23
	// encoder.down_path.0.conv1 Conv2d [1 8 64 64]
}
