package pipeline

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ivadogo/ivadogo/pipeline/phantom"
	"github.com/ivadogo/ivadogo/pipeline/config"
)

func TestScratchTrain(t *testing.T) {
	dir := t.TempDir()
	cfg, err := phantom.Quickstart(filepath.Join(dir, "phantom"), filepath.Join(dir, "out"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Training.TrainingTime.NumEpochs = 8
	res, err := Train(cfg, Options{Log: os.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res)
	tr, err := Test(cfg, Options{Log: os.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("dice %v", tr.MeanDice)
}

func TestScratchQuickstart(t *testing.T) {
	r, err := Quickstart(t.TempDir(), Options{Log: os.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("dice %v", r.TestDice)
	sp, _ := config.ReadSplit(filepath.Join(r.Config.PathOutput, "split_datasets.json"))
	sp.Test = sp.Valid
	p := filepath.Join(t.TempDir(), "s.json")
	config.WriteSplit(p, sp)
	r.Config.Split.FnameSplit = &p
	tr, err := Test(r.Config, Options{Log: os.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("valid-as-test dice %v", tr.MeanDice)
}
