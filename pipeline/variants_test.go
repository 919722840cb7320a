package pipeline

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/pipeline/phantom"
)

// TestVariants trains briefly with each slice axis, with multichannel
// inputs and with two classes (cord and lesions), and checks that test
// runs through and finds the cord: the slice axis and the channel and
// class layouts must be undone correctly for the Dice to clear the bound.
func TestVariants(t *testing.T) {
	tests := []struct {
		name  string
		setup func(cfg *config.Config)
		// minDice bounds the cord's test Dice.
		minDice float64
		classes int
	}{
		{"sagittal", func(cfg *config.Config) { cfg.Loader.SliceAxis = "sagittal" }, 0.6, 1},
		{"coronal", func(cfg *config.Config) { cfg.Loader.SliceAxis = "coronal" }, 0.6, 1},
		{"multichannel", func(cfg *config.Config) {
			cfg.Loader.Multichannel = true
			// Channels in an order other than the files': the predictions
			// are still named after the subject's last file, T2w.
			cfg.Loader.ContrastParams.TrainingValidation = []string{"T2w", "T1w"}
			cfg.Loader.ContrastParams.Testing = []string{"T2w", "T1w"}
			// half as many samples as one image per contrast
			cfg.Training.TrainingTime.NumEpochs = 16
			cfg.Training.BatchSize = 4
		}, 0.6, 1},
		{"two classes", func(cfg *config.Config) {
			cfg.Loader.TargetSuffix = config.TargetSuffix{Classes: [][]string{{"_seg-manual"}, {"_lesion-manual"}}}
		}, 0.6, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := phantomConfig(t, t.TempDir(), phantom.Options{Subjects: 5, Contrasts: []string{"T1w", "T2w"}, Lesions: 2, Orientations: []string{"LPI", "RAS"}}, nil)
			cfg.Training.TrainingTime.NumEpochs = 8
			cfg.Training.BatchSize = 8
			cfg.Training.Scheduler.InitialLR = 0.003
			cfg.Postprocessing = nil
			tt.setup(cfg)
			te := trainThenTest(t, cfg)
			if _, ok := te.Rows[0].Get("dice_class" + string(rune('0'+tt.classes-1))); !ok {
				t.Errorf("no dice_class%d column", tt.classes-1)
			}
			t.Logf("cord test Dice %.3f over %d images", te.MeanDice, len(te.Rows))
			if !(te.MeanDice > tt.minDice) {
				t.Errorf("cord test Dice %.3f, want > %.2f", te.MeanDice, tt.minDice)
			}
			if tt.name == "multichannel" {
				for _, row := range te.Rows {
					if !strings.HasSuffix(row.ID, "_T2w") {
						t.Errorf("test prediction %s, want it named after the subject's T2w file", row.ID)
					}
				}
				// segment -c: one prediction per subject, named after its
				// first file (T1w), as ivadomed names them.
				paths, err := Segment(cfg, Options{})
				if err != nil {
					t.Fatal(err)
				}
				var names []string
				for _, p := range paths {
					names = append(names, filepath.Base(p))
				}
				want := []string{"sub-01_T1w_pred.nii.gz", "sub-02_T1w_pred.nii.gz", "sub-03_T1w_pred.nii.gz", "sub-04_T1w_pred.nii.gz", "sub-05_T1w_pred.nii.gz"}
				if !slices.Equal(names, want) {
					t.Errorf("segment -c wrote %q, want %q", names, want)
				}
			}
		})
	}
}

// TestTrainingOptions trains with the training-only options (balanced
// sampling, mixup, input dropout on multichannel inputs) and then
// retrains the model by transfer learning: each must run through and the
// model still learn the cord.
func TestTrainingOptions(t *testing.T) {
	dir := t.TempDir()
	cfg := e2eConfig(t, dir, 8)
	cfg.Loader.Multichannel = true
	cfg.Loader.IsInputDropout = true
	cfg.Training.BalanceSamples.Applied = true
	alpha := 0.3
	cfg.Training.MixupAlpha = &alpha
	cfg.Training.TrainingTime.NumEpochs = 16
	cfg.Training.BatchSize = 4
	if _, err := Train(cfg, Options{}); err != nil {
		t.Fatal(err)
	}
	te, err := Test(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("test Dice %.3f with balanced sampling, mixup and input dropout", te.MeanDice)
	if !(te.MeanDice > 0.5) {
		t.Errorf("test Dice %.3f, want > 0.5", te.MeanDice)
	}
	model := filepath.Join(cfg.PathOutput, cfg.ModelName)
	re := e2eConfig(t, t.TempDir(), 2)
	re.Loader.Multichannel = true
	re.Training.TransferLearning.RetrainModel = &model
	re.Training.TransferLearning.RetrainFraction = 0.3
	re.Training.TransferLearning.Reset = false
	if _, err := Train(re, Options{}); err != nil {
		t.Fatal(err)
	}
	te2, err := Test(re, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("test Dice %.3f after 2 epochs of fine-tuning", te2.MeanDice)
	if !(te2.MeanDice > 0.5) {
		t.Errorf("fine-tuned test Dice %.3f, want > 0.5 (the loaded weights must be kept)", te2.MeanDice)
	}
}
