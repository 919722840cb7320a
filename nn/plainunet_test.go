package nn

import (
	"slices"
	"testing"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/tensor"
)

func TestPlainUnetDeepSupervision(t *testing.T) {
	SetSeed(1)
	m := NewPlainUnet(PlainUnetConfig{Dims: 3, Features: []int{2, 4, 8}, DeepSupervision: true,
		Strides: [][]int{{1}, {2, 2, 1}, {2}}})
	SetTraining(m, false)
	x := autograd.Const(tensor.Uniform[float32](tensor.NewRNG(2), 0, 1, 1, 1, 8, 8, 4))
	outs := m.ForwardDeep(x)
	if len(outs) != 2 {
		t.Fatalf("%d outputs, want one per decoder stage (2)", len(outs))
	}
	if want := []int{1, 1, 8, 8, 4}; !slices.Equal(outs[0].Shape(), want) {
		t.Errorf("full-resolution output %v, want %v", outs[0].Shape(), want)
	}
	if want := []int{1, 1, 4, 4, 4}; !slices.Equal(outs[1].Shape(), want) {
		t.Errorf("second output %v, want %v (stride 2, 2, 1)", outs[1].Shape(), want)
	}
	if !slices.Equal(m.Forward(x).Data().Values(), outs[0].Data().Values()) {
		t.Error("Forward differs from the first deep-supervision output")
	}
	if _, err := Build("PlainUnet", []byte(`{"features": [8], "is_2d": true}`)); err == nil {
		t.Error("a single-stage PlainUnet was accepted")
	}
}
