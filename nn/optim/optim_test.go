package optim

import (
	"math"
	"slices"
	"strconv"
	"testing"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/tensor"
)

type optimFixture struct {
	X      []float32 `json:"x"`
	XShape []int     `json:"x_shape"`
	Y      []float32 `json:"y"`
	W0     []float32 `json:"w0"`
	WShape []int     `json:"w_shape"`
	B0     []float32 `json:"b0"`
	Cases  []struct {
		Name   string `json:"name"`
		Config struct {
			Kind        string    `json:"kind"`
			LR          float64   `json:"lr"`
			Betas       []float64 `json:"betas"`
			Eps         float64   `json:"eps"`
			WeightDecay float64   `json:"weight_decay"`
			Momentum    float64   `json:"momentum"`
			Dampening   float64   `json:"dampening"`
			Nesterov    bool      `json:"nesterov"`
			ClipNorm    float64   `json:"clip_norm"`
		} `json:"config"`
		Loss     []float64 `json:"loss"`
		GradNorm []float64 `json:"grad_norm"`
		Params   map[string]struct {
			W []float32 `json:"w"`
			B []float32 `json:"b"`
		} `json:"params"`
	} `json:"cases"`
}

// lsq computes loss = mean((x·w + b − y)²) and sets w's and b's gradients
// by hand, so the optimisers are checked without depending on autograd's
// ops.
func lsq(x, y []float32, n, k, m int, w, b *autograd.Value) float64 {
	wd, bd := w.Data().Data(), b.Data().Data()
	gw := make([]float32, k*m)
	gb := make([]float32, m)
	var loss float64
	scale := float32(2.0 / float64(n*m))
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			r := bd[j] - y[i*m+j]
			for l := 0; l < k; l++ {
				r += x[i*k+l] * wd[l*m+j]
			}
			loss += float64(r) * float64(r)
			for l := 0; l < k; l++ {
				gw[l*m+j] += scale * r * x[i*k+l]
			}
			gb[j] += scale * r
		}
	}
	w.SetGrad(tensor.FromSlice(gw, k, m))
	b.SetGrad(tensor.FromSlice(gb, m))
	return loss / float64(n*m)
}

func relClose(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(math.Abs(want), 1e-3)
}

// TestOptimizersMatchPyTorch runs 100 steps of each optimiser on a small
// least-squares problem and compares the losses and the parameters with
// PyTorch's run from the same start.
func TestOptimizersMatchPyTorch(t *testing.T) {
	var fx optimFixture
	loadJSON(t, "optim.json", &fx)
	n, k, m := fx.XShape[0], fx.XShape[1], fx.WShape[1]
	if len(fx.Cases) < 7 {
		t.Fatalf("only %d cases", len(fx.Cases))
	}
	for _, c := range fx.Cases {
		t.Run(c.Name, func(t *testing.T) {
			w := autograd.Param(tensor.FromSlice(append([]float32{}, fx.W0...), k, m))
			b := autograd.Param(tensor.FromSlice(append([]float32{}, fx.B0...), m))
			ps := []*autograd.Value{w, b}
			cfg := c.Config
			var opt Optimizer
			switch cfg.Kind {
			case "adam", "adamw":
				a := NewAdam(ps, cfg.LR)
				if cfg.Kind == "adamw" {
					a = NewAdamW(ps, cfg.LR)
				}
				if len(cfg.Betas) == 2 {
					a.Beta1, a.Beta2 = cfg.Betas[0], cfg.Betas[1]
				}
				if cfg.Eps != 0 {
					a.Eps = cfg.Eps
				}
				if cfg.WeightDecay != 0 || cfg.Kind == "adam" {
					a.WeightDecay = cfg.WeightDecay
				}
				opt = a
			case "sgd":
				s := NewSGD(ps, cfg.LR)
				s.Momentum, s.Dampening, s.Nesterov, s.WeightDecay = cfg.Momentum, cfg.Dampening, cfg.Nesterov, cfg.WeightDecay
				opt = s
			default:
				t.Fatalf("unknown optimiser %q", cfg.Kind)
			}
			snaps := 0
			for step := 1; step <= 100; step++ {
				opt.ZeroGrad()
				loss := lsq(fx.X, fx.Y, n, k, m, w, b)
				if cfg.ClipNorm > 0 {
					norm := ClipGradNorm(ps, cfg.ClipNorm)
					if want := c.GradNorm[step-1]; !relClose(norm, want, 1e-5) {
						t.Fatalf("step %d: grad norm %g, PyTorch %g", step, norm, want)
					}
				}
				opt.Step()
				if want := c.Loss[step-1]; !relClose(loss, want, 1e-5) {
					t.Fatalf("step %d: loss %.8g, PyTorch %.8g", step, loss, want)
				}
				if snap, ok := c.Params[strconv.Itoa(step)]; ok {
					snaps++
					for i, v := range w.Data().Data() {
						if !relClose(float64(v), float64(snap.W[i]), 1e-4) {
							t.Fatalf("step %d: w[%d] = %.8g, PyTorch %.8g", step, i, v, snap.W[i])
						}
					}
					for i, v := range b.Data().Data() {
						if !relClose(float64(v), float64(snap.B[i]), 1e-4) {
							t.Fatalf("step %d: b[%d] = %.8g, PyTorch %.8g", step, i, v, snap.B[i])
						}
					}
				}
			}
		})
	}
}

func TestFrozenParameterIsLeftAlone(t *testing.T) {
	w := autograd.Param(tensor.FromSlice([]float32{1, 2}, 2))
	w.SetGrad(tensor.FromSlice([]float32{1, 1}, 2))
	w.SetRequiresGrad(false)
	for _, o := range []Optimizer{NewAdam([]*autograd.Value{w}, 0.1), NewSGD([]*autograd.Value{w}, 0.1)} {
		o.Step()
		if d := w.Data().Data(); d[0] != 1 || d[1] != 2 {
			t.Errorf("%T changed a frozen parameter: %v", o, d)
		}
	}
}

// TestNoGradientAfterOne checks what ZeroGrad's dropped gradients mean
// for a parameter that had a gradient and gets none in a later step: it
// is updated as with a zero gradient, as PyTorch's
// zero_grad(set_to_none=False) leaves it, also after a resume from
// State; one that never had a gradient is left alone.
func TestNoGradientAfterOne(t *testing.T) {
	type run struct {
		opt  Optimizer
		w, u *autograd.Value
	}
	mk := func(kind string) run {
		w := autograd.Param(tensor.FromSlice([]float32{0.5, -1}, 2))
		u := autograd.Param(tensor.FromSlice([]float32{3}, 1)) // never a gradient
		ps := []*autograd.Value{w, u}
		if kind == "adam" {
			a := NewAdam(ps, 0.1)
			a.WeightDecay = 0.01
			return run{a, w, u}
		}
		s := NewSGD(ps, 0.1)
		s.Momentum, s.WeightDecay = 0.9, 0.01
		return run{s, w, u}
	}
	grad := func(r run, zeros bool) {
		if zeros {
			r.w.SetGrad(tensor.FromSlice([]float32{0, 0}, 2))
			return
		}
		d := r.w.Data().Data()
		r.w.SetGrad(tensor.FromSlice([]float32{2 * d[0], d[1] - 1}, 2))
	}
	resume := func(kind string, from run) run {
		r := mk(kind)
		copy(r.w.Data().Data(), from.w.Data().Data())
		var err error
		switch o := from.opt.(type) {
		case *Adam:
			err = r.opt.(*Adam).SetState(o.State())
		case *SGD:
			err = r.opt.(*SGD).SetState(o.State())
		}
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, kind := range []string{"adam", "sgd"} {
		// want: explicit zero gradients in steps 2 and 3.
		want, got := mk(kind), mk(kind)
		for step := 1; step <= 3; step++ {
			grad(want, step > 1)
			want.opt.Step()
			if step == 1 {
				grad(got, false)
			}
			got.opt.Step()
			got.opt.ZeroGrad()
			if step == 1 {
				got = resume(kind, got)
			}
		}
		if !slices.Equal(got.w.Data().Data(), want.w.Data().Data()) {
			t.Errorf("%s: weights %v after steps without a gradient, %v with zero gradients", kind, got.w.Data().Data(), want.w.Data().Data())
		}
		if u := got.u.Data().Data()[0]; u != 3 {
			t.Errorf("%s: a parameter that never had a gradient moved to %v", kind, u)
		}
	}
}

func TestClipGradNormBelowLimit(t *testing.T) {
	w := autograd.Param(tensor.FromSlice([]float32{0, 0}, 2))
	w.SetGrad(tensor.FromSlice([]float32{3, 4}, 2))
	if n := ClipGradNorm([]*autograd.Value{w}, 10); n != 5 {
		t.Errorf("norm %g, want 5", n)
	}
	if g := w.Grad().Data(); g[0] != 3 || g[1] != 4 {
		t.Errorf("gradient changed below the limit: %v", g)
	}
	ClipGradNorm([]*autograd.Value{w}, 1)
	if g := w.Grad().Data(); math.Abs(float64(g[0])-0.6) > 1e-6 || math.Abs(float64(g[1])-0.8) > 1e-6 {
		t.Errorf("clipped gradient %v, want [0.6 0.8]", g)
	}
}

// TestAdamStateResumes checks that an optimiser restored from State
// continues exactly as the original.
func TestAdamStateResumes(t *testing.T) {
	mk := func() (*autograd.Value, *Adam) {
		w := autograd.Param(tensor.FromSlice([]float32{0.5, -1, 2}, 3))
		return w, NewAdam([]*autograd.Value{w}, 0.1)
	}
	step := func(w *autograd.Value, a *Adam) {
		d := w.Data().Data()
		w.SetGrad(tensor.FromSlice([]float32{2 * d[0], d[1] - 1, 0.3}, 3))
		a.Step()
	}
	w1, a1 := mk()
	for i := 0; i < 3; i++ {
		step(w1, a1)
	}
	w2, a2 := mk()
	copy(w2.Data().Data(), w1.Data().Data())
	if err := a2.SetState(a1.State()); err != nil {
		t.Fatal(err)
	}
	step(w1, a1)
	step(w2, a2)
	for i, v := range w1.Data().Data() {
		if w2.Data().Data()[i] != v {
			t.Fatalf("resumed weight %d = %v, uninterrupted %v", i, w2.Data().Data()[i], v)
		}
	}
	if err := a2.SetState(AdamState{M: make([][]float32, 2), V: make([][]float32, 2)}); err == nil {
		t.Error("a state for 2 parameters was accepted for 1")
	}
}

func TestSGDStateResumes(t *testing.T) {
	mk := func() (*autograd.Value, *SGD) {
		w := autograd.Param(tensor.FromSlice([]float32{0.5, -1}, 2))
		s := NewSGD([]*autograd.Value{w}, 0.1)
		s.Momentum, s.Nesterov = 0.9, true
		return w, s
	}
	step := func(w *autograd.Value, s *SGD) {
		d := w.Data().Data()
		w.SetGrad(tensor.FromSlice([]float32{d[0], 3 * d[1]}, 2))
		s.Step()
	}
	w1, s1 := mk()
	step(w1, s1)
	step(w1, s1)
	w2, s2 := mk()
	copy(w2.Data().Data(), w1.Data().Data())
	if err := s2.SetState(s1.State()); err != nil {
		t.Fatal(err)
	}
	step(w1, s1)
	step(w2, s2)
	for i, v := range w1.Data().Data() {
		if w2.Data().Data()[i] != v {
			t.Fatalf("resumed weight %d = %v, uninterrupted %v", i, w2.Data().Data()[i], v)
		}
	}
	if err := s2.SetState([][]float32{{1, 2, 3}}); err == nil {
		t.Error("a 3-value buffer was accepted for a 2-value parameter")
	}
}

// TestAdamMoments checks that Moments returns the optimiser's own moments
// (equal to State's copy, and changed in place by the next Step), so that
// a checkpoint can be written from them without a copy.
func TestAdamMoments(t *testing.T) {
	w := autograd.Param(tensor.FromSlice([]float32{0.5, -1, 2}, 3))
	a := NewAdam([]*autograd.Value{w}, 0.1)
	if step, m, v := a.Moments(); step != 0 || len(m) != 1 || len(v) != 1 || m[0] != nil || v[0] != nil {
		t.Fatalf("before any step: Moments = %d, %v, %v; want 0 and one nil moment each", step, m, v)
	}
	w.SetGrad(tensor.FromSlice([]float32{1, -2, 0.5}, 3))
	a.Step()
	step, m, v := a.Moments()
	s := a.State()
	if step != 1 || !slices.Equal(m[0], s.M[0]) || !slices.Equal(v[0], s.V[0]) {
		t.Fatalf("Moments = %d, %v, %v; State = %d, %v, %v", step, m[0], v[0], s.Step, s.M[0], s.V[0])
	}
	m0 := m[0][0]
	a.Step()
	if m[0][0] == m0 || m[0][0] != a.State().M[0][0] {
		t.Errorf("first moment %v after a second step (was %v, State says %v): Moments returned a copy", m[0][0], m0, a.State().M[0][0])
	}
}
