package pipeline

import (
	"fmt"
	"path/filepath"

	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/pipeline/phantom"
)

// QuickstartResult says where the quickstart put things and how well the
// model it trained segments the test subjects.
type QuickstartResult struct {
	Config   *config.Config
	DataDir  string // the phantom BIDS dataset
	Train    *TrainResult
	Test     *TestResult
	TestDice float64
}

// Quickstart writes the phantom dataset to dir/phantom, trains the small
// 2D U-Net of the shipped quickstart config on it with outputs in
// dir/output, and tests it. It needs no data and takes about a minute on
// two cores.
func Quickstart(dir string, o Options) (*QuickstartResult, error) {
	data := filepath.Join(dir, "phantom")
	out := filepath.Join(dir, "output")
	cfg, err := phantom.Quickstart(data, out)
	if err != nil {
		return nil, fmt.Errorf("pipeline: quickstart: %w", err)
	}
	if err := cfg.Save(filepath.Join(dir, "config.json")); err != nil {
		return nil, err
	}
	tr, err := Train(cfg, o)
	if err != nil {
		return nil, err
	}
	o.Resume = false
	te, err := Test(cfg, o)
	if err != nil {
		return nil, err
	}
	return &QuickstartResult{Config: cfg, DataDir: data, Train: tr, Test: te, TestDice: te.MeanDice}, nil
}
