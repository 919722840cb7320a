package pipeline

import (
	"bytes"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/bids"
	"github.com/ivadogo/ivadogo/nn"
	"github.com/ivadogo/ivadogo/tensor"

	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/pipeline/transforms"
)

// trainPairs returns the training split's pairs of cfg and its
// transforms.
func trainPairs(t *testing.T, cfg *config.Config) ([]bids.Pair, transforms.List) {
	t.Helper()
	f, err := frame(cfg, "train", false)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := split(cfg, f, false)
	if err != nil {
		t.Fatal(err)
	}
	pairs, err := f.Pairs(sp.Train, false)
	if err != nil {
		t.Fatal(err)
	}
	tl, err := transformList(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return pairs, tl
}

// allPairs returns the pairs of every image of cfg's dataset.
func allPairs(t *testing.T, cfg *config.Config) []bids.Pair {
	t.Helper()
	f, err := frame(cfg, "train", false)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, r := range f.Rows {
		if !r.Derivative {
			files = append(files, r.Filename)
		}
	}
	pairs, err := f.Pairs(files, false)
	if err != nil {
		t.Fatal(err)
	}
	return pairs
}

// trainSet2D returns the training set of cfg on its split.
func trainSet2D(t *testing.T, cfg *config.Config) *slices2D {
	t.Helper()
	pairs, tl := trainPairs(t, cfg)
	d, err := newSlices2D(pairs, cfg, tl, transforms.Training, false, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestPatches2D trains for 3 epochs on 24×24 patches every 16 pixels of the phantom's
// 32×32 slices (sizes the stride does not divide: the last patch is flush
// with the edge) and segments whole images with the sliding window; it
// checks the samples are patches, that patch_filter_params drops the
// patches without cord in training, and the test Dice.
func TestPatches2D(t *testing.T) {
	dir := t.TempDir()
	cfg := e2eConfig(t, dir, 8)
	whole := trainSet2D(t, cfg)
	cfg.DefaultModel.Set("length_2D", []int{24, 24})
	cfg.DefaultModel.Set("stride_2D", []int{16, 16})
	d := trainSet2D(t, cfg)
	// Origins 0 and 8 along each axis: four patches per slice.
	if d.size() != 4*whole.size() {
		t.Errorf("%d patches from %d slices, want 4 per slice", d.size(), whole.size())
	}
	s, _, err := d.drawAt(d.size()-1, sampleRand(1, 1, 0), false)
	if err != nil {
		t.Fatal(err)
	}
	if s.Im.Shape != [3]int{24, 24, 1} || s.GT.Shape != [3]int{24, 24, 1} {
		t.Errorf("sample of shape %v (label %v), want a 24×24 patch", s.Im.Shape, s.GT.Shape)
	}
	// 12×12 patches every 10 pixels: the corner ones miss the cord.
	cfg.DefaultModel.Set("length_2D", []int{12, 12})
	cfg.DefaultModel.Set("stride_2D", []int{10, 10})
	d = trainSet2D(t, cfg)
	cfg.Loader.PatchFilterParams.FilterEmptyMask = true
	filtered := trainSet2D(t, cfg)
	has, err := filtered.hasLabel()
	if err != nil {
		t.Fatal(err)
	}
	all, _ := d.hasLabel()
	nAll := 0
	for _, h := range all {
		nAll += h
	}
	for i, h := range has {
		if h == 0 {
			t.Fatalf("patch %d has no label after patch_filter_params.filter_empty_mask", i)
		}
	}
	if filtered.size() != nAll || nAll == d.size() {
		t.Errorf("%d patches kept by filter_empty_mask of %d, want the %d with cord (and some without)", filtered.size(), d.size(), nAll)
	}
	cfg.Loader.PatchFilterParams.FilterEmptyMask = false
	cfg.DefaultModel.Set("length_2D", []int{24, 24})
	cfg.DefaultModel.Set("stride_2D", []int{16, 16})
	cfg.Training.TrainingTime.NumEpochs = 3

	var log bytes.Buffer
	if _, err := Train(cfg, Options{Log: &log}); err != nil {
		t.Fatalf("train: %v\n%s", err, log.String())
	}
	te, err := Test(cfg, Options{Log: &log})
	if err != nil {
		t.Fatalf("test: %v\n%s", err, log.String())
	}
	t.Logf("test Dice %.3f over %d images", te.MeanDice, len(te.Rows))
	if !(te.MeanDice > 0.7) {
		t.Errorf("test Dice %.3f, want > 0.7\n%s", te.MeanDice, log.String())
	}
	if _, err := SegmentImages([]string{filepath.Join(cfg.Loader.PathData[0], "sub-01", "anat", "sub-01_T1w.nii.gz")},
		filepath.Join(cfg.PathOutput, cfg.ModelName), filepath.Join(dir, "seg"), "", Options{}); err != nil {
		t.Fatal(err)
	}
}

// TestPatchFilter3D checks that patch_filter_params drops the training
// sub-volumes without cord (and only in training).
func TestPatchFilter3D(t *testing.T) {
	dir := t.TempDir()
	cfg := e2eConfig(t, dir, 1)
	cfg.DefaultModel.Set("is_2d", false)
	cfg.DefaultModel.Set("length_3D", []int{12, 12, 16})
	cfg.DefaultModel.Set("stride_3D", []int{10, 10, 16})
	pairs, tl := trainPairs(t, cfg)
	mp, _, _ := cfg.ModelParams()
	set := func(dataset string) *patches3D {
		d, err := newPatches3D(pairs, cfg, mp, tl, dataset, 1<<30)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	all := set(transforms.Training)
	cfg.Loader.PatchFilterParams.FilterEmptyMask = true
	kept, valid := set(transforms.Training), set(transforms.Validation)
	has, err := all.hasLabel()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, h := range has {
		n += h
	}
	if kept.size() != n || n == all.size() || valid.size() != all.size() {
		t.Errorf("filter_empty_mask kept %d of %d training sub-volumes (%d have cord) and %d of %d validation ones; want those with cord, and every validation one",
			kept.size(), all.size(), n, valid.size(), all.size())
	}
}

// windowRecorder is an identity model that records the shapes it is run
// on.
type windowRecorder struct {
	nn.Base
	shapes [][]int
}

func (m *windowRecorder) Forward(x *autograd.Value) *autograd.Value {
	m.shapes = append(m.shapes, x.Shape())
	return x
}

// TestRun2D slides an 8×8 window every 4 pixels over slices whose sizes
// the stride does not divide, or smaller than the window: an identity
// model must give back its input, through the windows the geometry says.
func TestRun2D(t *testing.T) {
	for _, tt := range []struct {
		h, w, windows int
	}{{13, 10, 6}, {5, 6, 1}, {8, 8, 1}} {
		rec := &windowRecorder{}
		p := &predictor{mod: rec, mult: 4}
		p.mp.Set("length_2D", []int{8, 8})
		p.mp.Set("stride_2D", []int{4, 4})
		x := tensor.Zeros(2, 1, tt.h, tt.w)
		for i := range x.Data() {
			x.Data()[i] = float32(i%17) + 1
		}
		y := p.run2D(autograd.Const(x))
		if !slices.Equal(y.Shape(), x.Shape()) {
			t.Fatalf("%d×%d: run2D gives shape %v, want %v", tt.h, tt.w, y.Shape(), x.Shape())
		}
		// Blending divides a weighted sum by the weights: equal up to
		// float32 rounding.
		for i, v := range y.Data().Contiguous().Data() {
			if want := x.Data()[i]; math.Abs(float64(v-want)) > 1e-5*float64(want) {
				t.Fatalf("%d×%d: run2D of an identity model gives %v at %d, want %v", tt.h, tt.w, v, i, want)
			}
		}
		if len(rec.shapes) != tt.windows {
			t.Errorf("%d×%d: %d windows, want %d", tt.h, tt.w, len(rec.shapes), tt.windows)
		}
		for _, s := range rec.shapes {
			if !slices.Equal(s, []int{2, 1, 8, 8}) {
				t.Errorf("%d×%d: window of shape %v, want [2 1 8 8]", tt.h, tt.w, s)
			}
		}
	}
}
