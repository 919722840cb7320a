package pipeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

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
	if m.Name == "Countception" {
		// ivadomed's constructor takes these two and ignores the rest
		// of default_model (depth, n_filters, dropout_rate, ...).
		o["use_logits"] = m.UseLogits
		if m.LogitsPerOutput > 0 {
			o["logits_per_output"] = m.LogitsPerOutput
		}
		return json.Marshal(o)
	}
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

// buildNet builds a model by name; a variable so that a test can put a
// small model of the same contract in place of one that costs seconds a
// step (Countception: 20×20 kernels on an input padded by 40).
var buildNet = nn.Build

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
	case "Countception":
		if err := checkCountception(cfg, m); err != nil {
			return nil, m, err
		}
	case "resnet18", "densenet121":
		if err := checkClassifier(cfg, m, command); err != nil {
			return nil, m, err
		}
	default:
		return nil, m, fmt.Errorf("pipeline: not implemented yet: model %s (the pipeline runs Unet, FiLMedUnet, HeMISUnet, Modified3DUNet, Countception, resnet18 and densenet121)", m.Name)
	}
	if command == "train" {
		if err := checkRetrainFile(cfg.Training.TransferLearning); err != nil {
			return nil, m, err
		}
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
	mod, err := buildNet(m.Name, opts)
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
	if config.IsClassifier(m.Name) {
		// Global average pooling takes any size: slices are not padded
		// beyond the batch's largest (see classifySet for small ones).
		return 1
	}
	if m.Name == "Countception" {
		// No pooling: its own padding of 40 and its valid convolutions
		// give an output of the input's size, whatever that is.
		return 1
	}
	return 1 << max(0, m.Depth)
}

// modelKey is the config key path of a model parameter: in the applied
// section when that section sets it, else in default_model.
func modelKey(cfg *config.Config, section *config.Model, name, key string) string {
	if section != nil && section.Applied && section.Has(key) {
		return name + "." + key
	}
	return "default_model." + key
}

// checkCountception refuses the Countception settings that cannot run,
// at their keys. ivadomed feeds Countception 2D slices as it feeds a 2D
// U-Net; with use_logits its heads are 1×1 convolutions on 64 channels
// after a block that gives 32, so ivadomed's forward pass fails (see
// nn.Countception) and no model of that kind can have been trained.
func checkCountception(cfg *config.Config, m config.Model) error {
	if !m.Is2D {
		return fmt.Errorf("config: %s: Countception is a 2D model (ivadomed feeds it 2D slices along slice_axis); set it to true",
			modelKey(cfg, cfg.Countception, "Countception", "is_2d"))
	}
	if m.UseLogits {
		return fmt.Errorf("config: %s: ivadomed's Countception fails with use_logits (its 1×1 heads expect 64 channels, the block before them gives 32), so no such model can be trained or run; set it to false",
			modelKey(cfg, cfg.Countception, "Countception", "use_logits"))
	}
	return nil
}

// torchConversion is the one line of Python that turns a model ivadomed
// saved with torch.save (a pickled module) into the safetensors weights
// that retrain_model reads. Unpickling needs ivadomed's classes, so it runs
// where ivadomed is installed.
const torchConversion = `python3 -c "import torch; from safetensors.torch import save_file; m = torch.load('%s', map_location='cpu', weights_only=False); save_file({k: v.contiguous() for k, v in m.state_dict().items()}, '%s')"`

// checkRetrainFile refuses a transfer_learning.retrain_model that is a
// PyTorch file (ivadomed's best_model.pt: a whole module pickled by
// torch.save), which Go cannot read, with the one-line conversion, before
// any training. It goes by the extension, or by the content when the file
// exists: a zip archive (torch.save's format since PyTorch 1.6) or a
// pickle (the older one).
func checkRetrainFile(tl config.TransferLearning) error {
	if tl.RetrainModel == nil || *tl.RetrainModel == "" {
		return nil
	}
	path := *tl.RetrainModel
	if !isTorchFile(path) {
		return nil
	}
	out := strings.TrimSuffix(path, filepath.Ext(path)) + ".safetensors"
	msg := fmt.Sprintf("config: training_parameters.transfer_learning.retrain_model: %q is a pickled PyTorch model (torch.save), which cannot be read without Python; convert it once, where ivadomed is installed, with\n  "+torchConversion+"\nand set retrain_model to %q",
		path, path, out, out)
	if tl.Reset && tl.RetrainFraction >= 1 {
		msg += " (with retrain_fraction 1.0 and reset true every layer is re-initialised, so the file's weights go unused: retrain_model null trains the same model from scratch)"
	}
	return fmt.Errorf("%s", msg)
}

// CheckRetrain returns the error train would give for cfg's
// transfer_learning.retrain_model (a PyTorch file, with its conversion),
// for a check of the config before any data is read.
func CheckRetrain(cfg *config.Config) error {
	return checkRetrainFile(cfg.Training.TransferLearning)
}

// isTorchFile reports whether path names a PyTorch file, by its extension
// or its first bytes.
func isTorchFile(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".pt", ".pth", ".pkl", ".pickle":
		return true
	case ".safetensors":
		// Its first 8 bytes are a length, which may begin with 0x80.
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var head [4]byte
	if _, err := io.ReadFull(f, head[:]); err != nil {
		return false
	}
	return bytes.Equal(head[:], []byte("PK\x03\x04")) || head[0] == 0x80 && head[1] <= 5
}
