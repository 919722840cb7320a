package pipeline

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/nn"
	"github.com/ivadogo/ivadogo/nn/optim"
	"github.com/ivadogo/ivadogo/pipeline/config"
)

// channels returns the model's input and output channel counts as
// ivadomed's main.py computes them: one input channel, or one per contrast
// with multichannel; one output per class, plus a background channel when
// there are several classes.
func channels(cfg *config.Config, command string) (in, out int) {
	in = 1
	if cfg.Loader.Multichannel {
		in = len(cfg.Contrasts(command))
	}
	out = len(cfg.Loader.TargetSuffix.Classes)
	if out > 1 {
		out++
	}
	return in, out
}

// modelOptions are the nn.Build options of the config's model.
func modelOptions(m config.Model, in, out int) (json.RawMessage, error) {
	o := map[string]any{"in_channel": in, "out_channel": out}
	if m.Depth > 0 && m.Name != "Modified3DUNet" {
		o["depth"] = m.Depth
	}
	if m.NFilters > 0 {
		o["n_filters"] = m.NFilters
	}
	o["dropout_rate"] = m.DropoutRate
	if m.BNMomentum > 0 {
		o["bn_momentum"] = m.BNMomentum
	}
	if m.FinalActivation != "" {
		o["final_activation"] = m.FinalActivation
	}
	if m.Name == "Unet" {
		o["is_2d"] = m.Is2D
	}
	if m.Name == "Modified3DUNet" {
		o["attention"] = m.Attention
	}
	return json.Marshal(o)
}

// buildModel makes the model the config names, with its channel counts
// filled in (they are also written into the returned Model, as ivadomed
// saves them in the model's config).
func buildModel(cfg *config.Config, command string) (nn.Module, config.Model, error) {
	m, film, err := cfg.ModelParams()
	if err != nil {
		return nil, m, err
	}
	if film || m.Name == "HeMISUnet" {
		return nil, m, fmt.Errorf("pipeline: not implemented yet: training %s (FiLM metadata and HeMIS inputs are not fed by the loader)", m.Name)
	}
	if m.Name != "Unet" {
		return nil, m, fmt.Errorf("pipeline: not implemented yet: model %s (only the 2D Unet runs end to end so far)", m.Name)
	}
	if !m.Is2D {
		return nil, m, fmt.Errorf("pipeline: not implemented yet: 3D Unet (is_2d false): 3D patches are not built yet")
	}
	in, out := channels(cfg, command)
	if command != "train" && m.InChannel > 0 && m.OutChannel > 0 {
		// A trained model's config records the counts it was built with.
		in, out = m.InChannel, m.OutChannel
	}
	m.InChannel, m.OutChannel = in, out
	opts, err := modelOptions(m, in, out)
	if err != nil {
		return nil, m, err
	}
	mod, err := nn.Build(m.Name, opts)
	if err != nil {
		return nil, m, fmt.Errorf("pipeline: model %s: %w", m.Name, err)
	}
	return mod, m, nil
}

// schedule returns the learning-rate schedule of the config and whether
// it steps per batch (CyclicLR) rather than per epoch.
func schedule(cfg *config.Config) (optim.Schedule, bool, error) {
	s := cfg.Training.Scheduler
	lr := s.InitialLR
	switch s.LRScheduler.Name {
	case "CosineAnnealingLR", "":
		return optim.CosineAnnealing{Base: lr, TMax: max(1, cfg.Training.TrainingTime.NumEpochs)}, false, nil
	case "CosineAnnealingWarmRestarts":
		t0, tm, eta := 1, 1, 0.0
		if s.LRScheduler.T0 != nil {
			t0 = *s.LRScheduler.T0
		}
		if s.LRScheduler.TMult != nil {
			tm = *s.LRScheduler.TMult
		}
		if s.LRScheduler.EtaMin != nil {
			eta = *s.LRScheduler.EtaMin
		}
		return optim.CosineWarmRestarts{Base: lr, EtaMin: eta, T0: t0, TMult: tm}, false, nil
	case "CyclicLR":
		up, down := 2000, 0
		if s.LRScheduler.StepSizeUp != nil {
			up = *s.LRScheduler.StepSizeUp
		}
		if s.LRScheduler.StepSizeDown != nil {
			down = *s.LRScheduler.StepSizeDown
		}
		// ivadomed builds CyclicLR with mode "triangular2".
		mode, err := optim.ParseCyclicMode("triangular2")
		if err != nil {
			return nil, false, err
		}
		return optim.Cyclic{Base: s.LRScheduler.BaseLR, Max: s.LRScheduler.MaxLR, StepUp: up, StepDown: down, Mode: mode}, true, nil
	}
	return nil, false, fmt.Errorf("pipeline: training_parameters.scheduler.lr_scheduler.name %q: want CosineAnnealingLR, CosineAnnealingWarmRestarts or CyclicLR", s.LRScheduler.Name)
}

// adam is torch.optim.Adam with the formulas of nn/optim.Adam, whose state
// (moments and step count) is unexported there: the checkpoint needs to
// save and restore it, so the pipeline keeps its own copy of the update.
// The tests check it against optim.Adam step for step.
type adam struct {
	params []*autograd.Value
	lr     float64
	step   int
	m, v   [][]float32
}

func newAdam(ps []*autograd.Value, lr float64) *adam {
	a := &adam{params: ps, lr: lr, m: make([][]float32, len(ps)), v: make([][]float32, len(ps))}
	for i, p := range ps {
		n := p.Data().Len()
		a.m[i] = make([]float32, n)
		a.v[i] = make([]float32, n)
	}
	return a
}

func (a *adam) LR() float64      { return a.lr }
func (a *adam) SetLR(lr float64) { a.lr = lr }
func (a *adam) ZeroGrad() {
	for _, p := range a.params {
		p.ZeroGrad()
	}
}

// Step applies one update (betas 0.9, 0.999, eps 1e-8, no weight decay).
func (a *adam) Step() {
	const beta1, beta2, eps = 0.9, 0.999, 1e-8
	a.step++
	b1, b2 := float32(beta1), float32(beta2)
	c1, c2 := float32(1-beta1), float32(1-beta2)
	bc1 := 1 - math.Pow(beta1, float64(a.step))
	bc2 := 1 - math.Pow(beta2, float64(a.step))
	stepSize := float32(a.lr / bc1)
	bc2s := float32(math.Sqrt(bc2))
	for i, p := range a.params {
		if !p.RequiresGrad() {
			continue
		}
		g := p.Grad()
		if g == nil {
			continue
		}
		w, gd := p.Data().Data(), g.Contiguous().Data()
		m, v := a.m[i], a.v[i]
		for j := range w {
			gj := gd[j]
			m[j] = b1*m[j] + c1*gj
			v[j] = b2*v[j] + c2*gj*gj
			denom := float32(math.Sqrt(float64(v[j])))/bc2s + float32(eps)
			w[j] -= stepSize * (m[j] / denom)
		}
	}
}
