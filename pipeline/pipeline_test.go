package pipeline

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ivadogo/ivadogo/pipeline/phantom"
)

func TestScratchTrain(t *testing.T) {
	dir := t.TempDir()
	cfg, err := phantom.Quickstart(filepath.Join(dir, "phantom"), filepath.Join(dir, "out"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Training.TrainingTime.NumEpochs = 3
	res, err := Train(cfg, Options{Log: os.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res)
}
