package pipeline

import (
	"encoding/json"
	"fmt"

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
	switch m.Name {
	case "Unet", "FiLMedUnet":
		o["is_2d"] = m.Is2D
	case "HeMISUnet":
		o["contrasts"] = m.Contrasts
	}
	if m.NMetadata > 0 && len(m.FilmLayers) > 0 {
		o["n_metadata"] = m.NMetadata
		o["film_layers"] = m.FilmLayers
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
	if m.Name == "HeMISUnet" && !m.Is2D {
		return nil, m, fmt.Errorf("pipeline: not implemented yet: HeMISUnet in 3D (it runs on 2D slices: set default_model.is_2d)")
	}
	switch m.Name {
	case "Unet", "Modified3DUNet", "FiLMedUnet", "HeMISUnet":
	case "resnet18", "densenet121":
		if err := checkClassifier(cfg, m, command); err != nil {
			return nil, m, err
		}
	default:
		return nil, m, fmt.Errorf("pipeline: not implemented yet: model %s (the pipeline runs Unet, FiLMedUnet, HeMISUnet and Modified3DUNet)", m.Name)
	}
	if film && m.NMetadata <= 0 {
		return nil, m, fmt.Errorf("pipeline: FiLMedUnet: n_metadata is not set (train fits the metadata encoder before building the model; a trained model's config carries it)")
	}
	in, out := channels(cfg, command)
	if m.Name == "HeMISUnet" {
		in = len(m.Contrasts)
	}
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

// multiple returns what every spatial size of the model's input must be a
// multiple of: 2^depth for the U-Nets, 16 for Modified3DUNet.
func multiple(m config.Model) int {
	if m.Name == "Modified3DUNet" {
		return 16
	}
	if isClassifier(m.Name) {
		// Global average pooling takes any size: slices are not padded
		// beyond the batch's largest (see classifySet for small ones).
		return 1
	}
	return 1 << max(0, m.Depth)
}
