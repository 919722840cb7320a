package pipeline

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/nifti"
	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/pipeline/phantom"
	"github.com/ivadogo/ivadogo/pipeline/transforms"
	"github.com/ivadogo/ivadogo/tensor"
)

// metadataPhantom writes a phantom whose T2w images are copies of the
// T1w ones but whose T2w labels are empty: only the contrast, i.e. the
// metadata, tells whether the cord is to be segmented.
func metadataPhantom(t *testing.T, dir string) string {
	t.Helper()
	data := filepath.Join(dir, "phantom")
	subs, err := phantom.Write(data, phantom.Options{Subjects: 5, Contrasts: []string{"T1w", "T2w"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subs {
		anat := filepath.Join(data, s.ID, "anat")
		t1, err := os.ReadFile(filepath.Join(anat, s.ID+"_T1w.nii.gz"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(anat, s.ID+"_T2w.nii.gz"), t1, 0o644); err != nil {
			t.Fatal(err)
		}
		lp := filepath.Join(data, "derivatives", "labels", s.ID, "anat", s.ID+"_T2w"+phantom.LabelSuffix+".nii.gz")
		l, err := nifti.Read(lp)
		if err != nil {
			t.Fatal(err)
		}
		clear(l.Data)
		if err := nifti.Write(lp, l); err != nil {
			t.Fatal(err)
		}
	}
	return data
}

// filmConfig is the quickstart config on that phantom with a FiLMedUnet
// conditioned on the contrast.
func filmConfig(t *testing.T, dir, data string) *config.Config {
	t.Helper()
	cfg, err := config.Parse(phantom.QuickstartJSON())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Apply(config.Overrides{Command: "train", PathData: []string{data}, PathOutput: filepath.Join(dir, "out")})
	cfg.Loader.ContrastParams.TrainingValidation = []string{"T1w", "T2w"}
	cfg.Loader.ContrastParams.Testing = []string{"T1w", "T2w"}
	cfg.Training.TrainingTime.NumEpochs = 12
	cfg.Training.BatchSize = 8
	cfg.Training.Scheduler.InitialLR = 0.01
	cfg.DefaultModel.Set("dropout_rate", 0.0)
	film := &config.Model{}
	film.Set("applied", true)
	film.Set("metadata", "contrasts")
	film.Set("film_layers", []int{0, 0, 1, 1, 1, 0})
	cfg.FiLMedUnet = film
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// predVoxels counts the voxels of a prediction file above 0.5.
func predVoxels(t *testing.T, path string) int {
	t.Helper()
	img, err := nifti.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range img.Data {
		if v > 0.5 {
			n++
		}
	}
	return n
}

// TestFiLMEndToEnd trains a FiLMedUnet whose task depends on the contrast
// alone (identical T1w and T2w images, the cord labelled in T1w only):
// a model that did not get the metadata would segment both or neither.
// Test and segment -i (metadata from the file name) must segment the T1w
// image and leave the T2w one empty, with the encoding the model's config
// carries.
func TestFiLMEndToEnd(t *testing.T) {
	dir := t.TempDir()
	cfg := filmConfig(t, dir, metadataPhantom(t, dir))
	var log bytes.Buffer
	tr, err := Train(cfg, Options{Log: &log})
	if err != nil {
		t.Fatalf("train: %v\n%s", err, log.String())
	}
	saved, err := config.ReadFile(filepath.Join(tr.ModelDir, cfg.ModelName+".json"))
	if err != nil {
		t.Fatal(err)
	}
	mp, film, err := saved.ModelParams()
	if err != nil || !film || mp.NMetadata != 2 || mp.FiLMEncoding == nil || mp.FiLMEncoding.Kind != "contrasts" ||
		!slices.Equal(mp.FiLMEncoding.Categories[0], []float64{0, 1}) {
		t.Fatalf("saved model config: film %v, n_metadata %d, encoding %+v (%v); want contrasts T1w 0, T2w 1", film, mp.NMetadata, mp.FiLMEncoding, err)
	}
	// The threshold sweep predicts the training images with their metadata.
	if _, err := ThresholdAnalysis(cfg, 0.25, Options{Log: &log}); err != nil {
		t.Fatalf("threshold analysis: %v", err)
	}
	te, err := Test(cfg, Options{Log: &log})
	if err != nil {
		t.Fatalf("test: %v\n%s", err, log.String())
	}
	var t1, t2 int
	for _, row := range te.Rows {
		n := predVoxels(t, filepath.Join(te.PredDir, row.ID+"_pred.nii.gz"))
		d, _ := row.Get("dice_class0")
		t.Logf("%s: dice %.3f, %d voxels predicted", row.ID, d, n)
		switch {
		case strings.HasSuffix(row.ID, "_T1w"):
			t1++
			if !(d > 0.7) {
				t.Errorf("%s: Dice %.3f, want > 0.7", row.ID, d)
			}
		case strings.HasSuffix(row.ID, "_T2w"):
			t2++
			if n > 20 {
				t.Errorf("%s: %d voxels predicted, want an empty prediction (the model ignores the contrast)", row.ID, n)
			}
		}
	}
	if t1 == 0 || t2 == 0 {
		t.Fatalf("test set has %d T1w and %d T2w images, want both", t1, t2)
	}
	checkFiLMParams(t, cfg.PathOutput, []bool{false, false, true, true, true, false}, t1+t2)
	// segment -i reads the contrast from the file name.
	row := te.Rows[0]
	sub, _, _ := strings.Cut(row.ID, "_")
	for _, c := range []string{"T1w", "T2w"} {
		img := filepath.Join(cfg.Loader.PathData[0], sub, "anat", sub+"_"+c+".nii.gz")
		out, err := segmentFirst([]string{img}, tr.ModelDir, filepath.Join(dir, "seg"), "", Options{})
		if err != nil {
			t.Fatal(err)
		}
		if n := predVoxels(t, out); (c == "T1w") != (n > 100) {
			t.Errorf("segment -i %s: %d voxels predicted; want the cord for T1w only", filepath.Base(img), n)
		}
	}
	// segment -c finds the metadata in the frame.
	paths, err := Segment(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		if n := predVoxels(t, p); strings.Contains(p, "_T1w") != (n > 100) {
			t.Errorf("segment -c %s: %d voxels predicted; want the cord for T1w only", filepath.Base(p), n)
		}
	}
	if len(paths) != 10 {
		t.Errorf("segment -c wrote %d predictions, want 10", len(paths))
	}
}

// TestFiLMMRIParams fits the mri_params encoding on the phantom's
// sidecars and checks that it survives the trip through the model's
// config.
func TestFiLMMRIParams(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "phantom")
	if _, err := phantom.Write(data, phantom.Options{Subjects: 6, Contrasts: []string{"T1w", "T2w", "T2star"}}); err != nil {
		t.Fatal(err)
	}
	cfg := filmConfig(t, dir, data)
	cfg.Loader.ContrastParams.TrainingValidation = []string{"T1w", "T2w", "T2star"}
	cfg.FiLMedUnet.Set("metadata", "mri_params")
	pairs := allPairs(t, cfg)
	pc, _, _, err := prepareTrain(cfg, pairs, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, film, _ := pc.ModelParams()
	c, err := conditioningOf(m, film)
	if err != nil {
		t.Fatal(err)
	}
	// The contrasts differ in TR/TE/flip angle, so the one-hot vectors
	// must differ between contrasts and agree within a contrast and
	// manufacturer.
	byContrast := map[string][]float32{}
	for _, p := range pairs {
		sc, err := c.of(p.Inputs)
		if err != nil {
			t.Fatal(err)
		}
		if len(sc.meta) != m.NMetadata {
			t.Fatalf("metadata of %d values, n_metadata %d", len(sc.meta), m.NMetadata)
		}
		man, _ := p.Inputs[0].Get("Manufacturer")
		s := p.Inputs[0].Image.Suffix + "/" + man
		if prev, ok := byContrast[s]; ok && !slices.Equal(prev, sc.meta) {
			t.Errorf("%s: metadata %v, another %s image has %v", p.Inputs[0].Filename, sc.meta, s, prev)
		}
		byContrast[s] = sc.meta
	}
	if slices.Equal(byContrast["T1w/GE"], byContrast["T2w/GE"]) || slices.Equal(byContrast["T2w/GE"], byContrast["T2star/GE"]) || byContrast["T1w/GE"] == nil {
		t.Errorf("metadata by contrast %v: want the contrasts told apart", byContrast)
	}
	// A sidecar beside a lone image (segment -i) gives the same vector.
	in := pairs[0].Inputs[0]
	man, _ := in.Get("Manufacturer")
	r := loneRow(in.Path)
	if v, err := c.film.Vector(r); err != nil || !slices.Equal(v, byContrast[in.Image.Suffix+"/"+man]) {
		t.Errorf("lone image %s: %v (%v), want %v", r.Path, v, err, byContrast[in.Image.Suffix+"/"+man])
	}
}

// TestHeMISDrop checks the curriculum of missing contrasts.
func TestHeMISDrop(t *testing.T) {
	c := &conditioning{hemis: []string{"T1w", "T2w"}, missing: 1e-5, growth: 0.9}
	if p1, p4 := c.missingAt(1), c.missingAt(4); p1 != 1e-5 || math.Abs(p4-math.Pow(1e-5, 0.729)) > 1e-12 {
		t.Errorf("missing probability %g at epoch 1, %g at 4; want 1e-5 and 1e-5^0.729", p1, p4)
	}
	r := rand.New(rand.NewPCG(1, 2))
	dropped := 0
	for range 1000 {
		got := drop([]bool{true, true, false}, 0.5, r)
		if got[2] || !(got[0] || got[1]) {
			t.Fatalf("drop gave %v: want a missing contrast kept missing and one kept", got)
		}
		if !got[0] || !got[1] {
			dropped++
		}
	}
	if dropped < 600 || dropped > 900 {
		t.Errorf("%d of 1000 draws dropped a contrast at p 0.5, want about 750", dropped)
	}
}

// TestHeMISEndToEnd trains a HeMISUnet on subjects with T1w and T2w (one
// of them without its T2w image), dropping contrasts half of the time,
// then tests on each test subject's pair of contrasts and segments each
// contrast alone: every subset must segment the cord. Without the
// availability mask the missing contrast's zeros would enter the mean
// and variance of the features, and a model trained on pairs alone does
// not segment a single contrast.
func TestHeMISEndToEnd(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "phantom")
	if _, err := phantom.Write(data, phantom.Options{Subjects: 5, Contrasts: []string{"T1w", "T2w"}}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"sub-02/anat/sub-02_T2w.nii.gz", "sub-02/anat/sub-02_T2w.json", "derivatives/labels/sub-02/anat/sub-02_T2w" + phantom.LabelSuffix + ".nii.gz"} {
		if err := os.Remove(filepath.Join(data, p)); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := config.Parse(phantom.QuickstartJSON())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Apply(config.Overrides{Command: "train", PathData: []string{data}, PathOutput: filepath.Join(dir, "out")})
	cfg.Loader.ContrastParams.TrainingValidation = []string{"T1w", "T2w"}
	cfg.Loader.ContrastParams.Testing = []string{"T1w", "T2w"}
	cfg.Training.TrainingTime.NumEpochs = 10
	cfg.Training.BatchSize = 4
	cfg.Training.Scheduler.InitialLR = 0.003
	cfg.DefaultModel.Set("dropout_rate", 0.0)
	h := &config.Model{}
	h.Set("applied", true)
	h.Set("missing_probability", 0.5)
	h.Set("missing_probability_growth", 1.0)
	cfg.HeMISUnet = h
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	tr, err := Train(cfg, Options{Log: &log})
	if err != nil {
		t.Fatalf("train: %v\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "model HeMISUnet") {
		t.Errorf("log does not name the model:\n%s", log.String())
	}
	te, err := Test(cfg, Options{Log: &log})
	if err != nil {
		t.Fatalf("test: %v\n%s", err, log.String())
	}
	if len(te.Rows) == 0 {
		t.Fatal("no test row")
	}
	for _, row := range te.Rows {
		d, _ := row.Get("dice_class0")
		t.Logf("test %s (both contrasts): dice %.3f", row.ID, d)
		if !(d > 0.75) {
			t.Errorf("test %s: Dice %.3f, want > 0.75", row.ID, d)
		}
		sub, _, _ := strings.Cut(row.ID, "_")
		for _, c := range []string{"T1w", "T2w"} {
			img := filepath.Join(data, sub, "anat", sub+"_"+c+".nii.gz")
			if _, err := os.Stat(img); err != nil {
				continue
			}
			out, err := segmentFirst([]string{img}, tr.ModelDir, filepath.Join(dir, "seg"), "", Options{})
			if err != nil {
				t.Fatal(err)
			}
			pred, _ := nifti.Read(out)
			gt, err := nifti.Read(filepath.Join(data, "derivatives", "labels", sub, "anat", sub+"_"+c+phantom.LabelSuffix+".nii.gz"))
			if err != nil || pred == nil {
				t.Fatal(err)
			}
			inter, sum := 0.0, 0.0
			for i, g := range gt.Data {
				p := float64(pred.Data[i])
				inter += p * float64(g)
				sum += p + float64(g)
			}
			d := 2 * inter / sum
			t.Logf("segment -i %s alone: dice %.3f", filepath.Base(img), d)
			if !(d > 0.7) {
				t.Errorf("segment -i %s alone: Dice %.3f, want > 0.7", filepath.Base(img), d)
			}
		}
	}
	// segment -c makes one input of each subject's contrasts, sub-02's
	// T1w alone included.
	paths, err := Segment(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 5 {
		t.Errorf("segment -c wrote %d predictions, want one per subject (5): %q", len(paths), paths)
	}
}

// TestFiLM3D trains a Modified3DUNet with FiLM layers for one epoch on
// the phantom whose T2w images copy the T1w ones, then predicts one image
// under each contrast's metadata: the predictions must differ, which they
// cannot if the metadata does not reach the model.
func TestFiLM3D(t *testing.T) {
	dir := t.TempDir()
	cfg := filmConfig(t, dir, metadataPhantom(t, dir))
	cfg.Training.TrainingTime.NumEpochs = 1
	cfg.DefaultModel.Set("is_2d", false)
	m3 := &config.Model{}
	m3.Set("applied", true)
	m3.Set("length_3D", []int{32, 32, 16})
	m3.Set("stride_3D", []int{32, 32, 16})
	m3.Set("n_filters", 4)
	cfg.Modified3DUNet = m3
	cfg.FiLMedUnet.Set("film_layers", []int{0, 0, 0, 0, 1, 0, 0, 0, 0, 1})
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	tr, err := Train(cfg, Options{Log: &log})
	if err != nil {
		t.Fatalf("train: %v\n%s", err, log.String())
	}
	mcfg, jsonPath, err := config.ReadModelConfig(tr.ModelDir)
	if err != nil {
		t.Fatal(err)
	}
	weights, err := modelWeights(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	p, err := loadPredictor(mcfg, weights, "segment")
	if err != nil {
		t.Fatal(err)
	}
	anat := filepath.Join(cfg.Loader.PathData[0], "sub-01", "anat")
	var soft [2][]float32
	for i, c := range []string{"T1w", "T2w"} {
		path := filepath.Join(anat, "sub-01_"+c+".nii.gz")
		v, err := readVolume(loneFile(path))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.in.begin([]string{path}); err != nil {
			t.Fatal(err)
		}
		out, err := p.predict([]*volume{v})
		if err != nil {
			t.Fatal(err)
		}
		soft[i] = out[0]
	}
	if slices.Equal(soft[0], soft[1]) {
		t.Error("identical images under T1w and T2w metadata give identical predictions: the metadata does not reach the model")
	}
}

// TestFiLMColumn encodes a participants.tsv column: values seen in
// training one-hot, an unseen one as zeros.
func TestFiLMColumn(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "phantom")
	if _, err := phantom.Write(data, phantom.Options{Subjects: 4, Contrasts: []string{"T2w"}}); err != nil {
		t.Fatal(err)
	}
	cfg := filmConfig(t, dir, data)
	cfg.Loader.ContrastParams.TrainingValidation = []string{"T2w"}
	cfg.FiLMedUnet.Set("metadata", "institution_id")
	f, err := frame(cfg, "train", false)
	if err != nil {
		t.Fatal(err)
	}
	pairs, err := f.Pairs([]string{"sub-01_T2w.nii.gz", "sub-02_T2w.nii.gz", "sub-03_T2w.nii.gz", "sub-04_T2w.nii.gz"}, false)
	if err != nil {
		t.Fatal(err)
	}
	pc, _, _, err := prepareTrain(cfg, pairs[:2], nil)
	if err != nil {
		t.Fatal(err)
	}
	m, film, _ := pc.ModelParams()
	c, err := conditioningOf(m, film)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range pairs[:2] {
		v, _ := p.Inputs[0].Get("institution_id")
		seen[v] = true
	}
	unseen := 0
	for _, p := range pairs {
		sc, err := c.of(p.Inputs)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := p.Inputs[0].Get("institution_id")
		ones := 0
		for _, x := range sc.meta {
			ones += int(x)
		}
		want := 1
		if !seen[v] {
			want = 0
			unseen++
		}
		if len(sc.meta) != m.NMetadata || ones != want {
			t.Errorf("%s (institution %s): metadata %v, want %d one(s) among %d", p.Inputs[0].Filename, v, sc.meta, want, m.NMetadata)
		}
	}
	if unseen == 0 {
		t.Error("every institution was in training: the test needs an unseen one")
	}
}

// TestHeMISBatches checks what a HeMISUnet is fed: one channel per
// contrast, zeros and "absent" where a subject has no image of a contrast
// (sub-02's T2w) or where training dropped it; with missing_probability 1
// every training sample keeps exactly one contrast, and validation drops
// none.
func TestHeMISBatches(t *testing.T) {
	dir := t.TempDir()
	cfg := e2eConfig(t, dir, 1)
	data := cfg.Loader.PathData[0]
	for _, p := range []string{"sub-02/anat/sub-02_T2w.nii.gz", "sub-02/anat/sub-02_T2w.json", "derivatives/labels/sub-02/anat/sub-02_T2w" + phantom.LabelSuffix + ".nii.gz"} {
		if err := os.Remove(filepath.Join(data, p)); err != nil {
			t.Fatal(err)
		}
	}
	h := &config.Model{}
	h.Set("applied", true)
	h.Set("missing_probability", 1.0)
	h.Set("missing_probability_growth", 1.0)
	cfg.HeMISUnet = h
	pairs := allPairs(t, cfg)
	pc, grouped, _, err := prepareTrain(cfg, pairs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(grouped) != 5 || len(grouped[1].Inputs) != 1 || len(grouped[0].Inputs) != 2 {
		t.Fatalf("%d HeMIS samples (sub-01: %d images, sub-02: %d), want 5 subjects, sub-02 with its T1w alone", len(grouped), len(grouped[0].Inputs), len(grouped[1].Inputs))
	}
	tl, err := transformList(pc)
	if err != nil {
		t.Fatal(err)
	}
	for _, dataset := range []string{transforms.Training, transforms.Validation} {
		d, err := newSlices2D(grouped, pc, tl, dataset, false, 1<<30)
		if err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		for b := range batches(d, identity(d.size()), 8, 1, 1, 1, 1, false, 4, stop) {
			if b.err != nil {
				t.Fatal(b.err)
			}
			x := autograd.Const(tensor.FromSlice(b.x, b.n, b.c, b.h, b.w))
			in := b.input(x)
			if b.c != 2 || len(in.Images) != 2 || len(in.Present) != b.n {
				t.Fatalf("%s: batch of %d channels, %d images, %d availabilities; want 2, 2, %d", dataset, b.c, len(in.Images), len(in.Present), b.n)
			}
			for i := range b.n {
				n := 0
				for k, ok := range in.Present[i] {
					plane := in.Images[k].Data().Contiguous().Data()[i*b.h*b.w : (i+1)*b.h*b.w]
					if ok {
						n++
					} else if anyNonzero(plane) {
						t.Fatalf("%s: sample %d: contrast %d is absent but its image is not zero", dataset, i, k)
					}
				}
				ref := d.refs[b.index*8+i]
				avail := len(grouped[ref.pair].Inputs)
				switch {
				case dataset == transforms.Training && n != 1:
					t.Fatalf("training sample %d: %d contrasts present %v, want 1 (missing_probability 1)", i, n, in.Present[i])
				case dataset == transforms.Validation && n != avail:
					t.Fatalf("validation sample %d: %d contrasts present, want its %d", i, n, avail)
				}
			}
		}
		close(stop)
	}
}

// checkFiLMParams reads the FiLM parameter files test wrote for n images:
// positions without a FiLM layer hold empty arrays, the others one row of
// γ (or β) in (0, 1) per image, equal for images of one contrast and
// different between contrasts, and metadata_values names each contrast.
func checkFiLMParams(t *testing.T, dir string, layers []bool, n int) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "metadata_values.npy"))
	if err != nil {
		t.Fatal(err)
	}
	descr, shape, data := readNPY(t, b)
	w, _ := strconv.Atoi(strings.TrimPrefix(descr, "<U"))
	if !strings.HasPrefix(descr, "<U") || !slices.Equal(shape, []int{n}) || len(data) != 4*w*n {
		t.Fatalf("metadata_values.npy: %s %v with %d bytes, want <U %d strings", descr, shape, len(data), n)
	}
	values := make([]string, n)
	for i := range n {
		var rs []rune
		for j := range w {
			if r := rune(binary.LittleEndian.Uint32(data[4*(i*w+j):])); r != 0 {
				rs = append(rs, r)
			}
		}
		values[i] = string(rs)
		if values[i] != "T1w" && values[i] != "T2w" {
			t.Errorf("metadata value %d is %q, want a contrast", i, values[i])
		}
	}
	for i, on := range layers {
		for _, name := range []string{"gamma", "beta"} {
			b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("%s_layer_%d.npy", name, i+1)))
			if err != nil {
				t.Fatal(err)
			}
			descr, shape, data := readNPY(t, b)
			if !on {
				if descr != "<f8" || !slices.Equal(shape, []int{0}) || len(data) != 0 {
					t.Errorf("%s_layer_%d.npy: %s %v, want an empty float64 array", name, i+1, descr, shape)
				}
				continue
			}
			if descr != "<f4" || len(shape) != 2 || shape[0] != n || len(data) != 4*n*shape[1] {
				t.Fatalf("%s_layer_%d.npy: %s %v with %d bytes, want %d float32 rows", name, i+1, descr, shape, len(data), n)
			}
			c := shape[1]
			row := func(k int) []float32 {
				r := make([]float32, c)
				for j := range r {
					r[j] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*(k*c+j):]))
				}
				return r
			}
			for k := range n {
				for _, v := range row(k) {
					if !(v > 0 && v < 1) {
						t.Fatalf("%s_layer_%d.npy row %d: %v outside (0, 1)", name, i+1, k, v)
					}
				}
				for j := range k {
					if same := slices.Equal(row(j), row(k)); same != (values[j] == values[k]) {
						t.Errorf("%s_layer_%d.npy: rows %d (%s) and %d (%s) equal: %v", name, i+1, j, values[j], k, values[k], same)
					}
				}
			}
		}
	}
}

// readNPY splits a .npy file (format 1.0) into its dtype, shape and data.
func readNPY(t *testing.T, b []byte) (descr string, shape []int, data []byte) {
	t.Helper()
	if len(b) < 10 || string(b[:8]) != "\x93NUMPY\x01\x00" {
		t.Fatalf("not a .npy 1.0 file: % x", b[:min(len(b), 10)])
	}
	hl := int(binary.LittleEndian.Uint16(b[8:]))
	if (10+hl)%64 != 0 || len(b) < 10+hl || b[10+hl-1] != '\n' {
		t.Fatalf(".npy header of %d bytes is not padded to 64 with a newline", hl)
	}
	h := string(b[10 : 10+hl])
	_, rest, _ := strings.Cut(h, "'descr': '")
	descr, _, _ = strings.Cut(rest, "'")
	if !strings.Contains(h, "'fortran_order': False") {
		t.Fatalf(".npy header %q is not C order", h)
	}
	_, rest, _ = strings.Cut(h, "'shape': (")
	dims, _, _ := strings.Cut(rest, ")")
	for _, d := range strings.Split(dims, ",") {
		if d = strings.TrimSpace(d); d != "" {
			v, err := strconv.Atoi(d)
			if err != nil {
				t.Fatalf(".npy shape %q: %v", dims, err)
			}
			shape = append(shape, v)
		}
	}
	return descr, shape, b[10+hl:]
}
