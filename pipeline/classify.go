package pipeline

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/nn"
	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/pipeline/metrics"
	"github.com/ivadogo/ivadogo/pipeline/transforms"
	"github.com/ivadogo/ivadogo/tensor"
)

// classifierMinSize is the smallest slice side the classifiers take: both
// divide their input by 32 (DenseNet121's last transition pools a 2×2 map,
// which a smaller input leaves empty).
const classifierMinSize = 32

// checkClassifier refuses what a classifier cannot run as ivadomed runs
// it: its first convolution takes one channel (torchvision's, hard-coded
// by ivadomed), it works on 2D slices, and its label is one class.
// Test runs classifiers apart (testClassifier); segment and threshold
// analysis with one are not built.
func checkClassifier(cfg *config.Config, m config.Model, command string) error {
	if command != "train" {
		return fmt.Errorf("pipeline: not implemented yet: %s with classifier %s (ivadogo train and test run classifiers)", command, m.Name)
	}
	if !m.Is2D {
		return fmt.Errorf("pipeline: %s.is_2d: %s classifies 2D slices; set is_2d to true", m.Name, m.Name)
	}
	if cfg.Loader.Multichannel {
		return fmt.Errorf("pipeline: loader_parameters.multichannel: %s takes one input channel (its first convolution is built for 1 channel, as ivadomed's); set multichannel to false", m.Name)
	}
	if n := len(cfg.Loader.TargetSuffix.Classes); n != 1 {
		return fmt.Errorf("pipeline: loader_parameters.target_suffix: %s classifies slices by one label (the slice is 1 when any voxel of it is > 0), the config names %d", m.Name, n)
	}
	if cfg.Training.MixupAlpha != nil && *cfg.Training.MixupAlpha > 0 {
		return fmt.Errorf("pipeline: training_parameters.mixup_alpha: not implemented yet with classifier %s; set it to null", m.Name)
	}
	return nil
}

// classifierSets wraps a model's training and validation slices so that
// their batches carry ivadomed's classification labels, when the model is
// a classifier; otherwise it returns them as they are.
func classifierSets(m config.Model, o Options, train, valid sampleSet) (sampleSet, sampleSet, error) {
	if !config.IsClassifier(m.Name) {
		return train, valid, nil
	}
	if o.GIF > 0 {
		return nil, nil, fmt.Errorf("pipeline: -g: classifier %s predicts no mask to draw; run without -g", m.Name)
	}
	return classifySet{train}, classifySet{valid}, nil
}

// classifySet is a set of 2D slices labelled for a classifier: a batch's
// label is one value per slice, 1 when any voxel of the slice's target
// mask is > 0 and 0 otherwise (ivadomed's int(any(mask slice))), and
// slices narrower than classifierMinSize are zero-padded to it.
//
// Training's validation scores these labels as a mask's: the val_dice of
// training_metrics.csv is the mean over slices of the Dice of one value
// (1 when prediction and label are both 1, 0 when they differ, slices
// both 0 left out, as ivadomed's MetricManager on a classifier's output),
// i.e. TP/(TP+FP+FN) over the validation slices.
type classifySet struct{ sampleSet }

// drawAt draws sample i with its label reduced to the slice's class, one
// value per target: the label is only read for that, and a config may
// leave it out of the transforms that crop or resample the image
// (ivadomed's config_classification.json applies them to im and roi).
func (c classifySet) drawAt(i int, r *rand.Rand, soft bool) (*transforms.Sample, *transforms.Record, error) {
	s, rec, err := c.sampleSet.drawAt(i, r, soft)
	if err != nil {
		return nil, nil, err
	}
	for k, plane := range s.GT.Data {
		var class float32
		if slices.ContainsFunc(plane, func(v float32) bool { return v > 0 }) {
			class = 1
		}
		s.GT.Data[k] = []float32{class}
	}
	s.GT.Shape = [3]int{1, 1, 1}
	return s, rec, nil
}

func (c classifySet) assemble(ss []*transforms.Sample, mult int) *batch {
	b := c.sampleSet.assemble(ss, mult)
	b.y = sliceLabels(b.y, b.n, b.k)
	b.label = true
	if b.h < classifierMinSize || b.w < classifierMinSize {
		padPlanes(b, max(b.h, classifierMinSize), max(b.w, classifierMinSize))
	}
	return b
}

// sliceLabels reduces an N×K×plane label to N×K values, 1 where any voxel
// of the plane is > 0 (soft labels included, as ivadomed's any()).
func sliceLabels(y []float32, n, k int) []float32 {
	out := make([]float32, n*k)
	if n*k == 0 {
		return out
	}
	plane := len(y) / (n * k)
	for i := range out {
		for _, v := range y[i*plane : (i+1)*plane] {
			if v > 0 {
				out[i] = 1
				break
			}
		}
	}
	return out
}

// padPlanes zero-pads a batch's images (N×C×h×w, top-left aligned) to
// h×w.
func padPlanes(b *batch, h, w int) {
	x := make([]float32, b.n*b.c*h*w)
	for i := 0; i < b.n*b.c; i++ {
		pasteInto(x[i*h*w:], w, b.x[i*b.h*b.w:(i+1)*b.h*b.w], b.h, b.w)
	}
	b.x, b.h, b.w = x, h, w
}

// predictSlices runs a classifier over every slice of set, in order, and
// returns its probabilities and the slices' labels (N×K each).
func predictSlices(mod nn.Module, set sampleSet, bs, workers int, seed uint64) (prob, gt []float32, err error) {
	stop := make(chan struct{})
	defer close(stop)
	for b := range batches(set, identity(set.size()), max(1, bs), seed, 0, workers, 2, false, 1, stop) {
		if b.err != nil {
			return nil, nil, b.err
		}
		xs, _ := b.shapes()
		x := autograd.Const(tensor.FromSlice(b.x, xs...))
		pred := nn.Run(mod, b.input(x))
		prob = append(prob, pred.Peek().Contiguous().Data()...)
		pred.Release()
		gt = append(gt, b.y...)
	}
	return prob, gt, nil
}

// classMetrics are a classifier's scores over slices, its probabilities
// thresholded at 0.5.
type classMetrics struct {
	TP, FP, TN, FN int
}

func countClasses(prob, gt []float32) classMetrics {
	var m classMetrics
	for i, p := range prob {
		switch pos, lab := p >= 0.5, gt[i] > 0; {
		case pos && lab:
			m.TP++
		case pos:
			m.FP++
		case lab:
			m.FN++
		default:
			m.TN++
		}
	}
	return m
}

// ratio is a/b, NaN when b is 0 (a score with nothing to score).
func ratio(a, b int) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

func (m classMetrics) accuracy() float64    { return ratio(m.TP+m.TN, m.TP+m.TN+m.FP+m.FN) }
func (m classMetrics) precision() float64   { return ratio(m.TP, m.TP+m.FP) }
func (m classMetrics) recall() float64      { return ratio(m.TP, m.TP+m.FN) }
func (m classMetrics) specificity() float64 { return ratio(m.TN, m.TN+m.FP) }
func (m classMetrics) f1() float64          { return ratio(2*m.TP, 2*m.TP+m.FP+m.FN) }

// classificationCSV is where a classifier's test metrics go, beside
// segmentation's evaluation_3Dmetrics.csv (ivadomed logs them and writes
// no file), and classificationPredCSV its per-slice predictions.
const (
	classificationCSV     = "evaluation_classification.csv"
	classificationPredCSV = "pred_classification.csv"
)

// testClassifier is Test for a classifier (mcfg names it): it predicts
// every slice of the test split, as loaded for testing (same filters and
// test transforms as a segmentation model's), writes each slice's
// probability, prediction (≥ 0.5) and label to
// results_eval/pred_classification.csv and the accuracy, precision,
// recall, specificity and F1 over all slices to
// results_eval/evaluation_classification.csv (one row, id "all"). No mask
// is written. The result's MeanDice is the F1, the Dice over slices.
func testClassifier(cfg, mcfg *config.Config, weights string, o Options, log *logger) (*TestResult, error) {
	start := time.Now()
	// "train" builds the model with the checks of training; a classifier
	// takes no channel counts.
	mod, mp, err := loadModel(mcfg, weights, "train")
	if err != nil {
		return nil, err
	}
	tl, err := transformList(cfg)
	if err != nil {
		return nil, err
	}
	_, pairs, listed, err := testPairs(cfg, false)
	if err != nil {
		return nil, err
	}
	if len(pairs) == 0 {
		return nil, fmt.Errorf("pipeline: the test split has no labelled image (%d files listed)", listed)
	}
	set, err := newSlices2D(pairs, cfg, tl, transforms.Testing, false, o.CacheBytes)
	if err != nil {
		return nil, err
	}
	if set.size() == 0 {
		return nil, fmt.Errorf("pipeline: every test slice was filtered out: check slice_filter_params")
	}
	prob, gt, err := predictSlices(mod, classifySet{set}, max(1, cfg.Training.BatchSize), o.Workers, uint64(cfg.Split.RandomSeed))
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(cfg.PathOutput, "results_eval")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	var sb strings.Builder
	sb.WriteString("filename,slice,probability,prediction,label\n")
	for i, r := range set.refs {
		pred := 0
		if prob[i] >= 0.5 {
			pred = 1
		}
		fmt.Fprintf(&sb, "%s,%d,%.6f,%d,%g\n", set.pairs[r.pair].Inputs[0].Filename, r.k, prob[i], pred, gt[i])
	}
	if err := writeAtomic(filepath.Join(dir, classificationPredCSV), []byte(sb.String())); err != nil {
		return nil, err
	}
	m := countClasses(prob, gt)
	row := metrics.Row{ID: "all",
		Names:  []string{"accuracy", "precision", "recall", "specificity", "f1", "n_slices", "tp", "fp", "tn", "fn"},
		Values: []float64{m.accuracy(), m.precision(), m.recall(), m.specificity(), m.f1(), float64(len(prob)), float64(m.TP), float64(m.FP), float64(m.TN), float64(m.FN)},
	}
	var cb bytes.Buffer
	if err := metrics.WriteCSV(&cb, []metrics.Row{row}); err != nil {
		return nil, err
	}
	res := &TestResult{Rows: []metrics.Row{row}, MeanDice: m.f1(), Slices: len(prob), Accuracy: m.accuracy(),
		CSV: filepath.Join(dir, classificationCSV)}
	if err := writeAtomic(res.CSV, cb.Bytes()); err != nil {
		return nil, err
	}
	log.printf("test done in %.1fs: %s on %d slices of %d images: accuracy %.4f, precision %.4f, recall %.4f, specificity %.4f, F1 %.4f; metrics in %s",
		time.Since(start).Seconds(), mp.Name, len(prob), len(pairs), m.accuracy(), m.precision(), m.recall(), m.specificity(), m.f1(), res.CSV)
	return res, nil
}

// sliceClassifier is slice_filter_params' classifier: a classifier trained
// by ivadogo, run on each slice as ivadomed's SliceFilter runs its
// torch-pickled one (on every input channel of the slice as read,
// reoriented and cut, before any transform; the slice kept only when every
// channel is classified 1).
//
// Departure: ivadomed keeps a channel when int(probability) is 1, which
// truncates and so holds only for a probability of exactly 1.0; here the
// classifier says 1 when its probability is ≥ 0.5, as test scores it.
type sliceClassifier struct {
	mu  sync.Mutex // one forward pass at a time: the loader's workers share it
	mod nn.Module
}

// loadSliceClassifier reads classifier_path: a model folder train wrote
// (<name>/<name>.safetensors beside <name>.json, its config), or the
// .safetensors file itself with its .json beside it.
func loadSliceClassifier(path *string) (*sliceClassifier, error) {
	if path == nil || *path == "" {
		return nil, fmt.Errorf("pipeline: loader_parameters.slice_filter_params.classifier_path: not set (filter_classification needs a classifier folder train wrote)")
	}
	weights := *path
	if fi, err := os.Stat(weights); err == nil && fi.IsDir() {
		weights = filepath.Join(weights, filepath.Base(filepath.Clean(weights))+".safetensors")
	}
	cfgPath := strings.TrimSuffix(weights, ".safetensors") + ".json"
	cfg, err := config.ReadFile(cfgPath)
	if err != nil {
		return nil, fmt.Errorf("pipeline: loader_parameters.slice_filter_params.classifier_path %s: %w", *path, err)
	}
	m, _, err := cfg.ModelParams()
	if err != nil {
		return nil, fmt.Errorf("pipeline: classifier_path %s: %w", cfgPath, err)
	}
	if !config.IsClassifier(m.Name) {
		return nil, fmt.Errorf("pipeline: loader_parameters.slice_filter_params.classifier_path %s: model %s is not a classifier (resnet18 or densenet121)", *path, m.Name)
	}
	mod, err := nn.Build(m.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("pipeline: classifier_path %s: %w", *path, err)
	}
	if err := nn.LoadFile(mod, weights); err != nil {
		return nil, fmt.Errorf("pipeline: loader_parameters.slice_filter_params.classifier_path %s: %w", *path, err)
	}
	nn.SetTraining(mod, false)
	return &sliceClassifier{mod: mod}, nil
}

// keep reports whether the classifier says 1 for every channel of s.
func (c *sliceClassifier) keep(s *transforms.Sample) bool {
	h, w := s.Im.Shape[0], s.Im.Shape[1]
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ch := range s.Im.Data {
		b := &batch{n: 1, c: 1, h: h, w: w, x: ch}
		if h < classifierMinSize || w < classifierMinSize {
			padPlanes(b, max(h, classifierMinSize), max(w, classifierMinSize))
		}
		p := nn.Run(c.mod, b.input(autograd.Const(tensor.FromSlice(b.x, 1, 1, b.h, b.w))))
		v := p.Peek().Contiguous().Data()[0]
		p.Release()
		if v < 0.5 {
			return false
		}
	}
	return true
}
