package pipeline

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/nifti"
	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/pipeline/transforms"
)

// TestCascade trains a cord finder, then a second model on the images
// cropped to the box the finder draws around the cord (safety factor
// 1.5): the second model's samples must be smaller than the slices and
// hold every labelled voxel, and its test predictions, pasted back into
// the whole image, must reach the Dice of a whole-image model.
func TestCascade(t *testing.T) {
	dir := t.TempDir()
	first := e2eConfig(t, filepath.Join(dir, "a"), 4)
	var log bytes.Buffer
	tr, err := Train(first, Options{Log: &log})
	if err != nil {
		t.Fatalf("train the detection model: %v\n%s", err, log.String())
	}
	cfg := e2eConfig(t, filepath.Join(dir, "b"), 6)
	cfg.ObjectDetection.ObjectDetectionPath = &tr.ModelDir
	cfg.ObjectDetection.SafetyFactor = []float64{1.5, 1.5, 1.5}
	// A BoundingBoxCrop in the config, where ivadomed's cascade puts one,
	// changes nothing: the cascade crops to its box itself.
	cfg.Transformation = append(config.Transformation{{Name: "BoundingBoxCrop", Params: &config.BoundingBoxCrop{Size: []int{16, 16}}}}, cfg.Transformation...)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	whole := trainSet2D(t, first)
	d := trainSet2D(t, cfg)
	if len(d.boxes) == 0 {
		t.Fatal("no bounding box: the cascade is not applied")
	}
	fg := func(set *slices2D) (n float64) {
		for i := range set.size() {
			s, _, err := set.drawAt(i, sampleRand(1, 1, i), false)
			if err != nil {
				t.Fatal(err)
			}
			if set == d && (s.Im.Shape[0] >= 32 || s.Im.Shape[1] >= 32) {
				t.Fatalf("sample %d of shape %v: not cropped (slices are 32×32)", i, s.Im.Shape)
			}
			for _, v := range s.GT.Data[0] {
				n += float64(v)
			}
		}
		return n
	}
	if a, b := fg(whole), fg(d); a != b {
		t.Errorf("the cropped samples hold %v labelled voxels, the whole slices %v", b, a)
	}
	if _, err := Train(cfg, Options{Log: &log}); err != nil {
		t.Fatalf("train the second model: %v\n%s", err, log.String())
	}
	te, err := Test(cfg, Options{Log: &log})
	if err != nil {
		t.Fatalf("test: %v\n%s", err, log.String())
	}
	t.Logf("cascade test Dice %.3f over %d images", te.MeanDice, len(te.Rows))
	if !(te.MeanDice > 0.75) {
		t.Errorf("cascade test Dice %.3f, want > 0.75", te.MeanDice)
	}
	checkCascadePredictions(t, cfg, te, dir)
}

// checkCascadePredictions checks that the test predictions of a cascade's
// second model cover the whole 32×32×16 phantom images, and that segment
// -i with the model's folder (which runs the cascade too) gives the same.
func checkCascadePredictions(t *testing.T, cfg *config.Config, te *TestResult, dir string) {
	t.Helper()
	for _, row := range te.Rows {
		pred, err := nifti.Read(filepath.Join(te.PredDir, row.ID+"_pred.nii.gz"))
		if err != nil {
			t.Fatal(err)
		}
		if n := len(pred.Data); n != 32*32*16 {
			t.Errorf("%s: prediction of %d voxels, want the whole 32×32×16 image", row.ID, n)
		}
		sub, _, _ := strings.Cut(row.ID, "_")
		out, err := segmentFirst([]string{filepath.Join(cfg.Loader.PathData[0], sub, "anat", row.ID+".nii.gz")}, filepath.Join(cfg.PathOutput, cfg.ModelName), filepath.Join(dir, "seg"), "", Options{})
		if err != nil {
			t.Fatal(err)
		}
		seg, _ := nifti.Read(out)
		if seg == nil || !equalFloats(seg.Data, pred.Data) {
			t.Errorf("segment -i %s differs from test's prediction", row.ID)
		}
	}
}

// TestCascadeBox checks the box arithmetic: enlargement about the centre
// clipped to the grid, and a crop pasted back in place.
func TestCascadeBox(t *testing.T) {
	sh := [3]int{10, 8, 6}
	if b := enlarge([3]int{2, 0, 1}, [3]int{6, 4, 5}, sh, [3]float64{1.5, 1.5, 1}); b != (box{{1, 7}, {0, 5}, {1, 5}}) {
		t.Errorf("enlarge: %v, want [[1 7] [0 5] [1 5]]", b)
	}
	v := &volume{shape: sh, data: make([]float32, 10*8*6)}
	for i := range v.data {
		v.data[i] = float32(i + 1)
	}
	b := box{{1, 7}, {2, 5}, {0, 6}}
	c := cropVolumes([]*volume{v}, b)[0]
	if c.shape != b.size() || c.data[0] != v.data[(1*8+2)*6] {
		t.Fatalf("crop: shape %v, first voxel %v; want %v and %v", c.shape, c.data[0], b.size(), v.data[(1*8+2)*6])
	}
	back := paste([][]float32{c.data}, b, sh)[0]
	for x := range 10 {
		for y := range 8 {
			for z := range 6 {
				i := (x*8+y)*6 + z
				in := x >= 1 && x < 7 && y >= 2 && y < 5
				if want := map[bool]float32{true: v.data[i], false: 0}[in]; back[i] != want {
					t.Fatalf("paste: voxel (%d,%d,%d) = %v, want %v", x, y, z, back[i], want)
				}
			}
		}
	}
}

// TestCascade3D runs the cascade with a 3D second model: a 2D cord finder
// draws the box, and a Modified3DUNet trains on 3D patches of the cropped
// volumes. Its training volumes must be smaller than the images and hold
// every labelled voxel, and test and segment -i must paste its
// predictions back into the whole image. Short mode trains the second
// model two epochs (plumbing only); the full test also bounds the Dice.
func TestCascade3D(t *testing.T) {
	dir := t.TempDir()
	first := e2eConfig(t, filepath.Join(dir, "a"), 4)
	var log bytes.Buffer
	tr, err := Train(first, Options{Log: &log})
	if err != nil {
		t.Fatalf("train the detection model: %v\n%s", err, log.String())
	}
	data := e2eConfig(t, filepath.Join(dir, "b"), 1).Loader.PathData
	cfg, err := config.Parse([]byte(`{
		"command": "train", "path_output": "out", "model_name": "m3d",
		"loader_parameters": {
			"path_data": ["data"], "target_suffix": ["_seg-manual"],
			"contrast_params": {"training_validation": ["T1w", "T2w"], "testing": ["T1w", "T2w"]},
			"slice_filter_params": {"filter_empty_mask": false, "filter_empty_input": false}
		},
		"split_dataset": {"random_seed": 6, "train_fraction": 0.6, "test_fraction": 0.2},
		"training_parameters": {"batch_size": 4, "loss": {"name": "DiceLoss"}, "training_time": {"num_epochs": 40, "early_stopping_patience": 50},
			"scheduler": {"initial_lr": 0.01, "lr_scheduler": {"name": "CosineAnnealingLR"}}},
		"default_model": {"name": "Unet", "dropout_rate": 0.0, "bn_momentum": 0.1, "depth": 3, "is_2d": false},
		"Modified3DUNet": {"applied": true, "length_3D": [32, 32, 16], "stride_3D": [16, 16, 16], "n_filters": 4},
		"object_detection_params": {"safety_factor": [1.5, 1.5, 1.5]},
		"postprocessing": {"binarize_prediction": {"thr": 0.5}},
		"transformation": {"NormalizeInstance": {"applied_to": ["im"]}}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Apply(config.Overrides{Command: "train", PathData: data, PathOutput: filepath.Join(dir, "b", "out")})
	cfg.ObjectDetection.ObjectDetectionPath = &tr.ModelDir
	if testing.Short() {
		cfg.Training.TrainingTime.NumEpochs = 2
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := cfg.CheckFeatures(Built); err != nil {
		t.Fatalf("a 3D cascade is refused: %v", err)
	}

	pairs, tl := trainPairs(t, cfg)
	mp, _, _ := cfg.ModelParams()
	d, err := newPatches3D(pairs, cfg, mp, tl, transforms.Training, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.boxes) != len(pairs) {
		t.Fatalf("%d boxes for %d volumes: the cascade is not applied", len(d.boxes), len(pairs))
	}
	whole := trainSet2D(t, first)
	var wholeFG, boxFG float64
	for i := range whole.size() {
		s, _, err := whole.drawAt(i, sampleRand(1, 1, i), false)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range s.GT.Data[0] {
			wholeFG += float64(v)
		}
	}
	for i := range pairs {
		ps, err := d.load(i)
		if err != nil {
			t.Fatal(err)
		}
		s := ps.slices[0]
		if b := d.boxes[i].size(); b[0] >= 32 && b[1] >= 32 {
			t.Errorf("volume %d: box %v, not cropped (images are 32×32×16)", i, b)
		}
		for _, v := range s.GT.Data[0] {
			boxFG += float64(v)
		}
	}
	if wholeFG != boxFG {
		t.Errorf("the cropped volumes hold %v labelled voxels, the whole images %v", boxFG, wholeFG)
	}

	if _, err := Train(cfg, Options{Log: &log}); err != nil {
		t.Fatalf("train the 3D model: %v\n%s", err, log.String())
	}
	te, err := Test(cfg, Options{Log: &log})
	if err != nil {
		t.Fatalf("test: %v\n%s", err, log.String())
	}
	t.Logf("3D cascade test Dice %.3f over %d images", te.MeanDice, len(te.Rows))
	if !testing.Short() && !(te.MeanDice > 0.6) {
		t.Errorf("3D cascade test Dice %.3f, want > 0.6", te.MeanDice)
	}
	checkCascadePredictions(t, cfg, te, dir)
}
