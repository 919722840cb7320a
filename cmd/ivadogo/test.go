package main

import (
	"fmt"
	"io"

	"github.com/ivadogo/ivadogo/pipeline"
	"github.com/ivadogo/ivadogo/pipeline/config"
)

func init() {
	register(&command{name: "test", summary: "predict and evaluate the test split of a trained config", run: runTest})
}

// runTest is "ivadogo test -c CONFIG [-pd DIR...] [-po DIR]".
func runTest(args []string, stdout, stderr io.Writer) int {
	a, status := parseArgs("test", args, stdout, stderr)
	if a == nil {
		return status
	}
	stop, ok := a.startProfile(stderr)
	if !ok {
		return 1
	}
	defer stop()
	if a.Config == "" {
		fmt.Fprintf(stderr, "ivadogo test: -c CONFIG is required\n")
		return 2
	}
	if a.ThrIncrement > 0 {
		fmt.Fprintf(stderr, "ivadogo test: -t runs after training: use it with ivadogo train\n")
		return 2
	}
	cfg, err := config.Load(a.Config, a.Overrides())
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 1
	}
	r, err := pipeline.Test(cfg, runOptions(a, stdout))
	if err != nil {
		fmt.Fprintf(stderr, "ivadogo test: %v\n", err)
		return 1
	}
	if r.Slices > 0 {
		fmt.Fprintf(stdout, "F1 %.4f, accuracy %.4f over %d slices; metrics in %s\n", r.MeanDice, r.Accuracy, r.Slices, r.CSV)
		return 0
	}
	fmt.Fprintf(stdout, "mean Dice %.4f over %d images; metrics in %s\n", r.MeanDice, len(r.Rows), r.CSV)
	return 0
}
