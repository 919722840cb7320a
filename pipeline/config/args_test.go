package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseArgs(t *testing.T) {
	tests := []struct {
		command string
		args    []string
		want    Args
	}{
		{"train", nil, Args{Command: "train", Suffix: "_pred"}},
		{"train", []string{"-c", "cfg.json", "-pd", "a", "b", "-po", "out"}, Args{Command: "train", Config: "cfg.json", PathData: []string{"a", "b"}, PathOutput: "out", Suffix: "_pred"}},
		{"train", []string{"--config=cfg.json", "--path-data", "a", "--path-data=b", "--resume-training", "-g", "3", "-t", "0.1"}, Args{Command: "train", Config: "cfg.json", PathData: []string{"a", "b"}, Resume: true, GIF: 3, ThrIncrement: 0.1, Suffix: "_pred"}},
		{"train", []string{"-c", "cfg.json", "--train"}, Args{Command: "train", Config: "cfg.json", Suffix: "_pred"}},
		{"test", []string{"-c", "cfg.json", "--path-output", "o"}, Args{Command: "test", Config: "cfg.json", PathOutput: "o", Suffix: "_pred"}},
		{"segment", []string{"-i", "t1.nii.gz", "t2.nii.gz", "-m", "model", "-o", "out", "-s", "_seg"}, Args{Command: "segment", Images: []string{"t1.nii.gz", "t2.nii.gz"}, Model: "model", Output: "out", Suffix: "_seg"}},
		{"segment", []string{"-c", "cfg.json", "--no-patch", "--overlap-2d", "16", "8"}, Args{Command: "segment", Config: "cfg.json", NoPatch: true, Overlap2D: []int{16, 8}, Suffix: "_pred"}},
		{"segment", []string{"-i", "x.png", "--pixel-size", "0.1um", "-m", "model"}, Args{Command: "segment", Images: []string{"x.png"}, Model: "model", PixelSize: "0.1um", Suffix: "_pred"}},
		{"show", []string{"-c", "cfg.json", "-pd", "d"}, Args{Command: "show", Config: "cfg.json", PathData: []string{"d"}, Suffix: "_pred"}},
		{"test", []string{"-h"}, Args{Command: "test", Help: true, Suffix: "_pred"}},
	}
	for _, tt := range tests {
		got, err := ParseArgs(tt.command, tt.args)
		if err != nil {
			t.Errorf("ParseArgs(%s, %q): %v", tt.command, tt.args, err)
			continue
		}
		if !reflect.DeepEqual(*got, tt.want) {
			t.Errorf("ParseArgs(%s, %q) = %+v, want %+v", tt.command, tt.args, *got, tt.want)
		}
	}
}

func TestParseArgsErrors(t *testing.T) {
	tests := []struct {
		command string
		args    []string
		want    string
	}{
		{"train", []string{"-c"}, "-c needs a value"},
		{"train", []string{"-pd"}, "-pd needs a value"},
		{"train", []string{"--confg", "x"}, "unknown flag --confg; did you mean --config?"},
		{"train", []string{"cfg.json"}, `unexpected argument "cfg.json"`},
		{"train", []string{"-c", "a", "--test"}, `--test contradicts the command "train"`},
		{"train", []string{"-i", "x"}, "-i is not a flag of train"},
		{"train", []string{"-g", "many"}, `-g needs an integer >= 0, got "many"`},
		{"train", []string{"-t", "2"}, `-t needs a step in (0, 1)`},
		{"train", []string{"--resume=yes"}, "--resume takes no value"},
		{"train", []string{"--pixel-size", "0.1"}, "--pixel-size is not a flag of train"},
		{"segment", []string{"-i", "x.png", "-m", "m", "--pixelsize", "0.1"}, "did you mean --pixel-size?"},
		{"test", nil, "-c CONFIG is required"},
		{"segment", []string{"-i", "x.nii.gz"}, "give -c CONFIG, or -i IMAGE... with -m MODEL_DIR"},
		{"segment", []string{"-c", "c.json", "-m", "m"}, "use one or the other"},
		{"segment", []string{"-c", "c.json", "--overlap-2d", "16"}, "--overlap-2d needs 2 values"},
		{"segment", []string{"-c", "c.json", "--overlap-2d=16,8"}, "takes 2 values separated by spaces"},
		{"frobnicate", nil, `unknown command "frobnicate"`},
	}
	for _, tt := range tests {
		_, err := ParseArgs(tt.command, tt.args)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseArgs(%s, %q) error = %v, want it to contain %q", tt.command, tt.args, err, tt.want)
		}
	}
}

func TestArgsOverrides(t *testing.T) {
	a, err := ParseArgs("segment", []string{"-c", "c.json", "-pd", "d1", "d2", "-po", "o"})
	if err != nil {
		t.Fatal(err)
	}
	want := Overrides{Command: "segment", PathData: []string{"d1", "d2"}, PathOutput: "o"}
	if got := a.Overrides(); !reflect.DeepEqual(got, want) {
		t.Errorf("Overrides = %+v, want %+v", got, want)
	}
	if a, _ := ParseArgs("show", []string{"-c", "c.json"}); a.Overrides().Command != "" {
		t.Error("config show must not override the command")
	}
	u := Usage("segment")
	for _, want := range []string{"-i, --image VALUE...", "--overlap-2d X Y", "-m, --model VALUE"} {
		if !strings.Contains(u, want) {
			t.Errorf("Usage(segment) lacks %q:\n%s", want, u)
		}
	}
	if strings.Contains(Usage("train"), "--no-patch") {
		t.Error("Usage(train) lists a segment flag")
	}
}
