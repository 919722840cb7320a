package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/nifti"
	"github.com/ivadogo/ivadogo/nn/safetensors"
	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/pipeline/phantom"
)

// e2eConfig writes a small phantom (files in three orientations, so that
// reorientation to RAS and back is exercised) and returns the quickstart
// config set to train on it for epochs epochs, without dropout so that a
// resumed run can be compared bit for bit with an uninterrupted one.
func e2eConfig(t *testing.T, dir string, epochs int) *config.Config {
	t.Helper()
	cfg := phantomConfig(t, dir, phantom.Options{Subjects: 5, Contrasts: []string{"T1w", "T2w"}, Orientations: []string{"RAS", "LPI", "PIR"}}, nil)
	cfg.Training.TrainingTime.NumEpochs = epochs
	cfg.Training.BatchSize = 8
	cfg.Training.Scheduler.InitialLR = 0.003
	cfg.DefaultModel.Set("dropout_rate", 0.0)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// phantomConfig writes a phantom of po into dir/phantom and returns the
// quickstart config, edited by edit when not nil, set to read it (its
// contrasts for training and testing) and to write into dir/out.
func phantomConfig(t *testing.T, dir string, po phantom.Options, edit func(js string) string) *config.Config {
	t.Helper()
	data := filepath.Join(dir, "phantom")
	if _, err := phantom.Write(data, po); err != nil {
		t.Fatal(err)
	}
	js := string(phantom.QuickstartJSON())
	if edit != nil {
		js = edit(js)
	}
	cfg, err := config.Parse([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Apply(config.Overrides{Command: "train", PathData: []string{data}, PathOutput: filepath.Join(dir, "out")})
	cfg.Loader.ContrastParams.TrainingValidation = po.Contrasts
	cfg.Loader.ContrastParams.Testing = po.Contrasts
	return cfg
}

// trainThenTest validates cfg, trains it and tests the trained model.
func trainThenTest(t *testing.T, cfg *config.Config) *TestResult {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := Train(cfg, Options{}); err != nil {
		t.Fatalf("train: %v", err)
	}
	te, err := Test(cfg, Options{})
	if err != nil {
		t.Fatalf("test: %v", err)
	}
	return te
}

// TestEndToEnd trains on the phantom, tests, segments, and checks the
// outputs: the folder layout, predictions on their source's grid and
// affine in any orientation, and a test Dice that a pipeline with
// misaligned labels, a wrong orientation or a model that does not learn
// cannot reach.
func TestEndToEnd(t *testing.T) {
	dir := t.TempDir()
	cfg := e2eConfig(t, dir, 8)
	cfg.GPUIDs = []int{0} // no CUDA here: each command says so once
	const cpuOnly = "gpu_ids [0]: this build has no CUDA; running on the CPU"
	var log bytes.Buffer
	tr, err := Train(cfg, Options{Log: &log})
	if err != nil {
		t.Fatalf("train: %v\n%s", err, log.String())
	}
	if n := strings.Count(log.String(), cpuOnly); n != 1 {
		t.Errorf("train's log says %d times %q, want once", n, cpuOnly)
	}
	if tr.Epochs != 8 || tr.BestEpoch < 1 {
		t.Errorf("train ran %d epochs, best %d; want 8 and a best epoch", tr.Epochs, tr.BestEpoch)
	}
	for _, f := range []string{"config_file.json", "split_datasets.json", "bids_dataframe.csv", "log", "training_metrics.csv",
		"checkpoint.safetensors", "best_model.safetensors", "final_model.safetensors", "training_curves.png", "version_info.log",
		"quickstart_unet2d/quickstart_unet2d.safetensors", "quickstart_unet2d/quickstart_unet2d.json"} {
		if _, err := os.Stat(filepath.Join(cfg.PathOutput, f)); err != nil {
			t.Errorf("output folder: %v", err)
		}
	}
	if ev, _ := filepath.Glob(filepath.Join(cfg.PathOutput, "events.out.tfevents.*")); len(ev) != 1 {
		t.Errorf("%d TensorBoard event files, want 1", len(ev))
	}
	csv, _ := os.ReadFile(filepath.Join(cfg.PathOutput, "training_metrics.csv"))
	if n := strings.Count(string(csv), "\n"); n != 9 {
		t.Errorf("training_metrics.csv has %d lines, want a header and 8 epochs:\n%s", n, csv)
	}
	thr, err := ThresholdAnalysis(cfg, 0.1, Options{Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if !(thr.Best > 0 && thr.Best < 1) || len(thr.Dice) != 9 {
		t.Errorf("threshold sweep: best %v over %d thresholds, want in (0, 1) over 9", thr.Best, len(thr.Dice))
	}
	for _, p := range []string{filepath.Join(cfg.PathOutput, "config_file.json"), filepath.Join(tr.ModelDir, "quickstart_unet2d.json")} {
		saved, err := config.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := saved.Postprocessing.Get("binarize_prediction").(*config.BinarizePrediction); b == nil || b.Thr != thr.Best {
			t.Errorf("%s: binarize_prediction %+v, want thr %v", p, b, thr.Best)
		}
	}
	log.Reset()
	te, err := Test(cfg, Options{Log: &log})
	if err != nil {
		t.Fatalf("test: %v", err)
	}
	if n := strings.Count(log.String(), cpuOnly); n != 1 {
		t.Errorf("test's log says %d times %q, want once", n, cpuOnly)
	}
	t.Logf("threshold %v; test Dice %.3f over %d images (train %.1fs/epoch)", thr.Best, te.MeanDice, len(te.Rows), tr.SecondsPerEpoch)
	if !(te.MeanDice > 0.75) {
		t.Errorf("test Dice %.3f, want > 0.75\n%s", te.MeanDice, log.String())
	}
	if _, err := os.Stat(te.CSV); err != nil {
		t.Error(err)
	}
	// Every prediction lies on its source's grid.
	for _, row := range te.Rows {
		pred, err := nifti.Read(filepath.Join(te.PredDir, row.ID+"_pred.nii.gz"))
		if err != nil {
			t.Fatal(err)
		}
		sub, _, _ := strings.Cut(row.ID, "_")
		src, err := nifti.Read(filepath.Join(cfg.Loader.PathData[0], sub, "anat", row.ID+".nii.gz"))
		if err != nil {
			t.Fatal(err)
		}
		if pred.Header.Affine() != src.Header.Affine() || !equalInts(pred.Shape, src.Shape) {
			t.Errorf("%s: prediction affine %v shape %v, want the source's %v %v", row.ID, pred.Header.Affine(), pred.Shape, src.Header.Affine(), src.Shape)
		}
	}
	// segment -i on a test image gives the same file as test.
	row := te.Rows[0]
	sub, _, _ := strings.Cut(row.ID, "_")
	img := filepath.Join(cfg.Loader.PathData[0], sub, "anat", row.ID+".nii.gz")
	out, err := segmentFirst([]string{img}, tr.ModelDir, filepath.Join(dir, "seg"), "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := nifti.Read(out)
	b, _ := nifti.Read(filepath.Join(te.PredDir, row.ID+"_pred.nii.gz"))
	if a == nil || b == nil || !equalFloats(a.Data, b.Data) {
		t.Errorf("segment -i %s differs from test's prediction", img)
	}
	// segment -c covers every image of the dataset, labels or not.
	log.Reset()
	paths, err := Segment(cfg, Options{Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(log.String(), cpuOnly); n != 1 {
		t.Errorf("segment's log says %d times %q, want once", n, cpuOnly)
	}
	if len(paths) != 10 {
		t.Errorf("segment -c wrote %d predictions, want 10 (5 subjects × 2 contrasts)", len(paths))
	}
}

// TestResume stops a training after two epochs, as a kill after the
// checkpoint would, resumes it, and compares the final weights and the
// per-epoch CSV with an uninterrupted run's. The kernels keep their
// default worker count: results do not depend on it (TestWorkerCountReproducible), so the
// two runs must agree bit for bit however the pieces are scheduled.
func TestResume(t *testing.T) {
	const epochs = 3
	// With dropout the checkpoint must also carry the dropout layers'
	// random state, or the resumed run draws other masks.
	for _, dropout := range []float64{0, 0.3} {
		t.Run(fmt.Sprintf("dropout %g", dropout), func(t *testing.T) {
			mk := func() *config.Config {
				c := e2eConfig(t, t.TempDir(), epochs)
				c.DefaultModel.Set("dropout_rate", dropout)
				return c
			}
			full := mk()
			if _, err := Train(full, Options{}); err != nil {
				t.Fatal(err)
			}
			cut := mk()
			r, err := Train(cut, Options{StopAfterEpochs: 2})
			if err != nil {
				t.Fatal(err)
			}
			if r.Epochs != 2 {
				t.Fatalf("interrupted run did %d epochs, want 2", r.Epochs)
			}
			if _, err := Train(cut, Options{Resume: true}); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{"final_model.safetensors", "best_model.safetensors"} {
				a, _ := os.ReadFile(filepath.Join(full.PathOutput, f))
				b, _ := os.ReadFile(filepath.Join(cut.PathOutput, f))
				if len(a) == 0 || !bytes.Equal(a, b) {
					t.Errorf("%s of the resumed run differs from the uninterrupted run's", f)
				}
			}
			a := csvLosses(t, filepath.Join(full.PathOutput, "training_metrics.csv"))
			b := csvLosses(t, filepath.Join(cut.PathOutput, "training_metrics.csv"))
			if strings.Join(a, "\n") != strings.Join(b, "\n") {
				t.Errorf("per-epoch losses differ:\nfull:\n%s\nresumed:\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
			}
		})
	}
}

// csvLosses returns the CSV's lines without the timing column.
func csvLosses(t *testing.T, path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		out = append(out, l[:strings.LastIndex(l, ",")])
	}
	return out
}

// TestNaNLoss resumes a training from a checkpoint whose weights hold a
// NaN: training must stop with an error naming the epoch and batch and
// leave the checkpoint as it was.
func TestNaNLoss(t *testing.T) {
	cfg := e2eConfig(t, t.TempDir(), 3)
	if _, err := Train(cfg, Options{StopAfterEpochs: 1}); err != nil {
		t.Fatal(err)
	}
	ckpt := filepath.Join(cfg.PathOutput, checkpointName)
	f, err := safetensors.ReadFile(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	name := "model.conv_final.weight"
	if _, ok := f.Tensors[name]; !ok {
		name = ""
		for _, n := range f.Names {
			if strings.HasPrefix(n, "model.") && strings.HasSuffix(n, ".weight") {
				name = n
				break
			}
		}
	}
	w, err := f.Tensors[name].AsFloat32()
	if err != nil {
		t.Fatal(err)
	}
	w[0] = float32(math.NaN())
	f.Add(name, safetensors.Float32(f.Tensors[name].Shape, w))
	if err := f.WriteFile(ckpt); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(ckpt)
	_, err = Train(cfg, Options{Resume: true})
	if !errors.Is(err, ErrNaNLoss) {
		t.Fatalf("training from NaN weights: error %v, want ErrNaNLoss", err)
	}
	if !strings.Contains(err.Error(), "epoch 2, batch 1 of") {
		t.Errorf("error %q does not name epoch 2, batch 1", err)
	}
	after, _ := os.ReadFile(ckpt)
	if !bytes.Equal(before, after) {
		t.Error("the checkpoint changed after the NaN loss")
	}
}

// TestNaNInput checks that a NaN voxel in an image is reported with the
// file's name before any training.
func TestNaNInput(t *testing.T) {
	cfg := e2eConfig(t, t.TempDir(), 1)
	m := filepath.Join(cfg.Loader.PathData[0], "sub-02", "anat", "sub-02_T1w.nii.gz")
	img, err := nifti.Read(m)
	if err != nil {
		t.Fatal(err)
	}
	img.Data[0] = float32(math.NaN())
	if err := nifti.Write(m, nifti.NewLike(img, img.Data, img.Shape, nifti.Float32)); err != nil {
		t.Fatal(err)
	}
	_, err = Train(cfg, Options{})
	if err == nil || !strings.Contains(err.Error(), "sub-02_T1w.nii.gz") || !strings.Contains(err.Error(), "NaN") {
		t.Errorf("error %v, want one naming sub-02_T1w.nii.gz and NaN", err)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func equalFloats(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestUncertainty tests with Monte-Carlo dropout and with test-time
// augmentation: the uncertainty maps are written on the source's grid, the
// soft prediction lies in [0, 1], and the voxel entropy is zero where
// every pass agrees with certainty and positive somewhere.
func TestUncertainty(t *testing.T) {
	cfg := e2eConfig(t, t.TempDir(), 2)
	cfg.DefaultModel.Set("dropout_rate", 0.3)
	if _, err := Train(cfg, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"epistemic", "aleatoric"} {
		t.Run(mode, func(t *testing.T) {
			c := *cfg
			c.Uncertainty = config.Uncertainty{Epistemic: mode == "epistemic", Aleatoric: mode == "aleatoric", NIt: 3}
			if mode == "aleatoric" {
				tr, err := config.Parse([]byte(`{"transformation": {"RandomAffine": {"degrees": 10, "dataset_type": ["training"]}, "NormalizeInstance": {"applied_to": ["im"]}}}`))
				if err != nil {
					t.Fatal(err)
				}
				c.Transformation = tr.Transformation
			}
			te, err := Test(&c, Options{})
			if err != nil {
				t.Fatal(err)
			}
			id := te.Rows[0].ID
			src, _ := nifti.Read(filepath.Join(te.PredDir, id+"_pred.nii.gz"))
			for _, suffix := range []string{"_soft", "_unc-vox", "_unc-iou", "_unc-cv", "_unc-avgUnc"} {
				m, err := nifti.Read(filepath.Join(te.PredDir, id+suffix+".nii.gz"))
				if err != nil {
					t.Fatal(err)
				}
				if m.Header.Affine() != src.Header.Affine() || !equalInts(m.Shape, src.Shape) {
					t.Errorf("%s%s is not on the prediction's grid", id, suffix)
				}
				lo, hi := float32(math.Inf(1)), float32(math.Inf(-1))
				for _, v := range m.Data {
					lo, hi = min(lo, v), max(hi, v)
				}
				if suffix == "_soft" && (lo < 0 || hi > 1) {
					t.Errorf("soft prediction in [%v, %v], want within [0, 1]", lo, hi)
				}
				if suffix == "_unc-vox" && !(lo >= 0 && hi > 0) {
					t.Errorf("voxel entropy in [%v, %v], want ≥ 0 and positive somewhere", lo, hi)
				}
			}
		})
	}
}

// TestROICropTestAndSegment trains a lesion model on crops around the
// cord (roi_params with ROICrop, as ivadomed's config_sctTesting.json),
// then tests it, where each test image is cropped around its own cord
// label and slice_filter_roi leaves out the slices with too little of it
// (test failed: "ROICrop needs an ROI"), and segments, where there is no
// ROI and ROICrop becomes a CenterCrop of its size with a warning, as in
// ivadomed's segment_volume.
func TestROICropTestAndSegment(t *testing.T) {
	cfg := phantomConfig(t, t.TempDir(), phantom.Options{Subjects: 5, Contrasts: []string{"T2w"}, Lesions: 2}, func(js string) string {
		return strings.Replace(js, `"NormalizeInstance": {"applied_to": ["im"]}`,
			`"ROICrop": {"size": [24, 24], "applied_to": ["im", "gt", "roi"]}, "NormalizeInstance": {"applied_to": ["im"]}`, 1)
	})
	cfg.Loader.TargetSuffix = config.TargetSuffix{Classes: [][]string{{"_lesion-manual"}}}
	roi, one := "_seg-manual", 1
	cfg.Loader.ROIParams = config.ROIParams{Suffix: &roi, SliceFilterROI: &one}
	cfg.Training.TrainingTime.NumEpochs = 2
	te := trainThenTest(t, cfg)
	if len(te.Rows) == 0 {
		t.Fatal("test predicted nothing")
	}
	// With a threshold no slice reaches, every test slice is left out and
	// predicted as nothing: test reads each image's ROI.
	many := 1 << 20
	cfg.Loader.ROIParams.SliceFilterROI = &many
	te, err := Test(cfg, Options{})
	if err != nil {
		t.Fatalf("test, every slice filtered: %v", err)
	}
	for _, row := range te.Rows {
		pred, err := nifti.Read(filepath.Join(te.PredDir, row.ID+"_pred.nii.gz"))
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(pred.Data, func(v float32) bool { return v != 0 }) {
			t.Errorf("%s: slices under slice_filter_roi predicted something", row.ID)
		}
	}
	var log bytes.Buffer
	if _, err := Segment(cfg, Options{Log: &log}); err != nil {
		t.Fatalf("segment: %v", err)
	}
	if n := strings.Count(log.String(), "CenterCrop of the same size"); n != 1 {
		t.Errorf("segment said %d times that it crops around the centre, want once:\n%s", n, log.String())
	}
}
