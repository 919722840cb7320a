package pipeline

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/bids"
	"github.com/ivadogo/ivadogo/internal/testenv"
	"github.com/ivadogo/ivadogo/nifti"
	"github.com/ivadogo/ivadogo/pipeline/config"
)

// Synthetic SEM-like images: dark axons in bright myelin rings on a gray
// background, with noise. Pixels are twice as tall as wide (PixelSize
// [0.5, 1] µm as [X, Y]) and the image is not square, so that a swap of
// X and Y shows in the prediction's zooms and a transposed label in the
// Dice.
const (
	microH, microW = 40, 48
	microPixelX    = 0.5 // µm
	microPixelY    = 1.0
)

// writeMicroscopyDataset writes a BIDS microscopy dataset of one subject
// with n samples (sample-1 … sample-n) to dir: micr/ PNG images with a
// sidecar every image inherits (sub-01/micr/sub-01_SEM.json), samples.tsv,
// and axon and myelin labels (0/255 PNGs) under derivatives/labels.
func writeMicroscopyDataset(t *testing.T, dir string, n int) {
	t.Helper()
	micr := filepath.Join(dir, "sub-01", "micr")
	lab := filepath.Join(dir, "derivatives", "labels", "sub-01", "micr")
	for _, d := range []string{micr, lab} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(path, s string) {
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "dataset_description.json"), `{"Name": "synthetic SEM", "BIDSVersion": "1.7.0"}`)
	write(filepath.Join(dir, "participants.tsv"), "participant_id\tspecies\nsub-01\trattus norvegicus\n")
	samples := "sample_id\tparticipant_id\tsample_type\n"
	for i := 1; i <= n; i++ {
		samples += fmt.Sprintf("sample-%d\tsub-01\ttissue\n", i)
	}
	write(filepath.Join(dir, "samples.tsv"), samples)
	write(filepath.Join(micr, "sub-01_SEM.json"), fmt.Sprintf(`{"PixelSize": [%g, %g], "PixelSizeUnits": "um"}`, microPixelX, microPixelY))
	for i := 1; i <= n; i++ {
		im, axon, myelin := microscopyPhantom(uint64(i))
		name := fmt.Sprintf("sub-01_sample-%d_SEM", i)
		writePNG(t, filepath.Join(micr, name+".png"), im)
		writePNG(t, filepath.Join(lab, name+"_seg-axon-manual.png"), axon)
		writePNG(t, filepath.Join(lab, name+"_seg-myelin-manual.png"), myelin)
	}
}

// microscopyPhantom draws one image and its two labels: fibres with an
// axon radius of 2.5–4.5 µm and a myelin ring 1.5 µm thick, placed in
// physical coordinates (so elliptic in pixels).
func microscopyPhantom(seed uint64) (im, axon, myelin *image.Gray) {
	r := rand.New(rand.NewPCG(seed, 7))
	rect := image.Rect(0, 0, microW, microH)
	im, axon, myelin = image.NewGray(rect), image.NewGray(rect), image.NewGray(rect)
	type fibre struct{ x, y, r float64 }
	var fs []fibre
	for range 6 {
		fs = append(fs, fibre{r.Float64() * microW * microPixelX, r.Float64() * microH * microPixelY, 2.5 + 2*r.Float64()})
	}
	for y := range microH {
		for x := range microW {
			v := 130.0
			px, py := (float64(x)+0.5)*microPixelX, (float64(y)+0.5)*microPixelY
			for _, f := range fs {
				d := math.Hypot(px-f.x, py-f.y)
				switch {
				case d < f.r:
					v = 45
					axon.SetGray(x, y, grayOf(255))
					myelin.SetGray(x, y, grayOf(0))
				case d < f.r+1.5 && axon.GrayAt(x, y).Y == 0:
					v = 215
					myelin.SetGray(x, y, grayOf(255))
				}
			}
			im.SetGray(x, y, grayOf(v+12*r.NormFloat64()))
		}
	}
	return im, axon, myelin
}

func grayOf(v float64) color.Gray {
	return color.Gray{Y: uint8(math.Max(0, math.Min(255, math.Round(v))))}
}

func writePNG(t *testing.T, path string, im image.Image) {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, im); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readPNG(t *testing.T, path string) *image.Gray {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	im, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	g, ok := im.(*image.Gray)
	if !ok {
		t.Fatalf("%s: %T, want an 8-bit gray PNG", path, im)
	}
	return g
}

// microscopyConfig is config_microscopy.json cut down to a tiny model on
// small patches.
const microscopyConfig = `{
	"command": "train",
	"model_name": "model_seg_axon-myelin",
	"loader_parameters": {
		"target_suffix": ["_seg-axon-manual", "_seg-myelin-manual"],
		"extensions": [".png"],
		"contrast_params": {"training_validation": ["SEM"], "testing": ["SEM"], "balance": {}},
		"slice_filter_params": {"filter_empty_mask": false, "filter_empty_input": true},
		"slice_axis": "axial"
	},
	"split_dataset": {"random_seed": 6, "split_method": "sample_id", "train_fraction": 0.6, "test_fraction": 0.2},
	"training_parameters": {
		"batch_size": 4,
		"loss": {"name": "DiceLoss"},
		"training_time": {"num_epochs": 12, "early_stopping_patience": 50},
		"scheduler": {"initial_lr": 0.01, "lr_scheduler": {"name": "CosineAnnealingLR"}}
	},
	"default_model": {"name": "Unet", "dropout_rate": 0.0, "depth": 2, "n_filters": 8, "is_2d": true,
		"final_activation": "sigmoid", "length_2D": [32, 32], "stride_2D": [24, 24]},
	"postprocessing": {"binarize_maxpooling": {}},
	"evaluation_parameters": {"object_detection_metrics": true},
	"transformation": {
		"Resample": {"hspace": 0.0005, "wspace": 0.0005},
		"NormalizeInstance": {"applied_to": ["im"]}
	}
}`

// TestMicroscopyEndToEnd trains a tiny 2-class U-Net on a synthetic
// microscopy dataset (PNG images and labels, PixelSize sidecar, split by
// sample_id), tests it and segments with it, and checks ivadomed's
// microscopy outputs: the NIfTI prediction on the image's grid with the
// sidecar's pixel size, one PNG per class, the TP/FP/FN PNGs, per-class
// columns in the evaluation CSV, and a Dice for both classes that a
// loader with swapped axes or classes, or unbinarised labels, cannot
// reach.
func TestMicroscopyEndToEnd(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	writeMicroscopyDataset(t, data, 6)
	cfg, err := config.Parse([]byte(microscopyConfig))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Apply(config.Overrides{Command: "train", PathData: []string{data}, PathOutput: filepath.Join(dir, "out")})
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	tr, err := Train(cfg, Options{Log: &log})
	if err != nil {
		t.Fatalf("train: %v\n%s", err, log.String())
	}
	te, err := Test(cfg, Options{Log: &log})
	if err != nil {
		t.Fatalf("test: %v\n%s", err, log.String())
	}
	if len(te.Rows) == 0 {
		t.Fatal("test evaluated no image")
	}
	for _, row := range te.Rows {
		base := filepath.Join(te.PredDir, row.ID)
		pred, err := nifti.Read(base + "_pred.nii.gz")
		if err != nil {
			t.Fatal(err)
		}
		if z := pred.Header.Zooms(); !equalInts(pred.Shape, []int{microH, microW, 1, 2}) || math.Abs(z[0]-microPixelY*1e-3) > 1e-9 || math.Abs(z[1]-microPixelX*1e-3) > 1e-9 {
			t.Errorf("%s: prediction of shape %v, zooms %v; want [%d %d 1 2] and [%g %g ...] mm", row.ID, pred.Shape, z, microH, microW, microPixelY*1e-3, microPixelX*1e-3)
		}
		for c, name := range []string{"axon", "myelin"} {
			d, ok := row.Get(fmt.Sprintf("dice_class%d", c))
			t.Logf("%s %s: Dice %.3f", row.ID, name, d)
			if !ok || !(d > 0.7) {
				t.Errorf("%s: %s Dice %.3f, want > 0.7\n%s", row.ID, name, d, log.String())
			}
			p := readPNG(t, fmt.Sprintf("%s_class-%d_pred.png", base, c))
			if p.Rect.Dx() != microW || p.Rect.Dy() != microH {
				t.Errorf("%s class %d PNG is %v, want %d×%d", row.ID, c, p.Rect, microW, microH)
			}
			// The PNG is the NIfTI's class, ×255.
			for y := range microH {
				for x := range microW {
					if want := uint8(255 * pred.Data[y+microH*x+c*microH*microW]); p.GrayAt(x, y).Y != want {
						t.Fatalf("%s class %d PNG at (%d, %d) = %d, want %d", row.ID, c, x, y, p.GrayAt(x, y).Y, want)
					}
				}
			}
			tp := readPNG(t, fmt.Sprintf("%s_class-%d_pred_TP-FP-FN.png", base, c))
			for _, v := range tp.Pix {
				if v%85 != 0 {
					t.Fatalf("%s class %d TP-FP-FN PNG holds %d, want 0, 85, 170 or 255", row.ID, c, v)
				}
			}
		}
	}
	csv, err := os.ReadFile(te.CSV)
	if err != nil {
		t.Fatal(err)
	}
	if head, _, _ := strings.Cut(string(csv), "\n"); !strings.Contains(head, "dice_class0") || !strings.Contains(head, "dice_class1") {
		t.Errorf("evaluation CSV header %q, want per-class columns", head)
	}

	// segment -i on the test image, whose pixel size comes from the
	// sidecar it inherits, then on a copy with no sidecar, given the
	// pixel size as --pixel-size does, and on that copy beside its own
	// sidecar; all must give test's prediction.
	id := te.Rows[0].ID
	src := filepath.Join(data, "sub-01", "micr", id+".png")
	paths, err := SegmentImages([]string{src}, tr.ModelDir, filepath.Join(dir, "seg"), "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The main prediction first, then each class as NIfTI and PNG.
	out := paths[0]
	var listed []string
	for _, ext := range []string{".nii.gz", ".png"} {
		for c := range 2 {
			listed = append(listed, filepath.Join(dir, "seg", fmt.Sprintf("%s_class-%d_pred%s", id, c, ext)))
		}
	}
	if got := paths[1:]; !slices.Equal(got, listed) {
		t.Errorf("segment -i wrote %v besides %s, want %v", got, out, listed)
	}
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("listed output: %v", err)
		}
	}
	alone := filepath.Join(dir, "alone")
	if err := os.MkdirAll(alone, 0o755); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(src)
	if err := os.WriteFile(filepath.Join(alone, "x.png"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := SegmentImages([]string{filepath.Join(alone, "x.png")}, tr.ModelDir, alone, "", Options{}); err == nil || !strings.Contains(err.Error(), "PixelSize") || !strings.Contains(err.Error(), "x.png") || !strings.Contains(err.Error(), "--pixel-size") {
		t.Errorf("segment -i without a sidecar: %v, want an error naming x.png, PixelSize and --pixel-size", err)
	}
	flagged := filepath.Join(dir, "flagged")
	out3, err := segmentFirst([]string{filepath.Join(alone, "x.png")}, tr.ModelDir, flagged, "", Options{PixelSize: &PixelSize{X: microPixelX * 1000, Y: microPixelY * 1000, Units: "nm"}})
	if err != nil {
		t.Fatal(err)
	}
	side := []byte(fmt.Sprintf(`{"PixelSize": [%g, %g], "PixelSizeUnits": "nm"}`, microPixelX*1000, microPixelY*1000))
	if err := os.WriteFile(filepath.Join(alone, "x.json"), side, 0o644); err != nil {
		t.Fatal(err)
	}
	out2, err := segmentFirst([]string{filepath.Join(alone, "x.png")}, tr.ModelDir, alone, "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := nifti.Read(filepath.Join(te.PredDir, id+"_pred.nii.gz"))
	for _, o := range []string{out, out2, out3} {
		got, err := nifti.Read(o)
		if err != nil {
			t.Fatal(err)
		}
		if !equalFloats(got.Data, want.Data) || !closeZooms([3]float64(got.Header.Zooms()[:3]), [3]float64(want.Header.Zooms()[:3])) {
			t.Errorf("segment -i %s differs from test's prediction", o)
		}
		base := strings.TrimSuffix(o, "_pred.nii.gz")
		for c := range 2 {
			if _, err := os.Stat(fmt.Sprintf("%s_class-%d_pred.png", base, c)); err != nil {
				t.Error(err)
			}
		}
		checkClassFiles(t, o, base, "_pred.nii.gz")
	}
	paths, err = Segment(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 6 {
		t.Errorf("segment -c wrote %d predictions, want 6", len(paths))
	}
	for _, p := range paths {
		base := strings.TrimSuffix(p, "_pred.nii.gz")
		if _, err := os.Stat(base + "_class-1_pred.png"); err != nil {
			t.Error(err)
		}
		checkClassFiles(t, p, base, "_pred.nii.gz")
	}
}

// checkClassFiles checks that a 2-class prediction (4D, classes last) has
// each class beside it as its own 3D base_class-<i><suffix>, on the same
// grid, as ivadomed's --segment writes them.
func checkClassFiles(t *testing.T, pred, base, suffix string) {
	t.Helper()
	all, err := nifti.Read(pred)
	if err != nil {
		t.Fatal(err)
	}
	n := microH * microW
	for c := range 2 {
		p := fmt.Sprintf("%s_class-%d%s", base, c, suffix)
		cl, err := nifti.Read(p)
		if err != nil {
			t.Error(err)
			continue
		}
		if !equalInts(cl.Shape, []int{microH, microW, 1}) || cl.Header.Affine() != all.Header.Affine() {
			t.Errorf("%s: shape %v affine %v, want [%d %d 1] and the 4D prediction's %v", p, cl.Shape, cl.Header.Affine(), microH, microW, all.Header.Affine())
		}
		if !equalFloats(cl.Data, all.Data[c*n:(c+1)*n]) {
			t.Errorf("%s differs from class %d of %s", p, c, pred)
		}
	}
}

// TestReadMicroscopyVolume checks how one PNG becomes a volume: rows on
// the first axis, [Y, X] pixel sizes from the sidecar, ivadomed's label
// threshold, and the errors for a missing pixel size, a label that would
// be empty, and OME-TIFF.
func TestReadMicroscopyVolume(t *testing.T) {
	dir := t.TempDir()
	im := image.NewGray(image.Rect(0, 0, 4, 3))
	lab := image.NewGray(image.Rect(0, 0, 4, 3))
	for y := range 3 {
		for x := range 4 {
			im.SetGray(x, y, color.Gray{Y: uint8(10*y + x)})
			lab.SetGray(x, y, color.Gray{Y: []uint8{0, 100, 127, 128, 255}[(x+y)%5]})
		}
	}
	writePNG(t, filepath.Join(dir, "a.png"), im)
	writePNG(t, filepath.Join(dir, "a_seg.png"), lab)
	if err := os.WriteFile(filepath.Join(dir, "a.json"), []byte(`{"PixelSize": [0.25, 0.5], "PixelSizeUnits": "um"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	v, err := readVolume(loneFile(filepath.Join(dir, "a.png")))
	if err != nil {
		t.Fatal(err)
	}
	// The zooms pass through the header's float32 pixdim, as in ivadomed.
	if v.shape != [3]int{3, 4, 1} || !closeZooms(v.zooms, [3]float64{0.5e-3, 0.25e-3, 0.25e-3}) {
		t.Errorf("shape %v zooms %v, want [3 4 1] and [0.0005 0.00025 0.00025]", v.shape, v.zooms)
	}
	for y := range 3 {
		for x := range 4 {
			if got := v.data[y*4+x]; got != float32(10*y+x) {
				t.Errorf("voxel (%d, %d, 0) = %v, want the pixel at row %d column %d, %d", y, x, got, y, x, 10*y+x)
			}
		}
	}
	// A label takes its image's metadata and is binarised at value/255 ≥ 0.5.
	g, err := readVolume(volumeFile{path: filepath.Join(dir, "a_seg.png"), meta: map[string]any{"PixelSize": []any{0.25, 0.5}}, label: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := sameGrid(v, g); err != nil {
		t.Errorf("label grid: %v", err)
	}
	for y := range 3 {
		for x := range 4 {
			want := float32(0)
			if (x+y)%5 >= 3 {
				want = 1
			}
			if got := g.data[y*4+x]; got != want {
				t.Errorf("label (%d, %d) = %v, want %v", y, x, got, want)
			}
		}
	}
	// A 0/1 label would be empty in ivadomed: an error, not a silent zero.
	writePNG(t, filepath.Join(dir, "b_seg.png"), image.NewGray(image.Rect(0, 0, 4, 3)))
	one := image.NewGray(image.Rect(0, 0, 4, 3))
	one.SetGray(1, 1, color.Gray{Y: 1})
	writePNG(t, filepath.Join(dir, "c_seg.png"), one)
	for name, want := range map[string]string{"b_seg.png": "", "c_seg.png": "save the label with 0 and 255"} {
		p := filepath.Join(dir, name)
		_, err := readVolume(volumeFile{path: p, meta: map[string]any{"PixelSize": 0.1}, label: true})
		if (want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("%s: %v, want %q", name, err, want)
		}
	}
	// No PixelSize in the sidecar, no sidecar, OME-TIFF.
	if err := os.WriteFile(filepath.Join(dir, "d.json"), []byte(`{"PixelSizeUnits": "um"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	writePNG(t, filepath.Join(dir, "d.png"), im)
	writePNG(t, filepath.Join(dir, "e.png"), im)
	for name, want := range map[string]string{"d.png": "no PixelSize", "e.png": "e.json", "f.ome.tif": "OME-TIFF"} {
		_, err := readVolume(loneFile(filepath.Join(dir, name)))
		if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error naming the file and %q", name, err, want)
		}
	}
}

// closeZooms compares voxel sizes within float32 rounding.
func closeZooms(a, b [3]float64) bool {
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-6*b[i] {
			return false
		}
	}
	return true
}

// microscopyRealConfig reads ivadomed's config_microscopy.json set to the
// microscopy_png dataset of ivadomed's testing data and to out.
func microscopyRealConfig(t *testing.T, out string) *config.Config {
	t.Helper()
	shared := testenv.Shared(t)
	data := filepath.Join(shared, "data", "ivadomed-data-testing", "microscopy_png")
	if _, err := os.Stat(data); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing under CI: %v", data, err)
		}
		t.Skipf("%s not found; skipping", data)
	}
	cfg, err := config.ReadFile(filepath.Join(shared, "reference", "ivadomed-configs", "config_microscopy.json"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Apply(config.Overrides{Command: "train", PathData: []string{data}, PathOutput: out})
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestMicroscopyRealData loads every sample of ivadomed's microscopy_png
// testing dataset through config_microscopy.json: the pixel sizes of its
// sidecars in three units (mm, µm with X ≠ Y, nm), images in sessions and
// runs, and two label classes, axon and myelin, binarised at 128 (some
// labels hold 130, 218 or 233 on edges).
func TestMicroscopyRealData(t *testing.T) {
	cfg := microscopyRealConfig(t, t.TempDir())
	if err := cfg.CheckFeatures(Built); err != nil {
		t.Fatalf("config_microscopy.json refused: %v", err)
	}
	pairs := allPairs(t, cfg)
	// Rows × columns of each PNG, its pixel size in mm as [Y, X], and the
	// pixels ≥ 128 of its axon label, of its myelin label and of both, as
	// PIL reads them: for a in derivatives/labels/**/*axon*.png:
	// A = np.array(Image.open(a)); M = … myelin; (A >= 128).sum(), …
	want := map[string]struct {
		sh                 [2]int
		zooms              [2]float64
		axon, myelin, both int
	}{
		"sub-rat2_sample-data5_SEM.png":               {[2]int{725, 725}, [2]float64{9.3e-5, 9.3e-5}, 145148, 211682, 3},
		"sub-rat3_ses-01_sample-data9_SEM.png":        {[2]int{756, 764}, [2]float64{2e-4, 1e-4}, 125696, 157489, 0},
		"sub-rat3_ses-02_sample-data10_SEM.png":       {[2]int{758, 737}, [2]float64{1e-4, 1e-4}, 131482, 165802, 1},
		"sub-rat3_ses-02_sample-data11_run-1_SEM.png": {[2]int{839, 769}, [2]float64{1e-4, 1e-4}, 128404, 182536, 0},
		"sub-rat3_ses-02_sample-data11_run-2_SEM.png": {[2]int{839, 769}, [2]float64{1e-4, 1e-4}, 128404, 182536, 0},
	}
	if len(pairs) != len(want) {
		t.Errorf("%d samples, want %d", len(pairs), len(want))
	}
	for _, p := range pairs {
		name := p.Inputs[0].Filename
		w, ok := want[name]
		if !ok {
			t.Errorf("unexpected sample %s", name)
			continue
		}
		pv, err := readPair(p, [3]int{0, 1, 2})
		if err != nil {
			t.Fatal(err)
		}
		if pv.sh != [3]int{w.sh[0], w.sh[1], 1} || !closeZooms(pv.zooms, [3]float64{w.zooms[0], w.zooms[1], w.zooms[1]}) {
			t.Errorf("%s: shape %v zooms %v, want %v×1 and %v", name, pv.sh, pv.zooms, w.sh, w.zooms)
		}
		if len(pv.gts) != 2 {
			t.Fatalf("%s: %d label volumes, want axon and myelin", name, len(pv.gts))
		}
		var count [2]int
		both := 0
		for i := range pv.gts[0] {
			for c := range 2 {
				switch pv.gts[c][i] {
				case 0:
				case 1:
					count[c]++
				default:
					t.Fatalf("%s: class %d label value %v, want 0 or 1", name, c, pv.gts[c][i])
				}
			}
			if pv.gts[0][i] == 1 && pv.gts[1][i] == 1 {
				both++
			}
		}
		if count != [2]int{w.axon, w.myelin} || both != w.both {
			t.Errorf("%s: axon %d and myelin %d pixels, %d in both; want %d, %d and %d", name, count[0], count[1], both, w.axon, w.myelin, w.both)
		}
	}
}

// TestMicroscopyConfig runs ivadomed's config_microscopy.json unchanged
// but for one epoch (depth-4 U-Net with 64 filters on 256² patches,
// Resample to 0.1 µm, RandomAffine, ElasticTransform, binarize_maxpooling)
// on microscopy_png: train, test and segment must complete and write
// their outputs. Minutes on 2 cores, so not in -short.
func TestMicroscopyConfig(t *testing.T) {
	if testing.Short() {
		t.Skip("a full-size model on real images: minutes")
	}
	cfg := microscopyRealConfig(t, t.TempDir())
	cfg.Training.TrainingTime.NumEpochs = 1
	var log bytes.Buffer
	if _, err := Train(cfg, Options{Log: &log}); err != nil {
		t.Fatalf("train: %v\n%s", err, log.String())
	}
	te, err := Test(cfg, Options{Log: &log})
	if err != nil {
		t.Fatalf("test: %v\n%s", err, log.String())
	}
	t.Logf("%s", log.String())
	if len(te.Rows) != 1 {
		t.Fatalf("test evaluated %d images, want the 1 of the sample split", len(te.Rows))
	}
	for c := range 2 {
		if d, ok := te.Rows[0].Get(fmt.Sprintf("dice_class%d", c)); !ok || math.IsNaN(d) {
			t.Errorf("%s: dice_class%d = %v", te.Rows[0].ID, c, d)
		}
		if _, err := os.Stat(filepath.Join(te.PredDir, fmt.Sprintf("%s_class-%d_pred.png", te.Rows[0].ID, c))); err != nil {
			t.Error(err)
		}
	}
	paths, err := Segment(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 5 {
		t.Errorf("segment wrote %d predictions, want 5", len(paths))
	}
}

// TestMicroscopyFormats reads the 8/16-bit gray, RGB and RGBA PNG and TIFF
// crops of ivadomed's data_test_png_tif by path alone, as segment -i
// does: the pixel size (0.07 µm) comes from the sidecar each inherits from
// its subject folder, and a PNG and its TIFF twin hold the same values.
func TestMicroscopyFormats(t *testing.T) {
	dir := filepath.Join(testenv.SharedData(t), "ivadomed-data-testing", "data_test_png_tif")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing under CI: %v", dir, err)
		}
		t.Skipf("%s not found; skipping", dir)
	}
	for _, s := range []string{"8gray", "8rgb", "8rgba", "16gray", "16rgb", "16rgba"} {
		var vs [2]*volume
		for i, ext := range []string{"png", "tif"} {
			p := filepath.Join(dir, "sub-"+ext, "micr", "sub-"+ext+"_sample-"+s+"_SEM."+ext)
			v, err := readVolume(loneFile(p))
			if err != nil {
				t.Fatal(err)
			}
			if !closeZooms(v.zooms, [3]float64{0.07e-3, 0.07e-3, 0.07e-3}) || v.shape[2] != 1 {
				t.Errorf("%s: shape %v zooms %v, want one slice of 0.00007 mm pixels", p, v.shape, v.zooms)
			}
			vs[i] = v
		}
		if s == "8gray" {
			continue // the PNG is another crop
		}
		if vs[0].shape != vs[1].shape {
			t.Fatalf("%s: PNG shape %v, TIFF %v", s, vs[0].shape, vs[1].shape)
		}
		for i := range vs[0].data {
			if vs[0].data[i] != vs[1].data[i] {
				t.Fatalf("%s: voxel %d is %v in the PNG, %v in the TIFF", s, i, vs[0].data[i], vs[1].data[i])
			}
		}
	}
}

// TestMicroscopyRunsIsolated checks that what one run learns of a
// microscopy file stays with that run: after a frame has indexed a
// dataset, a later read of one of its images by path alone (segment -i in
// the same process) takes the pixel size its sidecar now gives, and the
// frame's rows keep the one they were indexed with.
func TestMicroscopyRunsIsolated(t *testing.T) {
	dir := t.TempDir()
	writeMicroscopyDataset(t, dir, 1)
	cfg, err := config.Parse([]byte(microscopyConfig))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Apply(config.Overrides{Command: "segment", PathData: []string{dir}, PathOutput: filepath.Join(dir, "out")})
	f, err := frame(cfg, "segment", true)
	if err != nil {
		t.Fatal(err)
	}
	var row *bids.Row
	for _, r := range f.Rows {
		if !r.Derivative {
			row = r
		}
	}
	if row == nil {
		t.Fatal("the frame holds no image")
	}
	side := filepath.Join(dir, "sub-01", "micr", "sub-01_SEM.json")
	if err := os.WriteFile(side, []byte(`{"PixelSize": [2, 3], "PixelSizeUnits": "um"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	lone, err := readVolume(loneFile(row.Path))
	if err != nil {
		t.Fatal(err)
	}
	if want := [3]float64{3e-3, 2e-3, 2e-3}; !closeZooms(lone.zooms, want) {
		t.Errorf("%s read alone after a frame indexed it: zooms %v, want the sidecar's new %v", row.Path, lone.zooms, want)
	}
	framed, err := readVolume(rowFile(row))
	if err != nil {
		t.Fatal(err)
	}
	if want := [3]float64{microPixelY * 1e-3, microPixelX * 1e-3, microPixelX * 1e-3}; !closeZooms(framed.zooms, want) {
		t.Errorf("%s read from its frame row: zooms %v, want the indexed %v", row.Path, framed.zooms, want)
	}
}

// TestParsePixelSize checks segment's --pixel-size values: micrometres
// without a unit, the three BIDS units (µm in either spelling), X,Y, and
// errors that say what is wanted.
func TestParsePixelSize(t *testing.T) {
	for _, c := range []struct {
		in   string
		want PixelSize
		err  string
	}{
		{"0.1", PixelSize{0.1, 0.1, "um"}, ""},
		{"0.1um", PixelSize{0.1, 0.1, "um"}, ""},
		{"0.1 µm", PixelSize{0.1, 0.1, "um"}, ""},
		{"0.1μm", PixelSize{0.1, 0.1, "um"}, ""},
		{"100nm", PixelSize{100, 100, "nm"}, ""},
		{"1e-4mm", PixelSize{1e-4, 1e-4, "mm"}, ""},
		{"0.25,0.5um", PixelSize{0.25, 0.5, "um"}, ""},
		{"0.25, 0.5", PixelSize{0.25, 0.5, "um"}, ""},
		{"", PixelSize{}, "is not a number"},
		{"0.1cm", PixelSize{}, `"0.1cm" is not a number (units: um, nm or mm)`},
		{"0", PixelSize{}, "must be positive"},
		{"-0.1um", PixelSize{}, "must be positive"},
		{"NaN", PixelSize{}, "must be positive"},
		{"1,2,3", PixelSize{}, "more than two"},
		{"0.1,", PixelSize{}, "is not a number"},
	} {
		got, err := ParsePixelSize(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), fmt.Sprintf("%q", c.in)) {
				t.Errorf("ParsePixelSize(%q) = %v, %v; want an error naming the value and %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParsePixelSize(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
		if back, err := ParsePixelSize(got.String()); err != nil || back != got {
			t.Errorf("ParsePixelSize(%q.String() = %q) = %v, %v", c.in, got.String(), back, err)
		}
	}
}

// TestMicroscopyPixelSizeFallback checks where a microscopy image's pixel
// size comes from: its metadata (a frame row's, or the sidecar beside a
// file named alone) wins over --pixel-size, which stands in where the
// metadata has no PixelSize or there is no sidecar; with neither the
// error names the file, the sidecar to write and the flag.
func TestMicroscopyPixelSizeFallback(t *testing.T) {
	dir := t.TempDir()
	im := image.NewGray(image.Rect(0, 0, 4, 3))
	for _, n := range []string{"side.png", "noside.png", "nosize.png"} {
		writePNG(t, filepath.Join(dir, n), im)
	}
	for n, s := range map[string]string{"side.json": `{"PixelSize": [0.25, 0.5], "PixelSizeUnits": "um"}`, "nosize.json": `{"PixelSizeUnits": "um"}`} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	flag := &PixelSize{X: 200, Y: 100, Units: "nm"}
	sidecar, fromFlag := [3]float64{0.5e-3, 0.25e-3, 0.25e-3}, [3]float64{0.1e-3, 0.2e-3, 0.2e-3}
	for _, c := range []struct {
		name string
		f    volumeFile
		want [3]float64
		err  []string
	}{
		{"sidecar wins", volumeFile{path: "side.png", pixelSize: flag}, sidecar, nil},
		{"no sidecar", volumeFile{path: "noside.png", pixelSize: flag}, fromFlag, nil},
		{"sidecar without PixelSize", volumeFile{path: "nosize.png", pixelSize: flag}, fromFlag, nil},
		{"frame row wins", volumeFile{path: "noside.png", meta: map[string]any{"PixelSize": []any{0.25, 0.5}}, pixelSize: flag}, sidecar, nil},
		{"frame row without PixelSize", volumeFile{path: "noside.png", meta: map[string]any{}, pixelSize: flag}, fromFlag, nil},
		{"neither", volumeFile{path: "noside.png"}, [3]float64{}, []string{"noside.png", "noside.json", "--pixel-size"}},
		{"frame row without PixelSize, no flag", volumeFile{path: "noside.png", meta: map[string]any{}}, [3]float64{}, []string{"noside.png", "no PixelSize"}},
	} {
		f := c.f
		f.path = filepath.Join(dir, f.path)
		v, err := readVolume(f)
		if c.err != nil {
			for _, w := range c.err {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("%s: %v, want an error with %q", c.name, err, w)
				}
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !closeZooms(v.zooms, c.want) {
			t.Errorf("%s: zooms %v, want %v", c.name, v.zooms, c.want)
		}
	}
}
