package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/nn"
)

func TestModelSummary(t *testing.T) {
	dir := t.TempDir()
	cfg3d := filepath.Join(dir, "tumor.json")
	os.WriteFile(cfg3d, []byte(`{"loader_parameters": {"path_data": ["d"], "target_suffix": ["_seg-tumor"],
		"contrast_params": {"training_validation": ["T2w"], "testing": ["T2w"]}},
		"Modified3DUNet": {"applied": true, "length_3D": [32, 32, 16], "stride_3D": [32, 32, 16], "n_filters": 8}}`), 0o644)
	cfgFilm := filepath.Join(dir, "film.json")
	os.WriteFile(cfgFilm, []byte(`{"loader_parameters": {"path_data": ["d"], "target_suffix": ["_seg"],
		"contrast_params": {"training_validation": ["T1w", "T2w", "T2star"], "testing": ["T1w"]}},
		"default_model": {"depth": 2, "n_filters": 8, "length_2D": [32, 48]},
		"FiLMedUnet": {"applied": true, "metadata": "contrasts", "film_layers": [1, 0, 0, 0, 0, 1]}}`), 0o644)
	tests := []struct {
		name       string
		args       []string
		status     int
		parameters int    // checked with --json when > 0
		output     string // substring of stdout
		errOut     string // substring of stderr
	}{
		{name: "named unet", args: []string{"--model", "Unet", "--options", `{"depth": 4, "n_filters": 32}`, "--input", "1x1x64x64", "--json"}, parameters: 4901569},
		{name: "table", args: []string{"--model", "Unet", "--options", `{"depth": 2, "n_filters": 8}`, "--input", "2x1x32x32"}, output: "encoder.down_path.0.conv1"},
		{name: "3d config", args: []string{"-c", cfg3d, "--json"}, parameters: 1781192},
		{name: "film config", args: []string{"-c", cfgFilm, "--json"}, output: `"input":[1,1,32,48]`},
		{name: "unknown model", args: []string{"--model", "Vnet"}, status: 1, errOut: `unknown model "Vnet"`},
		{name: "bad option", args: []string{"--model", "Unet", "--options", `{"detph": 2}`}, status: 1, errOut: `"detph"`},
		{name: "bad input", args: []string{"--model", "Unet", "--input", "1x1"}, status: 2, errOut: "--input"},
		{name: "3d not divisible", args: []string{"--model", "Modified3DUNet", "--options", `{"n_filters": 2}`, "--input", "1x1x20x16x16"}, status: 1, errOut: "divisible by 16"},
		{name: "neither", args: nil, status: 2, errOut: "either -c CONFIG or --model NAME"},
		{name: "missing config", args: []string{"-c", filepath.Join(dir, "nope.json")}, status: 1, errOut: "nope.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			status := run(append([]string{"model", "summary"}, tt.args...), &stdout, &stderr)
			if status != tt.status {
				t.Fatalf("status %d, want %d (stderr %q)", status, tt.status, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.output) {
				t.Errorf("stdout %q lacks %q", stdout.String(), tt.output)
			}
			if !strings.Contains(stderr.String(), tt.errOut) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tt.errOut)
			}
			if tt.parameters > 0 {
				var s struct {
					Parameters int               `json:"parameters"`
					Layers     []json.RawMessage `json:"layers"`
				}
				if err := json.Unmarshal(stdout.Bytes(), &s); err != nil {
					t.Fatalf("--json output: %v", err)
				}
				if s.Parameters != tt.parameters || len(s.Layers) == 0 {
					t.Errorf("parameters %d with %d layers, want %d", s.Parameters, len(s.Layers), tt.parameters)
				}
			}
		})
	}
}

func TestModelUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if status := run([]string{"model"}, &stdout, &stderr); status != 2 || !strings.Contains(stderr.String(), "ivadogo model summary") {
		t.Errorf("status %d, stderr %q", status, stderr.String())
	}
}

// TestModelSummaryDefaultInput checks that every model the summary names
// gets a default input it can run: its first convolution's channels (3
// for Countception), 3D where the model is, sizes its strides divide.
func TestModelSummaryDefaultInput(t *testing.T) {
	tests := []struct {
		model, options string
		want           []int
		run            bool // run the summary too (Countception's forward at 128² is 0.4 TFLOP)
	}{
		{"Unet", `{"depth": 2, "n_filters": 4}`, []int{1, 1, 128, 128}, true},
		{"Unet", `{"depth": 2, "n_filters": 4, "is_2d": false}`, []int{1, 1, 128, 128, 16}, true},
		{"FiLMedUnet", `{"depth": 2, "n_filters": 4}`, []int{1, 1, 128, 128}, true},
		{"HeMISUnet", `{"depth": 2, "n_filters": 4, "contrasts": ["T1w", "T2w"]}`, []int{1, 1, 128, 128}, true},
		{"Modified3DUNet", `{"n_filters": 2}`, []int{1, 1, 128, 128, 16}, true},
		{"UNet3D", `{"n_filters": 2, "in_channel": 2}`, []int{1, 2, 128, 128, 16}, true},
		{"PlainUnet", `{"features": [4, 8]}`, []int{1, 1, 128, 128}, true},
		{"PlainUnet", `{"is_2d": false, "features": [2, 2, 2, 2, 2, 2]}`, []int{1, 1, 128, 128, 32}, true},
		{"resnet18", ``, []int{1, 1, 128, 128}, true},
		{"densenet121", ``, []int{1, 1, 128, 128}, true},
		{"Countception", ``, []int{1, 3, 128, 128}, false},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		seen[tt.model] = true
		m, err := nn.Build(tt.model, json.RawMessage(tt.options))
		if err != nil {
			t.Fatalf("%s %s: %v", tt.model, tt.options, err)
		}
		if got := defaultInput(m); !slices.Equal(got, tt.want) {
			t.Errorf("%s %s: default input %v, want %v", tt.model, tt.options, got, tt.want)
		}
		if !tt.run {
			continue
		}
		var stdout, stderr bytes.Buffer
		args := []string{"model", "summary", "--model", tt.model, "--json"}
		if tt.options != "" {
			args = append(args, "--options", tt.options)
		}
		if status := run(args, &stdout, &stderr); status != 0 {
			t.Errorf("ivadogo %s: status %d: %s", strings.Join(args, " "), status, stderr.String())
		}
	}
	for _, name := range nn.ModelNames() {
		if !seen[name] {
			t.Errorf("model %s has no default-input case", name)
		}
	}
}
