package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/internal/testenv"
	"github.com/ivadogo/ivadogo/pipeline/config"
)

// refusals are the features of the reference configs that the pipeline
// does not run, by file: every other reference config must pass
// CheckFeatures (HeMIS in config_spineGeHemis.json, the 2D cascade of
// cascaded_architecture_tutorial_config.json, the 3D one of t2_tumor.json,
// the microscopy of config_microscopy.json, FiLM and balance by metadata
// wherever applied).
var refusals = map[string]string{
	"ivadomed-configs/config_vertebral_labeling.json":     "default_model.name: not implemented yet: model Countception",
	"ivadomed-configs/pretrained/model_find_disc_t1.json": "default_model.name: not implemented yet: model Countception",
}

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
