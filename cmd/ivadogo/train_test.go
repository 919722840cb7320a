package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestDiagFlags checks that --cpuprofile, --memprofile and --debug are
// taken off the line before ivadomed's flags are parsed, wherever they
// stand, and that train -h documents them.
func TestDiagFlags(t *testing.T) {
	rest, c, err := cutDiagFlags([]string{"--cpuprofile", "c.prof", "-c", "x.json", "--debug", "--memprofile=m.prof", "--resume"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"-c", "x.json", "--resume"}; !reflect.DeepEqual(rest, want) {
		t.Errorf("rest %q, want %q", rest, want)
	}
	if c.cpuProfile != "c.prof" || c.memProfile != "m.prof" || !c.debug {
		t.Errorf("diagnostic flags %+v", c)
	}
	if _, _, err := cutDiagFlags([]string{"-c", "x.json", "--cpuprofile"}); err == nil {
		t.Error("--cpuprofile without a file name: no error")
	}
	var stdout, stderr bytes.Buffer
	if status := run([]string{"train", "-h"}, &stdout, &stderr); status != 0 {
		t.Fatalf("train -h: status %d, stderr %q", status, stderr.String())
	}
	for _, f := range []string{"--cpuprofile FILE", "--memprofile FILE", "--debug"} {
		if !strings.Contains(stdout.String(), f) {
			t.Errorf("train -h does not document %s:\n%s", f, stdout.String())
		}
	}
}

// TestProfiles runs a command that fails early (no such config) with both
// profiles on: each file must be written and start as a gzip stream, as
// pprof writes them.
func TestProfiles(t *testing.T) {
	dir := t.TempDir()
	cpu, mem := filepath.Join(dir, "c.prof"), filepath.Join(dir, "m.prof")
	var stdout, stderr bytes.Buffer
	run([]string{"test", "-c", filepath.Join(dir, "none.json"), "--cpuprofile", cpu, "--memprofile", mem}, &stdout, &stderr)
	for _, p := range []string{cpu, mem} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("profile not written: %v", err)
		}
		if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
			t.Errorf("%s is not a gzipped pprof profile (%d bytes)", p, len(b))
		}
	}
}

// TestTrainThresholdClassifier checks that train -t with a classifier is
// refused before training, not after it.
func TestTrainThresholdClassifier(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.json")
	if err := os.WriteFile(cfg, []byte(`{"path_output": "`+filepath.Join(dir, "out")+`", "loader_parameters": {"path_data": ["`+dir+`"], "target_suffix": ["_seg"],
		"contrast_params": {"training_validation": ["T2w"], "testing": ["T2w"]}}, "resnet18": {"applied": true}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	status := run([]string{"train", "-c", cfg, "-t", "0.1"}, &stdout, &stderr)
	if status != 2 || !strings.Contains(stderr.String(), "-t: pipeline: threshold increment: resnet18 is a classifier") {
		t.Errorf("status %d, stderr %q; want 2 and the classifier named", status, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); !os.IsNotExist(err) {
		t.Errorf("the output folder was made (%v): training started", err)
	}
}
