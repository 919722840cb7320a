package pipeline_test

import (
	"fmt"
	"log"
	"os"

	"github.com/ivadogo/ivadogo/pipeline"
	"github.com/ivadogo/ivadogo/pipeline/config"
)

// The quickstart: a phantom dataset, a small 2D U-Net trained and tested
// on it, no data needed.
func ExampleQuickstart() {
	r, err := pipeline.Quickstart("ivadogo_quickstart", pipeline.Options{Log: os.Stdout})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("test Dice %.3f; model in %s\n", r.TestDice, r.Train.ModelDir)
}

// Train, test and segment with an ivadomed config, as ivadomed --train,
// --test and --segment do.
func ExampleTrain() {
	cfg, err := config.Load("config.json", config.Overrides{Command: "train"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := pipeline.Train(cfg, pipeline.Options{Log: os.Stdout}); err != nil {
		log.Fatal(err)
	}
	res, err := pipeline.Test(cfg, pipeline.Options{Log: os.Stdout})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("mean test Dice %.3f, metrics in %s\n", res.MeanDice, res.CSV)
}

// Segment one image with a trained model folder, as
// ivadomed_segment_image does.
func ExampleSegmentImages() {
	paths, err := pipeline.SegmentImages([]string{"sub-01_T2w.nii.gz"}, "output/my_model", "predictions", "_pred", pipeline.Options{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(paths[0]) // predictions/sub-01_T2w_pred.nii.gz (and, for several classes, one file per class)
}
