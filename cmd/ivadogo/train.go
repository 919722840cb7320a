package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strings"

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
	stop, ok := a.startProfile(stderr)
	if !ok {
		return 1
	}
	defer stop()
	o := runOptions(a, stdout)
	o.GIF = a.GIF
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
	if a.ThrIncrement > 0 {
		// Refused now rather than after the training it would follow.
		if err := pipeline.CheckThreshold(cfg, a.ThrIncrement); err != nil {
			fmt.Fprintf(stderr, "ivadogo train: -t: %v\n", err)
			return 2
		}
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

// cmdArgs are a command's ivadomed flags plus ivadogo's own diagnostic
// flags, which ivadomed does not have.
type cmdArgs struct {
	*config.Args
	cpuProfile string // --cpuprofile FILE: write a pprof CPU profile of the run
	memProfile string // --memprofile FILE: write a pprof heap profile at the end
	debug      bool   // --debug: per-phase timings in the log every epoch
}

// diagUsage documents the diagnostic flags under the ivadomed ones.
var diagUsage = fmt.Sprintf("  %-30s %s\n  %-30s %s\n  %-30s %s\n",
	"--cpuprofile FILE", "write a CPU profile of the whole command (go tool pprof FILE)",
	"--memprofile FILE", "write a heap profile (allocations by site) when the command ends",
	"--debug", "log where each epoch's time and memory go (also on with \"debugging\": true)")

// cutDiagFlags removes the diagnostic flags from args.
func cutDiagFlags(args []string) ([]string, *cmdArgs, error) {
	c := &cmdArgs{}
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--cpuprofile" || a == "-cpuprofile":
			if i+1 >= len(args) {
				return nil, nil, fmt.Errorf("%s needs a file name", a)
			}
			i++
			c.cpuProfile = args[i]
		case strings.HasPrefix(a, "--cpuprofile="):
			c.cpuProfile = strings.TrimPrefix(a, "--cpuprofile=")
		case a == "--memprofile" || a == "-memprofile":
			if i+1 >= len(args) {
				return nil, nil, fmt.Errorf("%s needs a file name", a)
			}
			i++
			c.memProfile = args[i]
		case strings.HasPrefix(a, "--memprofile="):
			c.memProfile = strings.TrimPrefix(a, "--memprofile=")
		case a == "--debug":
			c.debug = true
		default:
			rest = append(rest, a)
		}
	}
	return rest, c, nil
}

// parseArgs parses a command's arguments; a nil result means return
// status.
func parseArgs(cmd string, args []string, stdout, stderr io.Writer) (*cmdArgs, int) {
	args, c, err := cutDiagFlags(args)
	if err != nil {
		fmt.Fprintf(stderr, "%v\n\n%s%s", err, config.Usage(cmd), diagUsage)
		return nil, 2
	}
	a, err := config.ParseArgs(cmd, args)
	if err != nil {
		fmt.Fprintf(stderr, "%v\n\n%s%s", err, config.Usage(cmd), diagUsage)
		return nil, 2
	}
	if a.Help {
		fmt.Fprintf(stdout, "Usage of ivadogo %s:\n%s%s", cmd, config.Usage(cmd), diagUsage)
		return nil, 0
	}
	c.Args = a
	return c, 0
}

// gcPercent is the garbage collector's target (GOGC) for train, test and
// segment unless the environment sets GOGC or GOMEMLIMIT. Go's default,
// 100, lets the heap grow to twice what is live, and what is live here is
// mostly the tensor pool, which holds a training step's working set
// between steps: peak RSS of the 2D U-Net config fell from 2.8 GB to
// 1.9 GB at 25, the 3D config's from 490 MB to 340 MB. Those buffers hold
// no pointers, so the extra collections cost no measurable CPU time.
const gcPercent = 25

// startProfile sets the garbage collector's target and starts the
// profiles that --cpuprofile and --memprofile ask for; the function it
// returns writes and closes them.
func (c *cmdArgs) startProfile(stderr io.Writer) (stop func(), ok bool) {
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetGCPercent(gcPercent)
	}
	var cpu *os.File
	if c.cpuProfile != "" {
		f, err := os.Create(c.cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "ivadogo: --cpuprofile: %v\n", err)
			return nil, false
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			fmt.Fprintf(stderr, "ivadogo: --cpuprofile: %v\n", err)
			return nil, false
		}
		cpu = f
	}
	return func() {
		if cpu != nil {
			pprof.StopCPUProfile()
			if err := cpu.Close(); err != nil {
				fmt.Fprintf(stderr, "ivadogo: --cpuprofile: %v\n", err)
			}
		}
		if c.memProfile != "" {
			f, err := os.Create(c.memProfile)
			if err == nil {
				err = errors.Join(pprof.Lookup("allocs").WriteTo(f, 0), f.Close())
			}
			if err != nil {
				fmt.Fprintf(stderr, "ivadogo: --memprofile: %v\n", err)
			}
		}
	}, true
}

// runOptions are the pipeline options of a command: log lines to stdout,
// and a progress bar when stdout is a terminal.
func runOptions(a *cmdArgs, stdout io.Writer) pipeline.Options {
	o := pipeline.Options{Resume: a.Resume, Log: stdout, Version: version, Debug: a.debug}
	if f, ok := stdout.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			o.Progress = f
		}
	}
	return o
}
