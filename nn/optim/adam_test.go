package optim

import (
	"testing"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/kernels"
	"github.com/ivadogo/ivadogo/tensor"
)

// TestAdamStepIsPerTensorUpdate checks that Step, which cuts all
// parameters into one parallel sweep, gives the bits of one AdamUpdate
// per tensor, for sizes that straddle the cuts, and skips a parameter
// without a gradient.
func TestAdamStepIsPerTensorUpdate(t *testing.T) {
	g := tensor.NewRNG(8)
	sizes := []int{7, 1, 40003, 16384, 100000, 3}
	var ps []*autograd.Value
	var want [][]float32
	var wm, wv [][]float32
	for i, n := range sizes {
		p := autograd.Param(tensor.Uniform[float32](g, -1, 1, n))
		if i != 1 {
			p.SetGrad(tensor.Uniform[float32](g, -1, 1, n))
		}
		ps = append(ps, p)
	}
	a := NewAdamW(ps, 1e-3)
	for step := 1; step <= 3; step++ {
		want, wm, wv = want[:0], wm[:0], wv[:0]
		kp := kernels.AdamParams{LR: 1e-3, Beta1: a.Beta1, Beta2: a.Beta2, Eps: a.Eps, WeightDecay: a.WeightDecay, Step: step, Decoupled: true}
		for i, p := range ps {
			w := append([]float32(nil), p.Data().Data()...)
			m, v := make([]float32, len(w)), make([]float32, len(w))
			if a.m != nil && a.m[i] != nil {
				copy(m, a.m[i])
				copy(v, a.v[i])
			}
			if p.Grad() != nil {
				kernels.AdamUpdate(kp, w, p.Grad().Data(), m, v)
			}
			want, wm, wv = append(want, w), append(wm, m), append(wv, v)
		}
		a.Step()
		for i, p := range ps {
			got := p.Data().Data()
			for j := range got {
				if got[j] != want[i][j] || (a.m[i] != nil && (a.m[i][j] != wm[i][j] || a.v[i][j] != wv[i][j])) {
					t.Fatalf("step %d, parameter %d of %d, element %d: %v, want %v", step, i, len(got), j, got[j], want[i][j])
				}
			}
		}
	}
	if a.m[1] != nil {
		t.Error("a parameter without a gradient got moments")
	}
}
