package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBenchCommandPrintsPeerLines(t *testing.T) {
	out := filepath.Join(t.TempDir(), "go.jsonl")
	var stdout, stderr bytes.Buffer
	// The smallest GEMM case, one warmup pair and five quick reps.
	code := run([]string{"bench", "--filter", "^gemm_64x4096x576$", "--out", out, "--target-s", "0.001"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d, stderr: %s", code, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("want one JSON line, got %q", stdout.String())
	}
	var r map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &r); err != nil {
		t.Fatalf("line %q: %v", lines[0], err)
	}
	if r["case"] != "gemm_64x4096x576" || r["kind"] != "gemm" || r["peer"] != "ivadogo-"+version {
		t.Errorf("line %v: wrong case, kind or peer", r)
	}
	for _, f := range []string{"ms", "gflops", "flops", "reps", "threads"} {
		if v, ok := r[f].(float64); !ok || v <= 0 {
			t.Errorf("field %s = %v, want a positive number", f, r[f])
		}
	}
	saved, err := os.ReadFile(out)
	if err != nil || strings.TrimSpace(string(saved)) != lines[0] {
		t.Errorf("--out file holds %q (err %v), want the printed line", saved, err)
	}
}

func TestBenchCommandRejectsBadArguments(t *testing.T) {
	for _, args := range [][]string{{"bench", "--filter", "("}, {"bench", "extra"}, {"bench", "--nosuchflag"}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", args, code, stderr.String())
		}
	}
}

func TestBenchCommandList(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"bench", "--list", "--filter", "^(gemm_1024|unet2d_d4_f32_128x128_n8_infer)"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "gemm_1024x1024x1024") || !strings.Contains(stdout.String(), "unet2d") {
		t.Errorf("list output %q lacks the selected cases", stdout.String())
	}
}
