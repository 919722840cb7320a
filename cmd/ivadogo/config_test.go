package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/pipeline/config"
)

func TestConfigCommand(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	os.WriteFile(good, []byte(`{"log_directory": "old_out", "loader_parameters": {"path_data": ["data"], "target_suffix": ["_seg-manual"],
		"contrast_params": {"training_validation": ["T2w"], "testing": ["T2w"]}}, "transformation": {"CenterCrop": {"size": [32, 32]}, "NormalizeInstance": {"applied_to": ["im"]}}}`), 0o644)
	typo := filepath.Join(dir, "typo.json")
	os.WriteFile(typo, []byte("{\n  \"training_parameters\": {\"batch_sise\": 2}\n}"), 0o644)
	nnunet := filepath.Join(dir, "nnunet.json")
	os.WriteFile(nnunet, []byte(`{"loader_parameters": {"path_data": ["data"], "target_suffix": ["_seg-manual"],
		"contrast_params": {"training_validation": ["T2w"], "testing": ["T2w"]}}, "transformation": {"RandomMirror": {"axes": [0]}, "SimulateLowResolution": {}}}`), 0o644)
	incomplete := filepath.Join(dir, "incomplete.json")
	os.WriteFile(incomplete, []byte(`{}`), 0o644)

	tests := []struct {
		args   []string
		status int
		out    string
		errOut string
	}{
		{args: []string{"config", "show", "-c", good}, out: `"path_output": "old_out"`, errOut: `log_directory: legacy key renamed to "path_output"`},
		{args: []string{"config", "show", "-c", good, "-po", "cli_out", "-pd", "d1", "d2"}, out: `"path_output": "cli_out"`},
		{args: []string{"config", "check", "-c", good}, out: good + ": ok"},
		{args: []string{"config", "check", "-c", nnunet}, out: nnunet + ": ok"},
		{args: []string{"config", "check", "-c", typo}, status: 1, errOut: typo + `:2:27: training_parameters.batch_sise: unknown key; did you mean "batch_size"?`},
		{args: []string{"config", "check", "-c", incomplete}, status: 1, errOut: "loader_parameters.path_data: missing"},
		{args: []string{"config", "check", "-c", incomplete, "-pd", "d"}, status: 1, errOut: "loader_parameters.target_suffix: missing"},
		{args: []string{"config", "show", "-c", filepath.Join(dir, "absent.json")}, status: 1, errOut: "absent.json"},
		{args: []string{"config", "show"}, status: 2, errOut: "ivadogo config show: -c CONFIG is required"},
		{args: []string{"config", "show", "-c", good, "--frob"}, status: 2, errOut: "unknown flag --frob"},
		{args: []string{"config", "frob"}, status: 2, errOut: `unknown subcommand "frob"`},
		{args: []string{"config"}, status: 2, errOut: "Usage:"},
		{args: []string{"config", "-h"}, out: "ivadogo config show -c FILE"},
		{args: []string{"help", "config"}, out: "ivadogo config show -c FILE"},
		{args: []string{"config", "schema"}, out: `"$schema": "http://json-schema.org/draft-07/schema#"`},
		{args: []string{"config", "schema", "-c", good}, status: 2, errOut: "takes no arguments"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		status := run(tt.args, &stdout, &stderr)
		if status != tt.status {
			t.Errorf("run(%q) = %d, want %d (stderr %q)", tt.args, status, tt.status, stderr.String())
		}
		if !strings.Contains(stdout.String(), tt.out) {
			t.Errorf("run(%q) stdout = %q, want it to contain %q", tt.args, stdout.String(), tt.out)
		}
		if !strings.Contains(stderr.String(), tt.errOut) {
			t.Errorf("run(%q) stderr = %q, want it to contain %q", tt.args, stderr.String(), tt.errOut)
		}
	}
}

// TestConfigShowJSON checks that show prints one JSON document whose
// overridden and merged values are the expected ones.
func TestConfigShowJSON(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.json")
	os.WriteFile(p, []byte(`{"loader_parameters": {"path_data": "data", "target_suffix": ["_seg-manual"], "contrast_params": {"training_validation": ["T2w"], "testing": ["T2w"]}}}`), 0o644)
	var stdout, stderr bytes.Buffer
	if status := run([]string{"config", "show", "-c", p, "-pd", "x", "y"}, &stdout, &stderr); status != 0 {
		t.Fatalf("status %d: %s", status, stderr.String())
	}
	var m struct {
		LoaderParameters struct {
			PathData []string `json:"path_data"`
		} `json:"loader_parameters"`
		TrainingParameters struct {
			BatchSize int `json:"batch_size"`
		} `json:"training_parameters"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &m); err != nil {
		t.Fatalf("show output is not JSON: %v\n%s", err, stdout.String())
	}
	if strings.Join(m.LoaderParameters.PathData, ",") != "x,y" || m.TrainingParameters.BatchSize != 18 {
		t.Errorf("show gave path_data %q batch_size %d", m.LoaderParameters.PathData, m.TrainingParameters.BatchSize)
	}
}

// TestConfigCheckUnbuilt: check names, at its key, a feature the binary
// cannot build.
func TestConfigCheckUnbuilt(t *testing.T) {
	defer func(f func(string) bool) { featureBuilt = f }(featureBuilt)
	featureBuilt = func(name string) bool { return name != "model:densenet121" }
	p := filepath.Join(t.TempDir(), "c.json")
	os.WriteFile(p, []byte(`{"loader_parameters": {"path_data": ["data"], "target_suffix": ["_seg-manual"],
		"contrast_params": {"training_validation": ["T2w"], "testing": ["T2w"]}}, "densenet121": {"applied": true}}`), 0o644)
	var stdout, stderr bytes.Buffer
	status := run([]string{"config", "check", "-c", p}, &stdout, &stderr)
	if want := "densenet121.applied: not implemented yet: model densenet121"; status != 1 || !strings.Contains(stderr.String(), want) {
		t.Errorf("status %d, stderr %q, want %q", status, stderr.String(), want)
	}
	// The real registries: every model name the parser accepts is built,
	// and so are the losses.
	for _, m := range append(config.ModelNames(), "Unet3D") {
		if !built("model:" + m) {
			t.Errorf("model %s parses but nn cannot build it", m)
		}
	}
	for _, l := range config.LossNames() {
		if !built("loss:" + l) {
			t.Errorf("loss %s parses but is not built", l)
		}
	}
}

// TestConfigCheckRetrainTorch checks that config check refuses, as train
// does, a transfer_learning.retrain_model that is a PyTorch file, naming the
// key and the conversion, and accepts safetensors weights.
func TestConfigCheckRetrainTorch(t *testing.T) {
	for _, c := range []struct {
		file string
		ok   bool
	}{{"old/best_model.pt", false}, {"old/best_model.safetensors", true}} {
		p := filepath.Join(t.TempDir(), "c.json")
		os.WriteFile(p, []byte(`{"loader_parameters": {"path_data": ["data"], "target_suffix": ["_seg-manual"],
			"contrast_params": {"training_validation": ["T2w"], "testing": ["T2w"]}},
			"training_parameters": {"transfer_learning": {"retrain_model": "`+c.file+`"}}}`), 0o644)
		var stdout, stderr bytes.Buffer
		status := run([]string{"config", "check", "-c", p}, &stdout, &stderr)
		if c.ok {
			if status != 0 {
				t.Errorf("%s: status %d, stderr %q, want ok", c.file, status, stderr.String())
			}
			continue
		}
		for _, want := range []string{"transfer_learning.retrain_model", c.file, "save_file", "best_model.safetensors"} {
			if status != 1 || !strings.Contains(stderr.String(), want) {
				t.Errorf("%s: status %d, stderr %q, want status 1 and %q", c.file, status, stderr.String(), want)
			}
		}
	}
}
