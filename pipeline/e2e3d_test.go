package pipeline

import (
	"path/filepath"
	"testing"

	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/pipeline/phantom"
)

// TestEndToEnd3D trains a Modified3DUNet on 3D patches of the phantom
// (patches smaller than the volume, so the sliding window overlaps and
// the last patch is flush with the end), tests it, and checks the Dice.
func TestEndToEnd3D(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "phantom")
	if _, err := phantom.Write(data, phantom.Options{Subjects: 5, Size: [3]int{48, 48, 16}, Contrasts: []string{"T2w"}, Orientations: []string{"RAS", "LPI"}}); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse([]byte(`{
		"command": "train",
		"path_output": "out",
		"model_name": "m3d",
		"loader_parameters": {
			"path_data": ["data"],
			"target_suffix": ["_seg-manual"],
			"contrast_params": {"training_validation": ["T2w"], "testing": ["T2w"]},
			"slice_filter_params": {"filter_empty_mask": false, "filter_empty_input": false}
		},
		"split_dataset": {"random_seed": 6, "train_fraction": 0.6, "test_fraction": 0.2},
		"training_parameters": {
			"batch_size": 4,
			"loss": {"name": "DiceLoss"},
			"training_time": {"num_epochs": 15, "early_stopping_patience": 50, "early_stopping_epsilon": 0.001},
			"scheduler": {"initial_lr": 0.003, "lr_scheduler": {"name": "CosineAnnealingLR"}}
		},
		"default_model": {"name": "Unet", "dropout_rate": 0.0, "bn_momentum": 0.1, "depth": 3, "is_2d": false},
		"Modified3DUNet": {"applied": true, "length_3D": [32, 32, 16], "stride_3D": [16, 16, 16], "attention": false, "n_filters": 8},
		"postprocessing": {"binarize_prediction": {"thr": 0.5}},
		"transformation": {"NormalizeInstance": {"applied_to": ["im"]}}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Apply(config.Overrides{Command: "train", PathData: []string{data}, PathOutput: filepath.Join(dir, "out")})
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if testing.Short() {
		// Two epochs check the plumbing; the Dice bound needs fifteen.
		cfg.Training.TrainingTime.NumEpochs = 2
	}
	tr, err := Train(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	te, err := Test(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("3D test Dice %.3f over %d images (%.2fs per epoch)", te.MeanDice, len(te.Rows), tr.SecondsPerEpoch)
	if len(te.Rows) != 1 {
		t.Errorf("%d test rows, want 1", len(te.Rows))
	}
	if !testing.Short() && !(te.MeanDice > 0.6) {
		t.Errorf("3D test Dice %.3f, want > 0.6", te.MeanDice)
	}
}
