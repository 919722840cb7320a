package nn

import (
	"os"
	"testing"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/nn/safetensors"
	"github.com/ivadogo/ivadogo/tensor"
)

// TestWriteGoWeights writes, when IVADOGO_WRITE_GO_WEIGHTS=1, a small
// model's weights as ivadogo saves them plus an input and ivadogo's
// output, for make_fixtures.py --check-go to load into PyTorch with
// load_state_dict(strict=True) and compare. Otherwise it checks that the
// committed file still loads and reproduces its output here.
func TestWriteGoWeights(t *testing.T) {
	const path = "testdata/go_weights_unet2d.safetensors"
	build := func() *Unet { return NewUnet(UnetConfig{Depth: 2, Filters: 4, NoDropout: true}) }
	if os.Getenv("IVADOGO_WRITE_GO_WEIGHTS") == "1" {
		SetSeed(21)
		m := build()
		SetTraining(m, false)
		x := tensor.Uniform[float32](tensor.NewRNG(22), 0, 1, 2, 1, 16, 16)
		var y *autograd.Value
		autograd.NoGrad(func() { y = m.Forward(autograd.Const(x)) })
		f := Weights(m)
		f.Metadata = map[string]string{"model": "Unet", "options": `{"depth": 2, "n_filters": 4, "dropout_rate": 0}`}
		f.Add("input.0", safetensors.Float32(x.Shape(), x.Values()))
		f.Add("output.eval", safetensors.Float32(y.Shape(), y.Data().Values()))
		if err := f.WriteFile(path); err != nil {
			t.Fatal(err)
		}
	}
	f, err := safetensors.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := build()
	// The file also holds the input and output: load the model's keys
	// only, then check there is nothing else under the model's names.
	w := safetensors.New()
	for _, e := range StateDict(m) {
		w.Add(e.Name, f.Tensors[e.Name])
	}
	if err := LoadWeights(m, w, ""); err != nil {
		t.Fatal(err)
	}
	SetTraining(m, false)
	var y *autograd.Value
	autograd.NoGrad(func() { y = m.Forward(autograd.Const(tensorOf(t, f, "input.0"))) })
	compare(t, "output", y.Data().Values(), tensorOf(t, f, "output.eval").Values(), 1e-6)
}
