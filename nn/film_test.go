package nn

import (
	"math"
	"testing"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/tensor"
)

// TestFiLMParams checks that Params gives the γ and β Forward applies:
// through a network whose FiLM layers share their hidden weight, an input
// of zeros comes out as β and an input of ones as γ + β, per sample.
func TestFiLMParams(t *testing.T) {
	const depth, nMeta = 2, 3
	flags := []bool{true, false, true, false, true, true}
	m := NewUnet(UnetConfig{Depth: depth, Filters: 4, NMetadata: nMeta, FiLMLayers: flags})
	layers := m.FiLMLayers()
	if len(layers) != 2*depth+2 {
		t.Fatalf("%d FiLM positions, want %d", len(layers), 2*depth+2)
	}
	for i, f := range layers {
		if (f != nil) != flags[i] {
			t.Fatalf("position %d: layer %v, want one: %v", i, f != nil, flags[i])
		}
	}
	if NewUnet(UnetConfig{Depth: depth, Filters: 4}).FiLMLayers() != nil {
		t.Error("a Unet without FiLM lists FiLM layers")
	}
	meta := []float32{0, 1, 0, 1, 0, 0}
	// One forward pass ties the generators' hidden weights, as in use.
	autograd.NoGrad(func() {
		m.ForwardFiLM(autograd.Const(tensor.Zeros(2, 1, 8, 8)), autograd.Const(tensor.FromSlice(meta, 2, nMeta)))
	})
	for i, f := range layers {
		if f == nil {
			continue
		}
		for s := range 2 {
			gamma, beta := f.Params(meta[s*nMeta : (s+1)*nMeta])
			if len(gamma) != f.C || len(beta) != f.C {
				t.Fatalf("layer %d: %d γ and %d β for %d channels", i, len(gamma), len(beta), f.C)
			}
			for _, in := range []float32{0, 1} {
				x := tensor.Zeros(1, f.C, 2, 2)
				for j := range x.Data() {
					x.Data()[j] = in
				}
				var out []float32
				autograd.NoGrad(func() {
					o, _ := f.Forward(autograd.Const(x), autograd.Const(tensor.FromSlice(append([]float32(nil), meta[s*nMeta:(s+1)*nMeta]...), 1, nMeta)), layers[0].Generator.Linear2.Weight)
					out = o.Data().Contiguous().Data()
				})
				for c := range f.C {
					if want := in*gamma[c] + beta[c]; math.Abs(float64(out[c*4]-want)) > 1e-6 {
						t.Fatalf("layer %d sample %d channel %d input %v: Forward gives %v, Params %v", i, s, c, in, out[c*4], want)
					}
				}
			}
		}
	}
}
