package pipeline

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/pipeline/phantom"
)

// TestRenderFrame checks a frame's colours pixel by pixel: gray from the
// slice's minimum to its maximum, red where the prediction reaches 0.5,
// the label's outline in green, and the magnification.
func TestRenderFrame(t *testing.T) {
	const h, w = 4, 5
	im := make([]float32, h*w)
	for j := range im {
		im[j] = 10 + 2*float32(j) // 10 (black) … 48 (white)
	}
	prob := make([]float32, h*w)
	prob[1] = 0.5  // red, on a dark pixel
	prob[2] = 0.49 // below the threshold: gray
	prob[19] = 0.9 // red, on the brightest pixel
	gt := make([]float32, h*w)
	// A 3×3 label whose centre (row 2, column 2) is inside, the rest
	// outline.
	for r := 1; r < 4; r++ {
		for q := 1; q < 4; q++ {
			gt[r*w+q] = 1
		}
	}
	f := renderFrame(im, prob, gt, h, w, 2)
	if b := f.Bounds(); b.Dx() != 2*w || b.Dy() != 2*h {
		t.Fatalf("bounds %v, want %d×%d", b, 2*w, 2*h)
	}
	rgb := func(r, q int) color.RGBA { return f.At(2*q+1, 2*r+1).(color.RGBA) }
	// Pixel j of the slice has t = j/19 of the way from black to white:
	// gray level round(191·t) of 191, red level round(62·t) of 62.
	gray := func(v uint8) color.RGBA { return color.RGBA{v, v, v, 255} }
	want := map[[2]int]color.RGBA{
		{0, 0}: gray(0),              // the minimum
		{0, 2}: gray(27),             // prob 0.49: level 20 → 26.7
		{0, 1}: {134, 6, 6, 255},     // red over level 3 of 62 → 12.3, halved
		{3, 4}: {255, 128, 128, 255}, // red over white
		{2, 2}: gray(162),            // inside the label: level 121 → 161.5
		{1, 1}: {0, 255, 0, 255},     // outline
		{3, 3}: {0, 255, 0, 255},     // outline at the slice's edge
		{2, 4}: gray(188),            // outside the label: level 141 → 188.3
		{3, 0}: gray(202),            // level 151 → 201.6
	}
	for p, c := range want {
		if got := rgb(p[0], p[1]); got != c {
			t.Errorf("pixel (%d, %d) = %v, want %v", p[0], p[1], got, c)
		}
	}
	if got := rgb(0, 0); f.At(0, 0) != f.At(1, 1) || got != (color.RGBA{0, 0, 0, 255}) {
		t.Errorf("magnified pixel (0, 0) not uniform")
	}
	// A constant slice is black, not NaN.
	flat := renderFrame(make([]float32, 4), make([]float32, 4), make([]float32, 4), 2, 2, 1)
	for _, v := range flat.Pix {
		if v != 0 {
			t.Fatalf("constant slice: palette index %d, want 0", v)
		}
	}
}

func TestGIFStem(t *testing.T) {
	for in, want := range map[string]string{
		"sub-01_T2w.nii.gz":        "sub-01__T2w__7",
		"sub-ab_acq-ax_T1w.nii":    "sub-ab__acq-ax_T1w__7",
		"image.nii.gz":             "image__image__7",
		"sub-3_ses-pre_T2star.nii": "sub-3__ses-pre_T2star__7",
	} {
		if got := gifStem(in, 7); got != want {
			t.Errorf("gifStem(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAppendFrameKeeps checks that a rewrite keeps only the frames before
// the epoch, so that frames of an epoch whose checkpoint was lost are
// replaced on resume, both when the frames are read back from the file
// (appendFrame, as on resume) and when they are kept in memory (add), and
// that the spliced file decodes to the frames added, looping.
func TestAppendFrameKeeps(t *testing.T) {
	dir := t.TempDir()
	z := make([]float32, 6)
	var frames []*image.Paletted
	for i := range 5 {
		frames = append(frames, renderFrame([]float32{0, float32(i), 1, 2, 3, 4}, z, z, 2, 3, 1))
	}
	keeps := []int{0, 1, 2, 1, 5} // 1 frame, 2, 3, then f0 f3, then f0 f3 f4
	reread, kept := filepath.Join(dir, "reread.gif"), filepath.Join(dir, "kept.gif")
	gf, err := openGIF(kept, 0, frames[0].Bounds())
	if err != nil {
		t.Fatal(err)
	}
	for i, keep := range keeps {
		if err := appendFrame(reread, frames[i], keep); err != nil {
			t.Fatal(err)
		}
		if err := gf.add(frames[i], keep); err != nil {
			t.Fatal(err)
		}
	}
	for _, path := range []string{reread, kept} {
		a := decodeGIF(t, path)
		if len(a.Image) != 3 {
			t.Fatalf("%s: %d frames, want 3", filepath.Base(path), len(a.Image))
		}
		for i, want := range []int{0, 3, 4} {
			if !bytes.Equal(a.Image[i].Pix, frames[want].Pix) {
				t.Errorf("%s: frame %d is %v, want frame %d's %v", filepath.Base(path), i, a.Image[i].Pix, want, frames[want].Pix)
			}
			if a.Delay[i] != gifDelay {
				t.Errorf("%s: frame %d delay %d, want %d", filepath.Base(path), i, a.Delay[i], gifDelay)
			}
		}
		if a.LoopCount != 0 {
			t.Errorf("%s: loop count %d, want 0 (for ever)", filepath.Base(path), a.LoopCount)
		}
	}
}

func decodeGIF(t *testing.T, path string) *gif.GIF {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	a, err := gif.DecodeAll(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return a
}

// TestTrainGIF trains 2 epochs on the phantom with -g 2, stopping after
// the first and resuming: both GIFs have one frame after the first call
// and two after the resume, on the same slices. It takes about a second,
// so it runs in the short suite too.
func TestTrainGIF(t *testing.T) {
	dir := t.TempDir()
	cfg := e2eConfig(t, dir, 2)
	cfg.Training.TrainingTime.EarlyStoppingPatience = 10
	gifs := func() []string {
		m, err := filepath.Glob(filepath.Join(cfg.PathOutput, "gifs", "*.gif"))
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(m)
		return m
	}
	frames := func(want int) []string {
		t.Helper()
		g := gifs()
		if len(g) != 2 {
			t.Fatalf("%d GIFs %v, want 2", len(g), g)
		}
		for _, p := range g {
			if a := decodeGIF(t, p); len(a.Image) != want {
				t.Errorf("%s: %d frames, want %d", filepath.Base(p), len(a.Image), want)
			}
		}
		return g
	}
	var log bytes.Buffer
	if _, err := Train(cfg, Options{GIF: 2, StopAfterEpochs: 1, Log: &log}); err != nil {
		t.Fatalf("train: %v\n%s", err, log.String())
	}
	first := frames(1)
	if _, err := Train(cfg, Options{GIF: 2, Resume: true, Log: &log}); err != nil {
		t.Fatalf("resume: %v\n%s", err, log.String())
	}
	resumed := frames(2)
	if first[0] != resumed[0] || first[1] != resumed[1] {
		t.Fatalf("resume animated %v, first call %v", resumed, first)
	}
	for _, p := range resumed {
		if ok, _ := filepath.Match("sub-*__T*w__*.gif", filepath.Base(p)); !ok {
			t.Errorf("GIF name %s, want sub-XX__<contrast>__<slice>.gif", filepath.Base(p))
		}
	}
}

// benchFrame is a 128×128 frame of a noisy slice (LZW's worst case).
func benchFrame() *image.Paletted {
	im := make([]float32, 64*64)
	for j := range im {
		im[j] = float32(j % 97)
	}
	z := make([]float32, 64*64)
	return renderFrame(im, z, z, 64, 64, 2)
}

// BenchmarkGIFAddFrame is an epoch's write of one GIF at 100 frames, the
// frames kept encoded in memory (what Train does).
func BenchmarkGIFAddFrame(b *testing.B) {
	f := benchFrame()
	gf, err := openGIF(filepath.Join(b.TempDir(), "a.gif"), 0, f.Bounds())
	if err != nil {
		b.Fatal(err)
	}
	for i := range 100 {
		gf.add(f, i)
	}
	b.ResetTimer()
	for range b.N {
		if err := gf.add(f, 100); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGIFAppendFrame is the same write reading the 100 frames back
// from the file (what the first epoch of a resumed run does; every epoch
// did it before the frames were kept).
func BenchmarkGIFAppendFrame(b *testing.B) {
	f := benchFrame()
	path := filepath.Join(b.TempDir(), "a.gif")
	for i := range 100 {
		appendFrame(path, f, i)
	}
	b.ResetTimer()
	for range b.N {
		if err := appendFrame(path, f, 100); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBatchSlice checks the planes a frame shows: the sample's unpadded
// size, the middle slice of a 3D patch, the largest class, and a blank
// label where the labels are not maps (a classifier's).
func TestBatchSlice(t *testing.T) {
	// One 3D sample of 2×3×3 padded to 4×4×4, two classes.
	b := &batch{n: 1, c: 1, k: 2, h: 4, w: 4, d: 4, sizes: [][2]int{{2, 3}}, depths: []int{3}}
	val := func(c, r, q, z int) float32 { return float32(1000*c + 100*r + 10*q + z) }
	fill := func(k int) []float32 {
		v := make([]float32, k*4*4*4)
		for c := range k {
			for r := range 4 {
				for q := range 4 {
					for z := range 4 {
						v[((c*4+r)*4+q)*4+z] = val(c, r, q, z)
					}
				}
			}
		}
		return v
	}
	b.x, b.y = fill(1), fill(2)
	im, prob, gt, h, w := b.slice(fill(2))
	if h != 2 || w != 3 {
		t.Fatalf("slice %d×%d, want 2×3", h, w)
	}
	for r := range h {
		for q := range w {
			j := r*w + q
			if im[j] != val(0, r, q, 1) || prob[j] != val(1, r, q, 1) || gt[j] != val(1, r, q, 1) {
				t.Errorf("(%d, %d): image %v, prediction %v, label %v; want %v, %v, %v", r, q, im[j], prob[j], gt[j], val(0, r, q, 1), val(1, r, q, 1), val(1, r, q, 1))
			}
		}
	}
	b.y = []float32{1, 0}
	_, prob, gt, _, _ = b.slice([]float32{0.9, 0.1})
	for j := range gt {
		if gt[j] != 0 || prob[j] != 0 {
			t.Fatalf("classifier labels: label %v, prediction %v, want blank", gt, prob)
		}
	}
}

// TestTrainGIF3D trains a 3D model one epoch with -g 3: each GIF shows
// the middle axial slice of a 32×32×16 patch (index 8 of the 16 slices),
// magnified 4 times.
func TestTrainGIF3D(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "phantom")
	if _, err := phantom.Write(data, phantom.Options{Subjects: 5, Size: [3]int{48, 48, 16}, Contrasts: []string{"T2w"}}); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse([]byte(`{
		"command": "train", "path_output": "out", "model_name": "m3d",
		"loader_parameters": {
			"path_data": ["data"], "target_suffix": ["_seg-manual"],
			"contrast_params": {"training_validation": ["T2w"], "testing": ["T2w"]},
			"slice_filter_params": {"filter_empty_mask": false, "filter_empty_input": false}
		},
		"split_dataset": {"random_seed": 6, "train_fraction": 0.6, "test_fraction": 0.2},
		"training_parameters": {"batch_size": 4, "loss": {"name": "DiceLoss"}, "training_time": {"num_epochs": 1}},
		"default_model": {"name": "Unet", "dropout_rate": 0.0, "depth": 3, "is_2d": false},
		"Modified3DUNet": {"applied": true, "length_3D": [32, 32, 16], "stride_3D": [16, 16, 16], "n_filters": 4},
		"transformation": {"NormalizeInstance": {"applied_to": ["im"]}}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Apply(config.Overrides{Command: "train", PathData: []string{data}, PathOutput: filepath.Join(dir, "out")})
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := Train(cfg, Options{GIF: 3}); err != nil {
		t.Fatal(err)
	}
	g, err := filepath.Glob(filepath.Join(cfg.PathOutput, "gifs", "*.gif"))
	if err != nil {
		t.Fatal(err)
	}
	if len(g) != 3 {
		t.Fatalf("%d GIFs %v, want 3", len(g), g)
	}
	for _, p := range g {
		if ok, _ := filepath.Match("sub-*__T2w__8_*-*.gif", filepath.Base(p)); !ok || strings.Count(filepath.Base(p), "-") != 2 {
			t.Errorf("GIF name %s, want sub-XX__T2w__8_<row>-<column>.gif", filepath.Base(p))
		}
		a := decodeGIF(t, p)
		if len(a.Image) != 1 || a.Image[0].Bounds() != image.Rect(0, 0, 128, 128) {
			t.Errorf("%s: %d frames of %v, want 1 of 128×128", filepath.Base(p), len(a.Image), a.Image[0].Bounds())
		}
	}
}
