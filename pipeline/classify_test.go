package pipeline

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/internal/testenv"
	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/pipeline/phantom"
	"github.com/ivadogo/ivadogo/pipeline/transforms"
)

// classifierConfig writes a phantom of 8 subjects and returns a config
// that trains model (resnet18 or densenet121) on its sagittal slices: the
// cord runs along the middle of the left-right axis, so slices near it
// hold cord voxels (label 1) and slices towards the sides hold none
// (label 0). With 5 subjects (3 for training) the test subject's accuracy
// after 8 epochs swung between 0.75 and 0.94 with the last bits of the
// convolutions' sums.
func classifierConfig(t *testing.T, dir, model string, epochs int) *config.Config {
	t.Helper()
	cfg := phantomConfig(t, dir, phantom.Options{Subjects: 8, Contrasts: []string{"T2w"}}, func(js string) string {
		js = strings.Replace(js, `"default_model"`, `"`+model+`": {"applied": true}, "default_model"`, 1)
		js = strings.Replace(js, `"name": "DiceLoss"`, `"name": "BinaryCrossEntropyLoss"`, 1)
		// No transform: the slice filter runs the classifier on slices as
		// read (as ivadomed's SliceFilter), so it is trained on them.
		return strings.Replace(js, `"NormalizeInstance": {"applied_to": ["im"]}`, ``, 1)
	})
	cfg.Loader.SliceAxis = "sagittal"
	cfg.Training.TrainingTime.NumEpochs = epochs
	cfg.Training.BatchSize = 8
	cfg.Training.Scheduler.InitialLR = 0.001
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestSliceLabels(t *testing.T) {
	// Two samples, one class, 2×2 planes: the first empty, the second
	// with one soft voxel.
	y := []float32{0, 0, 0, 0, 0, 0, 0.2, 0}
	got := sliceLabels(y, 2, 1)
	if len(got) != 2 || got[0] != 0 || got[1] != 1 {
		t.Errorf("sliceLabels = %v, want [0 1]", got)
	}
	b := &batch{n: 1, c: 1, h: 2, w: 3, x: []float32{1, 2, 3, 4, 5, 6}}
	padPlanes(b, 3, 4)
	want := []float32{1, 2, 3, 0, 4, 5, 6, 0, 0, 0, 0, 0}
	if b.h != 3 || b.w != 4 || len(b.x) != len(want) {
		t.Fatalf("padPlanes: %d×%d, %d values", b.h, b.w, len(b.x))
	}
	for i := range want {
		if b.x[i] != want[i] {
			t.Fatalf("padPlanes = %v, want %v", b.x, want)
		}
	}
}

// TestTrainClassifier trains resnet18 on the phantom's sagittal slices
// and checks that the validation labels hold both classes and that the
// model learns them: the per-slice Dice of validation (ivadomed's
// MetricManager on one value per slice: TP/(TP+FP+FN), slices both
// negative ignored) must beat what a constant model scores (0 for
// all-negative, the positive fraction for all-positive).
func TestTrainClassifier(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a classifier")
	}
	dir := t.TempDir()
	cfg := classifierConfig(t, dir, "resnet18", 8)
	var log bytes.Buffer
	tr, err := Train(cfg, Options{Log: &log})
	if err != nil {
		t.Fatalf("train: %v\n%s", err, log.String())
	}
	csv, err := os.ReadFile(filepath.Join(cfg.PathOutput, "training_metrics.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	if len(lines) != 9 {
		t.Fatalf("training_metrics.csv has %d lines, want 9:\n%s", len(lines), csv)
	}
	best := 0.0
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		d, err := strconv.ParseFloat(f[3], 64)
		if err == nil && d > best {
			best = d
		}
	}
	t.Logf("best epoch %d, val loss %.4f, best per-slice Dice %.3f\n%s", tr.BestEpoch, tr.BestValLoss, best, csv)
	if best < 0.8 {
		t.Errorf("best validation per-slice Dice %.3f, want ≥ 0.8\n%s", best, log.String())
	}

	// Test: per-slice predictions and metrics on the test subject, whose
	// slices hold both classes; a constant model's accuracy is the larger
	// class's fraction.
	res, err := Test(cfg, Options{Log: &log})
	if err != nil {
		t.Fatalf("test: %v\n%s", err, log.String())
	}
	if filepath.Base(res.CSV) != "evaluation_classification.csv" || len(res.Rows) != 1 {
		t.Fatalf("test wrote %s with %d rows", res.CSV, len(res.Rows))
	}
	get := func(name string) float64 {
		v, ok := res.Rows[0].Get(name)
		if !ok {
			t.Fatalf("no %s column in %v", name, res.Rows[0].Names)
		}
		return v
	}
	n, tp, fp, tn, fn := get("n_slices"), get("tp"), get("fp"), get("tn"), get("fn")
	if n != tp+fp+tn+fn || tp+fn == 0 || tn+fp == 0 {
		t.Fatalf("test slices %v: tp %v fp %v tn %v fn %v, want both classes", n, tp, fp, tn, fn)
	}
	majority := max(tp+fn, tn+fp) / n
	acc := get("accuracy")
	t.Logf("test: accuracy %.3f (constant model %.3f), precision %.3f, recall %.3f, specificity %.3f, F1 %.3f",
		acc, majority, get("precision"), get("recall"), get("specificity"), get("f1"))
	if acc < majority+(1-majority)/2 {
		t.Errorf("test accuracy %.3f, want ≥ %.3f (halfway from a constant model's %.3f to 1)", acc, majority+(1-majority)/2, majority)
	}
	if d := math.Abs(acc - (tp+tn)/n); d > 1e-12 {
		t.Errorf("accuracy %v is not (tp+tn)/n = %v", acc, (tp+tn)/n)
	}
	if res.Slices != int(n) || res.Accuracy != acc || res.MeanDice != get("f1") {
		t.Errorf("result: %d slices, accuracy %v, MeanDice %v; CSV: %v, %v, f1 %v", res.Slices, res.Accuracy, res.MeanDice, n, acc, get("f1"))
	}
	pred, err := os.ReadFile(filepath.Join(cfg.PathOutput, "results_eval", "pred_classification.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(pred), "\n"); got != int(n)+1 {
		t.Errorf("pred_classification.csv has %d lines, want a header and %v slices", got, n)
	}
	if m, _ := filepath.Glob(filepath.Join(cfg.PathOutput, "pred_masks", "*")); len(m) != 0 {
		t.Errorf("a classifier's test wrote masks: %v", m)
	}

	// The slice filter with this classifier keeps the test subject's cord
	// slices and drops the others.
	seg := *cfg
	seg.Loader.SliceFilterParams.FilterClassification = true
	seg.Loader.SliceFilterParams.ClassifierPath = &tr.ModelDir
	f, err := frame(&seg, "test", false)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := split(&seg, f, true)
	if err != nil {
		t.Fatal(err)
	}
	pairs, err := f.Pairs(sp.Test, false)
	if err != nil {
		t.Fatal(err)
	}
	tl, err := transformList(&seg)
	if err != nil {
		t.Fatal(err)
	}
	all, err := newSlices2D(pairs, cfg, tl, "testing", false, 1<<26)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := newSlices2D(pairs, &seg, tl, "testing", false, 1<<26)
	if err != nil {
		t.Fatal(err)
	}
	// Labels of the slices kept, by classifySet (the predictions are
	// not used).
	mod, _, err := buildModel(cfg, "train")
	if err != nil {
		t.Fatal(err)
	}
	_, gtAll, err := predictSlices(mod, classifySet{all}, 16, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	_, gtKept, err := predictSlices(mod, classifySet{kept}, 16, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	pos := func(g []float32) (n int) {
		for _, v := range g {
			if v > 0 {
				n++
			}
		}
		return n
	}
	t.Logf("slice filter: kept %d of %d slices (%d of %d with cord)", len(gtKept), len(gtAll), pos(gtKept), pos(gtAll))
	if len(gtKept) == 0 || len(gtKept) >= len(gtAll) || float64(pos(gtKept)) < 0.9*float64(len(gtKept)) || float64(pos(gtKept)) < 0.7*float64(pos(gtAll)) {
		t.Errorf("slice filter kept %d of %d slices, %d of them with cord (of %d): want most cord slices and few others", len(gtKept), len(gtAll), pos(gtKept), pos(gtAll))
	}

	// End to end: a U-Net trains on the slices the filter keeps.
	seg.ResNet18 = nil
	seg.PathOutput = filepath.Join(dir, "seg")
	seg.Training.TrainingTime.NumEpochs = 1
	var segLog bytes.Buffer
	if _, err := Train(&seg, Options{Log: &segLog}); err != nil {
		t.Fatalf("train with the slice filter: %v\n%s", err, segLog.String())
	}
	var nTrain, nTrainSlices, nValid, nValidSlices int
	for _, l := range strings.Split(segLog.String(), "\n") {
		if strings.HasPrefix(l, "train: ") {
			fmt.Sscanf(l, "train: %d images, %d slices; validation: %d images, %d slices", &nTrain, &nTrainSlices, &nValid, &nValidSlices)
		}
	}
	t.Logf("train with the slice filter: %d training, %d validation slices kept of %d and %d", nTrainSlices, nValidSlices, 32*nTrain, 32*nValid)
	if nTrain != len(sp.Train) || nValid != len(sp.Valid) || nTrainSlices == 0 || nTrainSlices >= 32*nTrain || nValidSlices == 0 || nValidSlices >= 32*nValid {
		t.Errorf("train with the slice filter: %d images, %d slices; validation %d images, %d slices; want %d and %d images and some of their 32 slices each\n%s",
			nTrain, nTrainSlices, nValid, nValidSlices, len(sp.Train), len(sp.Valid), segLog.String())
	}
}

// TestClassifierRefusals checks that what a classifier cannot run as
// ivadomed runs it fails at once, naming the key.
func TestClassifierRefusals(t *testing.T) {
	cfg := classifierConfig(t, t.TempDir(), "densenet121", 1)
	if _, _, err := buildModel(cfg, "train"); err != nil {
		t.Fatalf("densenet121 for train: %v", err)
	}
	if _, _, err := buildModel(cfg, "segment"); err == nil || !strings.Contains(err.Error(), "not implemented yet: segment with classifier densenet121") {
		t.Errorf("segment: %v", err)
	}
	cfg.Loader.Multichannel = true
	if _, _, err := buildModel(cfg, "train"); err == nil || !strings.Contains(err.Error(), "loader_parameters.multichannel") {
		t.Errorf("multichannel: %v", err)
	}
	cfg.Loader.Multichannel = false
	if _, err := Train(cfg, Options{GIF: 1}); err == nil || !strings.Contains(err.Error(), "-g") {
		t.Errorf("train -g: %v", err)
	}
}

// TestReferenceClassificationConfig runs ivadomed's config_classification.json
// (resnet18 on lesion labels, Resample, ROICrop 48² around the cord,
// RandomAffine, ElasticTransform, CyclicLR) on a phantom with lesions for
// two epochs, train then test, and densenet121 for one epoch: both
// classifiers run through the whole loader.
func TestReferenceClassificationConfig(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "phantom")
	if _, err := phantom.Write(data, phantom.Options{Subjects: 8, Contrasts: []string{"T2w"}, Lesions: 3}); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.ReadFile(filepath.Join(testenv.Shared(t), "reference", "ivadomed-configs", "config_classification.json"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Apply(config.Overrides{Command: "train", PathData: []string{data}, PathOutput: filepath.Join(dir, "out")})
	cfg.Loader.ContrastParams.TrainingValidation = []string{"T2w"}
	cfg.Loader.ContrastParams.Testing = []string{"T2w"}
	cfg.Training.TrainingTime.NumEpochs = 2
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	if _, err := Train(cfg, Options{Log: &log}); err != nil {
		t.Fatalf("train: %v\n%s", err, log.String())
	}
	res, err := Test(cfg, Options{Log: &log})
	if err != nil {
		t.Fatalf("test: %v\n%s", err, log.String())
	}
	r := res.Rows[0]
	n, _ := r.Get("n_slices")
	tp, _ := r.Get("tp")
	fp, _ := r.Get("fp")
	tn, _ := r.Get("tn")
	fn, _ := r.Get("fn")
	if n == 0 || tp+fp+tn+fn != n {
		t.Errorf("test counts %v over %v slices", r.Values, n)
	}
	d := classifierConfig(t, filepath.Join(dir, "densenet"), "densenet121", 1)
	log.Reset()
	if _, err := Train(d, Options{Log: &log}); err != nil {
		t.Fatalf("densenet121: %v\n%s", err, log.String())
	}
}

// uncroppedLabels is a set of 2D slices whose labels stayed at the
// source's size while the images were cropped, as ivadomed's
// config_classification.json leaves gt out of Resample and ROICrop.
type uncroppedLabels struct{ sampleSet }

func (uncroppedLabels) size() int { return 3 }

func (uncroppedLabels) drawAt(i int, _ *rand.Rand, _ bool) (*transforms.Sample, *transforms.Record, error) {
	gt := make([]float32, 40*50)
	if i != 1 {
		gt[40*50-1] = 1 // outside the image's 8×8 crop
	}
	return &transforms.Sample{
		Im: transforms.Part{Data: [][]float32{make([]float32, 8*8)}, Shape: [3]int{8, 8, 1}},
		GT: transforms.Part{Data: [][]float32{gt}, Shape: [3]int{40, 50, 1}},
	}, nil, nil
}

func (uncroppedLabels) assemble(ss []*transforms.Sample, mult int) *batch {
	return assemble(ss, 1, mult, false)
}

func (uncroppedLabels) cond(int, int, *rand.Rand) sampleCond { return sampleCond{} }

// TestClassifierUncroppedLabels checks that a classifier's label is the
// slice's class whatever the label's size: a lesion outside the cropped
// image still makes the slice positive, and nothing is pasted out of
// bounds (this panicked).
func TestClassifierUncroppedLabels(t *testing.T) {
	stop := make(chan struct{})
	defer close(stop)
	var got []float32
	for b := range batches(classifySet{uncroppedLabels{}}, identity(3), 3, 1, 0, 1, 1, false, 1, stop) {
		if b.err != nil {
			t.Fatal(b.err)
		}
		if b.h < classifierMinSize || len(b.x) != 3*b.h*b.w {
			t.Errorf("batch of %d×%d images, %d values", b.h, b.w, len(b.x))
		}
		got = append(got, b.y...)
	}
	if want := []float32{1, 0, 1}; !slices.Equal(got, want) {
		t.Errorf("slice labels %v, want %v", got, want)
	}
}
