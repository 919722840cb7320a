package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/pipeline/phantom"
)

// TestTrainTestSegment runs the three commands on a small phantom through
// run, as a user types them, with ivadomed's spellings.
func TestTrainTestSegment(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "phantom")
	if _, err := phantom.Write(data, phantom.Options{Subjects: 5, Contrasts: []string{"T2w"}}); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(phantom.QuickstartJSON())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Loader.ContrastParams.TrainingValidation = []string{"T2w"}
	cfg.Loader.ContrastParams.Testing = []string{"T2w"}
	cfg.Training.TrainingTime.NumEpochs = 2
	cfgPath := filepath.Join(dir, "config.json")
	if err := cfg.Save(cfgPath); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	steps := []struct {
		args   []string
		status int
		out    string
		errOut string
	}{
		{[]string{"--train", "-c", cfgPath, "-pd", data, "-po", out, "-t", "0.1"}, 0, "written to postprocessing.binarize_prediction.thr", ""},
		{[]string{"test", "-c", cfgPath, "-pd", data, "-po", out}, 0, "evaluation_3Dmetrics.csv", ""},
		{[]string{"--segment", "-c", cfgPath, "-pd", data, "-po", out}, 0, "5 predictions", ""},
		{[]string{"segment", "-i", filepath.Join(data, "sub-01", "anat", "sub-01_T2w.nii.gz"), "-m", filepath.Join(out, "quickstart_unet2d"), "-o", dir}, 0, "sub-01_T2w_pred.nii.gz", ""},
		{[]string{"segment", "-i", filepath.Join(data, "sub-01", "anat", "sub-01_T2w.nii.gz")}, 2, "", "-m MODEL_DIR"},
		{[]string{"test"}, 2, "", "-c CONFIG is required"},
		{[]string{"train", "-c", filepath.Join(dir, "nope.json")}, 1, "", "nope.json"},
		{[]string{"test", "-c", cfgPath, "-pd", filepath.Join(dir, "nodata"), "-po", out}, 1, "", "nodata"},
	}
	for _, s := range steps {
		var stdout, stderr bytes.Buffer
		status := run(s.args, &stdout, &stderr)
		if status != s.status || !strings.Contains(stdout.String(), s.out) || !strings.Contains(stderr.String(), s.errOut) {
			t.Errorf("ivadogo %s: status %d, want %d\nstdout: %s\nstderr: %s\n(want stdout with %q, stderr with %q)",
				strings.Join(s.args, " "), status, s.status, stdout.String(), stderr.String(), s.out, s.errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "sub-01_T2w_pred.nii.gz")); err != nil {
		t.Error(err)
	}
	// segment -c writes ivadomed's per-class names too, for one class as
	// well; segment -i on a one-class model writes its one file only.
	for _, s := range []string{"_pred.nii.gz", "_class-0_pred.nii.gz"} {
		if _, err := os.Stat(filepath.Join(out, "pred_masks", "sub-01_T2w"+s)); err != nil {
			t.Error(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "sub-01_T2w_class-0_pred.nii.gz")); err == nil {
		t.Error("segment -i on a one-class model wrote a _class-0 file")
	}
}

// TestSegmentFlags checks segment's help (outputs, --pixel-size) and a
// bad --pixel-size, which must fail before any model is read.
func TestSegmentFlags(t *testing.T) {
	for _, c := range []struct {
		args        []string
		status      int
		out, errOut []string
	}{
		{[]string{"segment", "-h"}, 0, []string{"--pixel-size", "_class-<i>_pred.nii.gz", "<stem><SUFFIX>.nii.gz", "0.1um"}, nil},
		{[]string{"help", "segment"}, 0, []string{"--pixel-size", "Outputs"}, nil},
		{[]string{"segment", "-i", "x.png", "-m", "nomodel", "--pixel-size", "0.1cm"}, 2, nil, []string{"--pixel-size", `"0.1cm"`, "um, nm or mm"}},
		{[]string{"segment", "-i", "x.png", "-m", "nomodel", "--pixel-size"}, 2, nil, []string{"--pixel-size needs a value"}},
	} {
		var stdout, stderr bytes.Buffer
		status := run(c.args, &stdout, &stderr)
		ok := status == c.status
		for _, w := range c.out {
			ok = ok && strings.Contains(stdout.String(), w)
		}
		for _, w := range c.errOut {
			ok = ok && strings.Contains(stderr.String(), w)
		}
		if !ok {
			t.Errorf("ivadogo %s: status %d, want %d\nstdout: %s\nstderr: %s\n(want stdout with %q, stderr with %q)",
				strings.Join(c.args, " "), status, c.status, stdout.String(), stderr.String(), c.out, c.errOut)
		}
	}
}

// TestQuickstart runs "ivadogo train" with no config, the README's first
// command: it must finish and report a test Dice.
func TestQuickstart(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if status := run([]string{"train", "-po", dir}, &stdout, &stderr); status != 0 {
		t.Fatalf("ivadogo train: status %d\n%s", status, stderr.String())
	}
	if !strings.Contains(stdout.String(), "Test Dice") {
		t.Errorf("the quickstart did not report a test Dice:\n%s", stdout.String())
	}
}
