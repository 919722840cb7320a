package pipeline

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/internal/testenv"
	"github.com/ivadogo/ivadogo/nifti"
	"github.com/ivadogo/ivadogo/nn"
	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/pipeline/phantom"
)

// discPoint is a disc's voxel (j, k) in a mid-sagittal slice.
type discPoint [2]int

// writeDiscData writes the kind of dataset ivadomed's vertebral labelling
// trains on (ivadomed_prepare_dataset_vertebral_labeling): each subject's
// image is one sagittal plane (a 1×ny×nz volume) and its label,
// <image>_heatmap, a Gaussian heat map peaking at 1 on each disc. The
// planes come from the cord phantom; the discs are bright blobs on the
// cord, 3 or 4 per subject at random heights, so that where they are can
// be seen in the image and differs between subjects. It returns the disc
// points by image id ("sub-01_T2w").
func writeDiscData(t *testing.T, dir string, subjects, ny, nz int) map[string][]discPoint {
	t.Helper()
	subs, err := phantom.Write(dir, phantom.Options{Subjects: subjects, Size: [3]int{8, ny, nz}, Contrasts: []string{"T2w"}, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	const i0, blob, sigma = 4, 1.0, 1.5
	points := map[string][]discPoint{}
	for s, sub := range subs {
		rng := rand.New(rand.NewPCG(7, uint64(s)))
		im, lab := sub.Images["T2w"], sub.Label
		// Cord centre along y at each height, from the label.
		cy := make([]float64, nz)
		var cordLevel float64
		var nCord int
		for k := range nz {
			var sum, n float64
			for j := range ny {
				for i := range 8 {
					if lab.At(i, j, k) > 0 {
						sum += float64(j)
						n++
						cordLevel += float64(im.At(i, j, k))
						nCord++
					}
				}
			}
			cy[k] = sum / max(n, 1)
		}
		cordLevel /= float64(max(nCord, 1))
		var pts []discPoint
		n := 3 + rng.IntN(2)
		gap := (nz - 8) / n
		for d := range n {
			k := 4 + d*gap + rng.IntN(max(1, gap-3))
			pts = append(pts, discPoint{int(math.Round(cy[k])), k})
		}
		plane := make([]float32, ny*nz)
		heat := make([]float32, ny*nz)
		for k := range nz {
			for j := range ny {
				var b, h float64
				for _, p := range pts {
					r2 := float64((j-p[0])*(j-p[0]) + (k-p[1])*(k-p[1]))
					b += math.Exp(-r2 / (2 * blob * blob))
					h = max(h, math.Exp(-r2/(2*sigma*sigma)))
				}
				plane[j+ny*k] = im.At(i0, j, k) + float32(1.5*cordLevel*b)
				if h > 1e-3 {
					heat[j+ny*k] = float32(h)
				}
			}
		}
		aff := im.Affine
		for r := range 3 {
			aff[r][3] += aff[r][0] * i0
		}
		id := sub.ID + "_T2w"
		if err := nifti.Write(filepath.Join(dir, sub.ID, "anat", id+".nii.gz"), nifti.New(plane, []int{1, ny, nz}, aff)); err != nil {
			t.Fatal(err)
		}
		labels := filepath.Join(dir, "derivatives", "labels", sub.ID, "anat")
		if err := os.Remove(filepath.Join(labels, id+phantom.LabelSuffix+".nii.gz")); err != nil {
			t.Fatal(err)
		}
		if err := nifti.Write(filepath.Join(labels, id+"_heatmap.nii.gz"), nifti.New(heat, []int{1, ny, nz}, aff)); err != nil {
			t.Fatal(err)
		}
		points[id] = pts
	}
	return points
}

// discConfig is config_vertebral_labeling.json's recipe (Countception,
// sagittal slices, soft heat-map labels, AdapWing + L2 + Dice, its
// post-processing) on the data of writeDiscData, without transfer
// learning and the 320×128 crop.
func discConfig(t *testing.T, data, out string, epochs int, lr float64) *config.Config {
	t.Helper()
	js := fmt.Sprintf(`{
    "command": "train", "path_output": %q, "model_name": "find_disc_t2",
    "loader_parameters": {
        "path_data": [%q], "target_suffix": ["_heatmap"], "extensions": [".nii.gz"],
        "roi_params": {"suffix": null, "slice_filter_roi": null},
        "contrast_params": {"training_validation": ["T2w"], "testing": ["T2w"], "balance": {}},
        "slice_filter_params": {"filter_empty_mask": true, "filter_empty_input": true},
        "slice_axis": "sagittal", "multichannel": false, "soft_gt": true
    },
    "split_dataset": {"fname_split": null, "random_seed": 8, "split_method": "participant_id", "train_fraction": 0.6, "test_fraction": 0.2},
    "training_parameters": {
        "batch_size": 2,
        "loss": {"name": "LossCombination", "losses_list": ["AdapWingLoss", "L2loss", "DiceLoss"], "params_list": [null, null, null]},
        "training_time": {"num_epochs": %d, "early_stopping_patience": 100, "early_stopping_epsilon": 0.001},
        "scheduler": {"initial_lr": %g, "lr_scheduler": {"name": "CosineAnnealingLR", "base_lr": 1e-6, "max_lr": 1e-4}},
        "transfer_learning": {"retrain_model": null, "retrain_fraction": 1.0, "reset": true}
    },
    "default_model": {"name": "Countception"},
    "postprocessing": {
        "remove_noise": {"thr": -1}, "binarize_prediction": {"thr": 0.5},
        "uncertainty": {"thr": -1, "suffix": "_unc-vox.nii.gz"}, "remove_small": {"unit": "vox", "thr": 3}
    },
    "transformation": {"NormalizeInstance": {"applied_to": ["im"]}}
}`, out, data, epochs, lr)
	cfg, err := config.Parse([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// trainLosses reads the train_loss column of training_metrics.csv.
func trainLosses(t *testing.T, dir string) []float64 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "training_metrics.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var out []float64
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if i == 0 {
			continue
		}
		f := strings.Split(line, ",")
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			t.Fatalf("training_metrics.csv line %d: %v", i+1, err)
		}
		out = append(out, v)
	}
	return out
}

// runDiscPipeline trains, tests and segments with cfg and checks what a
// heat-map pipeline must give: a training loss that falls, predictions on
// the source's grid and affine, and (with located) a binarised heat map
// that marks every disc of the test images and nothing far from one.
func runDiscPipeline(t *testing.T, cfg *config.Config, points map[string][]discPoint, located bool) {
	t.Helper()
	var log bytes.Buffer
	tr, err := Train(cfg, Options{Log: &log})
	if err != nil {
		t.Fatalf("train: %v\n%s", err, log.String())
	}
	ls := trainLosses(t, cfg.PathOutput)
	t.Logf("train losses %.1f … %.1f over %d epochs, %.2f s/epoch", ls[0], ls[len(ls)-1], len(ls), tr.SecondsPerEpoch)
	if len(ls) != cfg.Training.TrainingTime.NumEpochs || !(ls[len(ls)-1] < 0.5*ls[0]) {
		t.Errorf("training losses %v: want %d epochs ending below half the first", ls, cfg.Training.TrainingTime.NumEpochs)
	}
	te, err := Test(cfg, Options{Log: &log})
	if err != nil {
		t.Fatalf("test: %v\n%s", err, log.String())
	}
	if len(te.Rows) == 0 {
		t.Fatal("test predicted no image")
	}
	for _, row := range te.Rows {
		sub, _, _ := strings.Cut(row.ID, "_")
		src, err := nifti.Read(filepath.Join(cfg.Loader.PathData[0], sub, "anat", row.ID+".nii.gz"))
		if err != nil {
			t.Fatal(err)
		}
		pred, err := nifti.Read(filepath.Join(te.PredDir, row.ID+"_pred.nii.gz"))
		if err != nil {
			t.Fatal(err)
		}
		if pred.Header.Affine() != src.Header.Affine() || !equalInts(pred.Shape, src.Shape) {
			t.Fatalf("%s: prediction affine %v shape %v, want the source's %v %v", row.ID, pred.Header.Affine(), pred.Shape, src.Header.Affine(), src.Shape)
		}
		ny, nz := src.Shape[1], src.Shape[2]
		var ones int
		for _, v := range pred.Data {
			switch v {
			case 1:
				ones++
			case 0:
			default:
				t.Fatalf("%s: prediction holds %v: want the heat map binarised at 0.5", row.ID, v)
			}
		}
		if !located {
			continue
		}
		pts := points[row.ID]
		near := func(j, k, r int) bool {
			for _, p := range pts {
				if abs(j-p[0]) <= r && abs(k-p[1]) <= r {
					return true
				}
			}
			return false
		}
		for _, p := range pts {
			found := false
			for k := max(0, p[1]-2); k <= min(nz-1, p[1]+2); k++ {
				for j := max(0, p[0]-2); j <= min(ny-1, p[0]+2); j++ {
					found = found || pred.Data[j+ny*k] == 1
				}
			}
			if !found {
				t.Errorf("%s: no predicted voxel within 2 of the disc at %v", row.ID, p)
			}
		}
		far := 0
		for k := range nz {
			for j := range ny {
				if pred.Data[j+ny*k] == 1 && !near(j, k, 3) {
					far++
				}
			}
		}
		t.Logf("%s: %d voxels marked, %d of them more than 3 from a disc", row.ID, ones, far)
		if far > ones/10 {
			t.Errorf("%s: %d of %d predicted voxels lie more than 3 voxels from every disc", row.ID, far, ones)
		}
	}
	// segment -i gives test's prediction; segment -c covers every image.
	row := te.Rows[0]
	sub, _, _ := strings.Cut(row.ID, "_")
	out, err := segmentFirst([]string{filepath.Join(cfg.Loader.PathData[0], sub, "anat", row.ID+".nii.gz")}, tr.ModelDir, filepath.Join(cfg.PathOutput, "seg"), "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := nifti.Read(out)
	b, _ := nifti.Read(filepath.Join(te.PredDir, row.ID+"_pred.nii.gz"))
	if a == nil || b == nil || !equalFloats(a.Data, b.Data) {
		t.Errorf("segment -i %s differs from test's prediction", row.ID)
	}
	paths, err := Segment(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != len(points) {
		t.Errorf("segment -c wrote %d predictions, want %d", len(paths), len(points))
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// smallHeatNet stands in for Countception where a test cannot afford it
// (a training step on a 32² slice costs seconds: 20×20 kernels on an input
// padded by 40): the same contract, a 2D slice in and a heat map of its
// size out through a final LeakyReLU(0.3), in three 3×3 convolutions.
func smallHeatNet(in, out int) nn.Module {
	c := func(i, o int) *nn.Conv { return nn.NewConv(2, i, o, nn.ConvConfig{Kernel: []int{3}, Pad: []int{1}}) }
	leaky := func(s float32) nn.Layer {
		return nn.NewFunc("leaky_relu", func(x *autograd.Value) *autograd.Value { return autograd.LeakyRelu(x, s) })
	}
	return nn.NewSequential(c(in, 8), leaky(0.01), c(8, 8), leaky(0.01), c(8, out), leaky(0.3))
}

// TestHeatmapPipeline runs config_vertebral_labeling.json's recipe end to
// end on mid-sagittal phantom slices with disc heat maps: soft labels
// through the slice loader, the AdapWing + L2 + Dice loss, test and
// segment writing the binarised, cleaned heat map in the source's space.
// The model is smallHeatNet in place of Countception, built through the
// pipeline's factory from the same options (TestCountceptionEndToEnd runs
// the real one).
func TestHeatmapPipeline(t *testing.T) {
	build := buildNet
	t.Cleanup(func() { buildNet = build })
	var opts nn.Options
	buildNet = func(name string, o json.RawMessage) (nn.Module, error) {
		if name != "Countception" {
			t.Fatalf("built model %s, want Countception", name)
		}
		if err := json.Unmarshal(o, &opts); err != nil {
			t.Fatal(err)
		}
		return smallHeatNet(*opts.InChannel, *opts.OutChannel), nil
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	points := writeDiscData(t, data, 10, 32, 32)
	cfg := discConfig(t, data, filepath.Join(dir, "out"), 12, 0.01)
	runDiscPipeline(t, cfg, points, true)

	// The slice loader gives one sagittal slice per image with the heat
	// map's values: soft_gt keeps them from being binarised at 0.5.
	f, err := frame(cfg, "train", false)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := split(cfg, f, true)
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
	set, err := newSlices2D(pairs, cfg, tl, "training", false, 1<<24)
	if err != nil {
		t.Fatal(err)
	}
	if set.size() != len(pairs) || len(pairs) != 6 {
		t.Fatalf("%d training slices from %d images, want one from each of 6", set.size(), len(pairs))
	}
	smp, _, err := set.drawAt(0, rand.New(rand.NewPCG(1, 2)), cfg.Loader.SoftGT)
	if err != nil {
		t.Fatal(err)
	}
	var soft, peak int
	for _, v := range smp.GT.Data[0] {
		switch {
		case v > 0.01 && v < 0.49:
			soft++
		case v > 0.999:
			peak++
		}
	}
	if soft < 10 || peak < 3 {
		t.Errorf("training label has %d values in (0.01, 0.49) and %d peaks at 1: want the soft heat map", soft, peak)
	}
	if *opts.InChannel != 1 || *opts.OutChannel != 1 || opts.UseLogits == nil || *opts.UseLogits {
		t.Errorf("Countception options in %d out %d use_logits %v, want 1, 1, false", *opts.InChannel, *opts.OutChannel, opts.UseLogits)
	}
}

// TestCountceptionEndToEnd trains ivadomed's Countception itself through
// the pipeline (seconds a step, so not in short mode).
func TestCountceptionEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode: Countception costs seconds a training step; TestHeatmapPipeline runs the pipeline with a small model")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	points := writeDiscData(t, data, 5, 24, 24)
	cfg := discConfig(t, data, filepath.Join(dir, "out"), 10, 0.0005)
	runDiscPipeline(t, cfg, points, false)
}

var discData = flag.String("discdata", "", "TestWriteDiscData writes the timing dataset and config into this folder")

// TestWriteDiscData writes, given -discdata DIR, a dataset for timing
// config_vertebral_labeling.json's model at its 320×128 crop: five
// subjects of writeDiscData, each one sagittal plane 140 voxels from
// front to back and 340 from foot to head (the crop takes 128 and 320
// of them: ivadomed's sagittal slices are head-foot by front-back), and
// DIR/config.json, the
// reference config pointed at them (contrast T2w, target _heatmap, no
// transfer learning, one epoch). Then:
//
//	ivadogo train -c DIR/config.json
func TestWriteDiscData(t *testing.T) {
	if *discData == "" {
		t.Skip("writes a timing dataset only when given -discdata DIR")
	}
	writeDiscData(t, filepath.Join(*discData, "data"), 5, 140, 340)
	b, err := os.ReadFile(filepath.Join(testenv.Shared(t), "reference", "ivadomed-configs", "config_vertebral_labeling.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	delete(c, "gpu_ids")
	c["path_output"] = filepath.Join(*discData, "out")
	lp := c["loader_parameters"].(map[string]any)
	lp["path_data"] = []string{filepath.Join(*discData, "data")}
	lp["target_suffix"] = []string{"_heatmap"}
	cp := lp["contrast_params"].(map[string]any)
	cp["training_validation"], cp["testing"] = []string{"T2w"}, []string{"T2w"}
	tp := c["training_parameters"].(map[string]any)
	tp["training_time"].(map[string]any)["num_epochs"] = 1
	tp["transfer_learning"].(map[string]any)["retrain_model"] = nil
	if b, err = json.MarshalIndent(c, "", "    "); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*discData, "config.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}
