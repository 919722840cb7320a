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

// segmentHelp follows segment's flags in its help: what it writes, and
// where a microscopy image's pixel size comes from.
const segmentHelp = `
Outputs (NIfTI in each input's own space, post-processed as the model's config says):
  segment -c CONFIG   <path_output>/pred_masks/<stem>_class-<i>_pred.nii.gz for each class
                      (ivadomed --segment's names, _class-0 for a one-class model), and
                      <stem>_pred.nii.gz with every class (4D, classes last, when several)
  segment -i IMG -m M <OUT>/<stem><SUFFIX>.nii.gz (4D when the model has several classes) and,
                      for several classes, <stem>_class-<i><SUFFIX>.nii.gz for each
  Microscopy images also get <stem>_class-<i><SUFFIX>.png per class (8-bit, value × 255).

Microscopy pixel size (PNG, TIFF, JPEG): from the image's BIDS sidecar ("PixelSize": [X, Y],
"PixelSizeUnits"), <stem>.json beside it or inherited in its dataset; where there is none,
from --pixel-size: 0.1 (micrometres), 0.1um, 100nm, 0.0001mm, or X,Y (0.1,0.2um).
`

// runSegment is "ivadogo segment -c CONFIG" (ivadomed --segment) or
// "ivadogo segment -i IMAGE... -m MODEL_DIR [-o OUT] [-s SUFFIX]
// [--pixel-size SIZE]" (ivadomed_segment_image; several -i files are the
// channels of one input).
func runSegment(args []string, stdout, stderr io.Writer) int {
	a, status := parseArgs("segment", args, stdout, stderr)
	if a == nil {
		if status == 0 { // help
			fmt.Fprint(stdout, segmentHelp)
		}
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
	if a.PixelSize != "" {
		ps, err := pipeline.ParsePixelSize(a.PixelSize)
		if err != nil {
			fmt.Fprintf(stderr, "ivadogo segment: --pixel-size: %v\n", err)
			return 2
		}
		o.PixelSize = &ps
	}
	if len(a.Images) > 0 {
		if a.Model == "" {
			fmt.Fprintf(stderr, "ivadogo segment: -i needs -m MODEL_DIR (the <path_output>/<model_name> folder train writes)\n")
			return 2
		}
		paths, err := pipeline.SegmentImages(a.Images, a.Model, a.Output, a.Suffix, o)
		if err != nil {
			fmt.Fprintf(stderr, "ivadogo segment: %v\n", err)
			return 1
		}
		for _, p := range paths {
			fmt.Fprintf(stdout, "%s\n", p)
		}
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
