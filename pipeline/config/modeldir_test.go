package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadModelConfig(t *testing.T) {
	root := t.TempDir()
	cfg := withMinimal(`"model_name": "seg_sc"`)
	mk := func(dir string, files ...string) string {
		d := filepath.Join(root, dir)
		os.MkdirAll(d, 0o755)
		for _, f := range files {
			os.WriteFile(filepath.Join(d, f), []byte(cfg), 0o644)
		}
		return d
	}
	named := mk("seg_sc", "seg_sc.json", "other.json", "seg_sc.onnx")
	single := mk("renamed", "seg_sc.json")
	none := mk("empty", "seg_sc.onnx")
	many := mk("many", "a.json", "b.json")
	tests := []struct {
		dir, want, err string
	}{
		{named, "seg_sc/seg_sc.json", ""},
		{named + string(filepath.Separator), "seg_sc/seg_sc.json", ""},
		{single, "renamed/seg_sc.json", ""},
		{none, "", "has no config JSON (expected empty.json)"},
		{many, "", "several JSON files (a.json, b.json)"},
		{filepath.Join(root, "absent"), "", "model folder"},
		{filepath.Join(named, "seg_sc.json"), "", "is a file"},
	}
	for _, tt := range tests {
		c, path, err := ReadModelConfig(tt.dir)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ReadModelConfig(%s) error = %v, want %q", tt.dir, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ReadModelConfig(%s): %v", tt.dir, err)
			continue
		}
		if !strings.HasSuffix(filepath.ToSlash(path), tt.want) || c.ModelName != "seg_sc" {
			t.Errorf("ReadModelConfig(%s) = %s, model_name %q", tt.dir, path, c.ModelName)
		}
	}
}
