package main

import (
	"fmt"
	"io"

	"github.com/ivadogo/ivadogo/pipeline"
	"github.com/ivadogo/ivadogo/pipeline/config"
)

func init() {
	register(&command{name: "segment", summary: "segment images with a trained model (-c CONFIG, or -i IMAGE... -m MODEL_DIR)", run: runSegment})
}

// runSegment is "ivadogo segment -c CONFIG" (ivadomed --segment) or
// "ivadogo segment -i IMAGE... -m MODEL_DIR [-o OUT] [-s SUFFIX]"
// (ivadomed_segment_image; several -i files are the channels of one input).
func runSegment(args []string, stdout, stderr io.Writer) int {
	a, status := parseArgs("segment", args, stdout, stderr)
	if a == nil {
		return status
	}
	stop, ok := a.startProfile(stderr)
	if !ok {
		return 1
	}
	defer stop()
	// --no-patch and --overlap-2d concern models trained on 2D patches,
	// which the pipeline refuses to build (patches_2d); whole-slice models
	// ignore them, as in ivadomed.
	o := runOptions(a, stdout)
	if len(a.Images) > 0 {
		if a.Model == "" {
			fmt.Fprintf(stderr, "ivadogo segment: -i needs -m MODEL_DIR (the <path_output>/<model_name> folder train writes)\n")
			return 2
		}
		out, err := pipeline.SegmentImages(a.Images, a.Model, a.Output, a.Suffix, o)
		if err != nil {
			fmt.Fprintf(stderr, "ivadogo segment: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "%s\n", out)
		return 0
	}
	if a.Config == "" {
		fmt.Fprintf(stderr, "ivadogo segment: give -c CONFIG, or -i IMAGE... -m MODEL_DIR\n")
		return 2
	}
	cfg, err := config.Load(a.Config, a.Overrides())
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 1
	}
	paths, err := pipeline.Segment(cfg, o)
	if err != nil {
		fmt.Fprintf(stderr, "ivadogo segment: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%d predictions in %s/pred_masks\n", len(paths), cfg.PathOutput)
	return 0
}
