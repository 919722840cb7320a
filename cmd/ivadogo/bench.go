package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/ivadogo/ivadogo/bench"
)

func init() {
	register(&command{name: "bench", summary: "time the kernels on the PyTorch peer benchmark's cases", run: runBench})
}

// runBench prints one JSON line per case, in peer_torch.py's format, so
// that shared/bench/compare.py can put the two side by side.
func runBench(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	filter := fs.String("filter", "", "run only the cases whose name matches this regular expression")
	out := fs.String("out", "", "also append the JSON lines to this file")
	threads := fs.Int("threads", 2, "worker threads")
	warmup := fs.Int("warmup", 2, "untimed calls before timing (at least 2)")
	target := fs.Float64("target-s", 1, "seconds of timed calls to aim at per case")
	minReps := fs.Int("min-reps", 5, "fewest timed calls (at least 5)")
	maxReps := fs.Int("max-reps", 50, "most timed calls")
	list := fs.Bool("list", false, "list the cases and whether ivadogo runs them, without timing")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: ivadogo bench [flags]\n\nTimes ivadogo on the cases of shared/bench/cases.json and prints\npeer_torch.py's JSON lines (median ms, GFLOP/s or GB/s).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ivadogo bench: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	cases, err := bench.Select(*filter)
	if err != nil {
		fmt.Fprintf(stderr, "ivadogo bench: %v\n", err)
		return 2
	}
	var file *os.File
	if *out != "" && !*list {
		file, err = os.OpenFile(*out, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			fmt.Fprintf(stderr, "ivadogo bench: %v\n", err)
			return 1
		}
		defer file.Close()
	}
	opt := bench.Options{Warmup: *warmup, MinReps: *minReps, MaxReps: *maxReps, Target: *target,
		Threads: *threads, Peer: "ivadogo-" + version}
	var results []bench.Result
	status := 0
	for _, c := range cases {
		if *list {
			_, err := bench.Prepare(c)
			state := "runs"
			if err != nil {
				state = err.Error()
			}
			fmt.Fprintf(stdout, "%-40s %-7s %s\n", c.Name, c.Kind, state)
			continue
		}
		r, err := bench.Run(c, opt)
		if errors.Is(err, bench.ErrNotAvailable) {
			fmt.Fprintf(stderr, "ivadogo bench: skipped: %v\n", err)
			continue
		}
		if err != nil {
			fmt.Fprintf(stderr, "ivadogo bench: %v\n", err)
			status = 1
			continue
		}
		line, err := json.Marshal(r)
		if err != nil {
			fmt.Fprintf(stderr, "ivadogo bench: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "%s\n", line)
		if file != nil {
			if _, err := fmt.Fprintf(file, "%s\n", line); err != nil {
				fmt.Fprintf(stderr, "ivadogo bench: %s: %v\n", *out, err)
				return 1
			}
		}
		results = append(results, r)
	}
	if len(results) > 0 {
		fmt.Fprint(stderr, bench.Summary(results))
	}
	return status
}
