package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/internal/testenv"
	"github.com/ivadogo/ivadogo/nn"
	"github.com/ivadogo/ivadogo/pipeline/config"
)

// refusals are the features of the reference configs that the pipeline
// does not run, by file: every other reference config must pass
// CheckFeatures (HeMIS in config_spineGeHemis.json, the 2D cascade of
// cascaded_architecture_tutorial_config.json, the 3D one of t2_tumor.json,
// the microscopy of config_microscopy.json, Countception in
// config_vertebral_labeling.json and model_find_disc_t1.json, FiLM and
// balance by metadata wherever applied). None is refused today; what
// still stops a reference config is a file it names (see
// TestReferenceCountceptionConfigs).
var refusals = map[string]string{}

// TestReferenceConfigFeatures checks which reference configs the pipeline
// refuses, and why, so that a feature built is no longer refused and one
// not built still is, at its key.
func TestReferenceConfigFeatures(t *testing.T) {
	ref := filepath.Join(testenv.Shared(t), "reference")
	n := 0
	for _, pat := range []string{"ivadomed-configs/*.json", "ivadomed-configs/pretrained/*.json", "ivadomed-configs/testing/*/*.json", "ivadomed-runs/config_*.json"} {
		m, err := filepath.Glob(filepath.Join(ref, pat))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			c, err := config.Parse(b)
			if err != nil {
				continue // not a config (pipeline/config's tests say which)
			}
			n++
			rel, _ := filepath.Rel(ref, f)
			rel = filepath.ToSlash(rel)
			err = c.CheckFeatures(Built)
			want := refusals[rel]
			switch {
			case want == "" && err != nil:
				t.Errorf("%s: refused: %v", rel, err)
			case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
				t.Errorf("%s: CheckFeatures = %v, want %q", rel, err, want)
			}
		}
	}
	if n < 20 {
		t.Errorf("checked %d reference configs, want at least 20", n)
	}
}

// TestRefusalsPrecise checks that each feature not built is refused at
// the key that asks for it, with a message that says what to change.
func TestRefusalsPrecise(t *testing.T) {
	tests := []struct{ json, want string }{
		{`"wandb": {"wandb_api_key": "k"}`, `wandb.wandb_api_key: not implemented yet: Weights & Biases logging (it needs wandb's Python client and the network; set wandb.wandb_api_key to ""`},
		{`"loader_parameters": {"extensions": [".png"]}, "default_model": {"is_2d": false, "length_3D": [32, 32, 16], "stride_3D": [32, 32, 16]}`, `loader_parameters.extensions: not implemented yet: microscopy images with a 3D model (a PNG or TIFF is one 2D image; set default_model.is_2d to true)`},
	}
	for _, tt := range tests {
		c, err := config.Parse([]byte(fmt.Sprintf(`{%s}`, tt.json)))
		if err != nil {
			t.Fatalf("%s: %v", tt.json, err)
		}
		if err := c.CheckFeatures(Built); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: CheckFeatures = %v, want %q", tt.json, err, tt.want)
		}
	}
	for _, ok := range []string{
		`"FiLMedUnet": {"applied": true, "metadata": "mri_params", "film_layers": [0,0,0,0,0,0,0,1]}`,
		`"Modified3DUNet": {"applied": true, "length_3D": [32, 32, 16], "stride_3D": [32, 32, 16]}, "FiLMedUnet": {"applied": true, "metadata": "contrasts", "film_layers": [0,0,0,0,0,0,0,0,0,1]}`,
		`"object_detection_params": {"object_detection_path": "findcord", "safety_factor": [1.5, 1.5, 1.5]}`,
		`"object_detection_params": {"object_detection_path": "findcord"}, "default_model": {"is_2d": false, "length_3D": [32, 32, 16], "stride_3D": [32, 32, 16]}`,
		`"HeMISUnet": {"applied": true, "missing_probability": 0.00001, "missing_probability_growth": 0.9}`,
		`"default_model": {"name": "Unet", "length_2D": [64, 64], "stride_2D": [48, 48]}, "loader_parameters": {"patch_filter_params": {"filter_empty_mask": true}}`,
		`"training_parameters": {"balance_samples": {"applied": true, "type": "sex"}}`,
		`"loader_parameters": {"extensions": [".png", ".tif", ".tiff", ".jpg", ".jpeg"]}`,
	} {
		c, err := config.Parse([]byte(fmt.Sprintf(`{%s}`, ok)))
		if err != nil {
			t.Fatalf("%s: %v", ok, err)
		}
		if err := c.CheckFeatures(Built); err != nil {
			t.Errorf("%s: refused: %v", ok, err)
		}
	}
}

// TestReferenceCountceptionConfigs checks the two Countception configs:
// their model builds (one channel in, one heat map out), and the
// transfer_learning.retrain_model each names, ivadomed's pickled
// best_model.pt, is refused before training with the conversion to
// safetensors, which retrain_model then reads.
func TestReferenceCountceptionConfigs(t *testing.T) {
	ref := filepath.Join(testenv.Shared(t), "reference", "ivadomed-configs")
	for _, tt := range []struct{ file, want string }{
		{"config_vertebral_labeling.json", `config: training_parameters.transfer_learning.retrain_model: "labeling_t2test/best_model.pt" is a pickled PyTorch model (torch.save), which cannot be read without Python; convert it once, where ivadomed is installed, with
  python3 -c "import torch; from safetensors.torch import save_file; m = torch.load('labeling_t2test/best_model.pt', map_location='cpu', weights_only=False); save_file({k: v.contiguous() for k, v in m.state_dict().items()}, 'labeling_t2test/best_model.safetensors')"
and set retrain_model to "labeling_t2test/best_model.safetensors" (with retrain_fraction 1.0 and reset true every layer is re-initialised, so the file's weights go unused: retrain_model null trains the same model from scratch)`},
		{"pretrained/model_find_disc_t1.json", `config: training_parameters.transfer_learning.retrain_model: "./best_model.pt" is a pickled PyTorch model (torch.save), which cannot be read without Python; convert it once, where ivadomed is installed, with
  python3 -c "import torch; from safetensors.torch import save_file; m = torch.load('./best_model.pt', map_location='cpu', weights_only=False); save_file({k: v.contiguous() for k, v in m.state_dict().items()}, './best_model.safetensors')"
and set retrain_model to "./best_model.safetensors"`},
	} {
		cfg, err := config.ReadFile(filepath.Join(ref, tt.file))
		if err != nil {
			t.Fatal(err)
		}
		if err := cfg.CheckFeatures(Built); err != nil {
			t.Errorf("%s: %v", tt.file, err)
		}
		if _, _, err := buildModel(cfg, "train"); err == nil || err.Error() != tt.want {
			t.Errorf("%s: buildModel = %v\nwant %s", tt.file, err, tt.want)
		}
		cfg.Training.TransferLearning.RetrainModel = nil
		mod, mp, err := buildModel(cfg, "train")
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if _, ok := mod.(*nn.Countception); !ok || mp.InChannel != 1 || mp.OutChannel != 1 || multiple(mp) != 1 {
			t.Errorf("%s: built %T with %d→%d channels, multiple %d; want Countception 1→1, any size", tt.file, mod, mp.InChannel, mp.OutChannel, multiple(mp))
		}
	}
}

// TestCountceptionRefusals checks that the Countception settings that
// cannot run are refused at their keys, and that a retrain_model in
// PyTorch's format is known by its content under any name.
func TestCountceptionRefusals(t *testing.T) {
	pt := filepath.Join(t.TempDir(), "model.bin")
	if err := os.WriteFile(pt, []byte("PK\x03\x04archive/data.pkl"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ json, want string }{
		{`"default_model": {"name": "Countception", "use_logits": true}`, "config: default_model.use_logits: ivadomed's Countception fails with use_logits"},
		{`"default_model": {"name": "Unet"}, "Countception": {"applied": true, "use_logits": true}`, "config: Countception.use_logits: ivadomed's Countception fails with use_logits"},
		{`"default_model": {"name": "Countception", "is_2d": false}`, "config: default_model.is_2d: Countception is a 2D model"},
		{fmt.Sprintf(`"default_model": {"name": "Countception"}, "training_parameters": {"transfer_learning": {"retrain_model": %q}}`, pt), fmt.Sprintf("retrain_model: %q is a pickled PyTorch model", pt)},
	} {
		cfg, err := config.Parse([]byte(fmt.Sprintf(`{%s}`, tt.json)))
		if err != nil {
			t.Fatalf("%s: %v", tt.json, err)
		}
		if _, _, err := buildModel(cfg, "train"); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: buildModel = %v, want %q", tt.json, err, tt.want)
		}
	}
}
