package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ivadogo/ivadogo/pipeline"
	"github.com/ivadogo/ivadogo/pipeline/config"
)

func init() {
	register(&command{name: "train", summary: "train a model from an ivadomed config (no -c: the quickstart on a synthetic phantom)", run: runTrain})
}

// quickstartDir is where "ivadogo train" without -c works.
const quickstartDir = "ivadogo_quickstart"

// runTrain is "ivadogo train -c CONFIG [-pd DIR...] [-po DIR] [--resume]"
// or, without -c, the quickstart.
func runTrain(args []string, stdout, stderr io.Writer) int {
	a, status := parseArgs("train", args, stdout, stderr)
	if a == nil {
		return status
	}
	if a.GIF > 0 {
		fmt.Fprintf(stderr, "ivadogo train: not implemented yet: -g (GIFs of validation slices)\n")
		return 2
	}
	o := runOptions(a, stdout)
	if a.Config == "" {
		dir := quickstartDir
		if a.PathOutput != "" {
			dir = a.PathOutput
		}
		fmt.Fprintf(stdout, "No config given (-c): running the quickstart in %s: a synthetic phantom dataset, a small 2D U-Net, train and test.\n", dir)
		r, err := pipeline.Quickstart(dir, o)
		if err != nil {
			fmt.Fprintf(stderr, "ivadogo train: %v\n", err)
			return 1
		}
		abs, _ := filepath.Abs(dir)
		fmt.Fprintf(stdout, "\nQuickstart done. Test Dice %.3f on %d images.\n", r.TestDice, len(r.Test.Rows))
		fmt.Fprintf(stdout, "  dataset:      %s\n  config:       %s\n  model:        %s\n  predictions:  %s\n  metrics:      %s\n",
			filepath.Join(abs, "phantom"), filepath.Join(abs, "config.json"), r.Train.ModelDir, r.Test.PredDir, r.Test.CSV)
		fmt.Fprintf(stdout, "Next: ivadogo segment -i IMAGE.nii.gz -m %s\n", r.Train.ModelDir)
		return 0
	}
	cfg, err := config.Load(a.Config, a.Overrides())
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 1
	}
	r, err := pipeline.Train(cfg, o)
	if err != nil {
		fmt.Fprintf(stderr, "ivadogo train: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "best validation loss %.5f at epoch %d of %d; model in %s\n", r.BestValLoss, r.BestEpoch, r.Epochs, r.ModelDir)
	if a.ThrIncrement > 0 {
		o.Resume = false
		t, err := pipeline.ThresholdAnalysis(cfg, a.ThrIncrement, o)
		if err != nil {
			fmt.Fprintf(stderr, "ivadogo train: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "threshold %.3g written to postprocessing.binarize_prediction.thr\n", t.Best)
	}
	return 0
}

// parseArgs parses a command's arguments; a nil result means return
// status.
func parseArgs(cmd string, args []string, stdout, stderr io.Writer) (*config.Args, int) {
	a, err := config.ParseArgs(cmd, args)
	if err != nil {
		fmt.Fprintf(stderr, "%v\n\n%s", err, config.Usage(cmd))
		return nil, 2
	}
	if a.Help {
		fmt.Fprintf(stdout, "Usage of ivadogo %s:\n%s", cmd, config.Usage(cmd))
		return nil, 0
	}
	return a, 0
}

// runOptions are the pipeline options of a command: log lines to stdout,
// and a progress bar when stdout is a terminal.
func runOptions(a *config.Args, stdout io.Writer) pipeline.Options {
	o := pipeline.Options{Resume: a.Resume, Log: stdout, Version: version}
	if f, ok := stdout.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			o.Progress = f
		}
	}
	return o
}
