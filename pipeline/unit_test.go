package pipeline

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/bids"
	"github.com/ivadogo/ivadogo/nifti"
	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/pipeline/transforms"
)

// TestPermute compares permute with a naive index loop for every axis
// order on odd shapes, and checks inverse undoes it.
func TestPermute(t *testing.T) {
	sh := [3]int{3, 5, 7}
	v := make([]float32, sh[0]*sh[1]*sh[2])
	for i := range v {
		v[i] = float32(i)
	}
	for _, p := range [][3]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}} {
		got, gsh := permute(v, sh, p)
		want := [3]int{sh[p[0]], sh[p[1]], sh[p[2]]}
		if gsh != want {
			t.Fatalf("perm %v: shape %v, want %v", p, gsh, want)
		}
		for i := 0; i < sh[0]; i++ {
			for j := 0; j < sh[1]; j++ {
				for k := 0; k < sh[2]; k++ {
					idx := [3]int{i, j, k}
					o := [3]int{idx[p[0]], idx[p[1]], idx[p[2]]}
					if g := got[(o[0]*gsh[1]+o[1])*gsh[2]+o[2]]; g != v[(i*sh[1]+j)*sh[2]+k] {
						t.Fatalf("perm %v: out%v = %v, want in%v = %v", p, o, g, idx, v[(i*sh[1]+j)*sh[2]+k])
					}
				}
			}
		}
		back, bsh := permute(got, gsh, inverse(p))
		if bsh != sh || !equalFloats(back, v) {
			t.Errorf("perm %v: inverse does not give the input back", p)
		}
	}
}

func TestHWDPerm(t *testing.T) {
	tests := []struct {
		axis string
		want [3]int
		err  bool
	}{
		{"axial", [3]int{0, 1, 2}, false},
		{"sagittal", [3]int{2, 1, 0}, false},
		{"coronal", [3]int{2, 0, 1}, false},
		{"oblique", [3]int{}, true},
	}
	for _, tt := range tests {
		got, err := hwdPerm(tt.axis)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("hwdPerm(%q) = %v, %v; want %v, error %v", tt.axis, got, err, tt.want, tt.err)
		}
	}
}

func TestSliceRoundTrip(t *testing.T) {
	sh := [3]int{4, 3, 5}
	v := make([]float32, 60)
	for i := range v {
		v[i] = float32(i)
	}
	out := make([]float32, 60)
	for k := 0; k < sh[2]; k++ {
		s := slice(v, sh, k)
		for i := 0; i < 4; i++ {
			for j := 0; j < 3; j++ {
				if s[i*3+j] != v[(i*3+j)*5+k] {
					t.Fatalf("slice %d at (%d,%d) = %v, want %v", k, i, j, s[i*3+j], v[(i*3+j)*5+k])
				}
			}
		}
		setSlice(out, sh, k, s)
	}
	if !equalFloats(out, v) {
		t.Error("setSlice of every slice does not rebuild the volume")
	}
}

func TestVolumeCacheBound(t *testing.T) {
	c := newVolumeCache(250)
	for i := 0; i < 5; i++ {
		c.put(i, &pairSlices{bytes: 100})
	}
	if b, _, _ := c.stats(); b > 250 {
		t.Errorf("cache holds %d bytes, over its 250-byte bound", b)
	}
	if c.get(4) == nil || c.get(3) == nil {
		t.Error("the two newest entries were evicted")
	}
	if c.get(0) != nil {
		t.Error("the oldest entry was kept past the bound")
	}
	c.get(3)
	c.put(5, &pairSlices{bytes: 100})
	if c.get(3) == nil || c.get(4) != nil {
		t.Error("eviction is not least-recently-used")
	}
	big := newVolumeCache(10)
	big.put(1, &pairSlices{bytes: 100})
	if big.get(1) == nil {
		t.Error("an entry larger than the bound must still be kept until the next one")
	}
}

// TestAssemble checks padding to a multiple of 2^depth, the placement of
// each sample and the background channel.
func TestAssemble(t *testing.T) {
	mk := func(h, w int, v float32) *transforms.Sample {
		im := make([]float32, h*w)
		gt := make([]float32, h*w)
		for i := range im {
			im[i] = v
		}
		gt[0] = 1
		return &transforms.Sample{
			Im: transforms.Part{Data: [][]float32{im}, Shape: [3]int{h, w, 1}},
			GT: transforms.Part{Data: [][]float32{gt, make([]float32, h*w)}, Shape: [3]int{h, w, 1}},
		}
	}
	b := assemble([]*transforms.Sample{mk(5, 7, 1), mk(9, 3, 2)}, 2, 8, true)
	if b.h != 16 || b.w != 8 || b.k != 3 || b.c != 1 || b.n != 2 {
		t.Fatalf("batch %d×%d×%d×%d, k %d; want 2×1×16×8, k 3", b.n, b.c, b.h, b.w, b.k)
	}
	plane := b.h * b.w
	for i, s := range [][2]int{{5, 7}, {9, 3}} {
		sum := float32(0)
		for _, v := range b.x[i*plane : (i+1)*plane] {
			sum += v
		}
		if want := float32(s[0]*s[1]) * float32(i+1); sum != want {
			t.Errorf("sample %d: image sum %v, want %v (placed once, zero padding)", i, sum, want)
		}
		if b.sizes[i] != s {
			t.Errorf("sample %d: size %v, want %v", i, b.sizes[i], s)
		}
		y := b.y[i*3*plane:]
		if y[0] != 0 || y[plane] != 1 || y[1] != 1 {
			t.Errorf("sample %d: background %v/%v, class0 %v at the labelled voxel; want 0, 1, 1", i, y[0], y[1], y[plane])
		}
	}
}

func TestKeepSlice(t *testing.T) {
	zero := []float32{0, 0}
	one := []float32{0, 1}
	mk := func(im []float32, gts ...[]float32) *transforms.Sample {
		return &transforms.Sample{Im: transforms.Part{Data: [][]float32{im}}, GT: transforms.Part{Data: gts}}
	}
	raters := [][]int{{0}, {1}}
	tests := []struct {
		name string
		s    *transforms.Sample
		sf   config.SliceFilterParams
		want bool
	}{
		{"no filter", mk(zero, zero, zero), config.SliceFilterParams{}, true},
		{"empty input", mk(zero, one, one), config.SliceFilterParams{FilterEmptyInput: true}, false},
		{"input", mk(one, zero, zero), config.SliceFilterParams{FilterEmptyInput: true}, true},
		{"empty mask", mk(one, zero, zero), config.SliceFilterParams{FilterEmptyMask: true}, false},
		{"one class", mk(one, zero, one), config.SliceFilterParams{FilterEmptyMask: true}, true},
		{"absent class", mk(one, zero, one), config.SliceFilterParams{FilterAbsentClass: true}, false},
		{"all classes", mk(one, one, one), config.SliceFilterParams{FilterAbsentClass: true}, true},
	}
	for _, tt := range tests {
		if got := keepSlice(tt.s, raters, tt.sf, nil); got != tt.want {
			t.Errorf("%s: keepSlice = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestBadInput runs Train on broken set-ups: each must fail with one
// error naming what is wrong.
func TestBadInput(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(t *testing.T, cfg *config.Config)
		want   string
	}{
		{"missing dataset", func(t *testing.T, cfg *config.Config) {
			cfg.Loader.PathData = config.Strings{filepath.Join(t.TempDir(), "nope")}
		}, "is not a folder"},
		{"contrast without images", func(t *testing.T, cfg *config.Config) {
			cfg.Loader.ContrastParams.TrainingValidation = []string{"FLAIR"}
		}, "FLAIR"},
		{"label on another grid", func(t *testing.T, cfg *config.Config) {
			path := filepath.Join(cfg.Loader.PathData[0], "derivatives", "labels", "sub-01", "anat", "sub-01_T1w_seg-manual.nii.gz")
			img, err := nifti.Read(path)
			if err != nil {
				t.Fatal(err)
			}
			a := img.Header.Affine()
			a[0][3] += 5 // 5 mm off: not float rounding
			if err := nifti.Write(path, nifti.New(img.Data, img.Shape, a)); err != nil {
				t.Fatal(err)
			}
		}, "sub-01_T1w_seg-manual.nii.gz"},
		{"3D model without patch size", func(t *testing.T, cfg *config.Config) {
			cfg.DefaultModel.Set("is_2d", false)
		}, "length_3D"},
		{"model not built", func(t *testing.T, cfg *config.Config) {
			cfg.DefaultModel.Name = "PlainUnet"
		}, "default_model.name: not implemented yet: model PlainUnet"},
		{"slice classifier without classifier_path", func(t *testing.T, cfg *config.Config) {
			cfg.Loader.SliceFilterParams.FilterClassification = true
		}, "slice_filter_params.classifier_path: not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := e2eConfig(t, t.TempDir(), 1)
			tt.break_(t, cfg)
			_, err := Train(cfg, Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestUnwritableOutput(t *testing.T) {
	cfg := e2eConfig(t, t.TempDir(), 1)
	// A folder under a regular file cannot be made, even by root.
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg.PathOutput = filepath.Join(file, "out")
	if _, err := Train(cfg, Options{}); err == nil || !strings.Contains(err.Error(), "path_output") {
		t.Errorf("error %v, want one naming path_output", err)
	}
	if b, _ := os.ReadFile(file); string(b) != "x" {
		t.Error("the file in the way was changed")
	}
}

// segmentFirst is SegmentImages for the tests that need the main
// prediction's path alone.
func segmentFirst(images []string, modelDir, outDir, suffix string, o Options) (string, error) {
	paths, err := SegmentImages(images, modelDir, outDir, suffix, o)
	if err != nil {
		return "", err
	}
	return paths[0], nil
}

// TestDrawRaters checks the label each class of a sample takes: a class
// with one rater always its own; with several, one rater number drawn
// per sample and shared by the classes (each rater about as often), and
// no draw at all where no class has several, so that the random stream
// of the transforms does not move.
func TestDrawRaters(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	raters := [][]int{{0}, {1, 2}, {3, 4}}
	seen := map[int]int{}
	for range 1000 {
		got := drawRaters(raters, r)
		if got[0] != 0 || got[1]-1 != got[2]-3 || got[1] < 1 || got[1] > 2 {
			t.Fatalf("drawRaters(%v) = %v: want class 0's label 0 and one rater for classes 1 and 2", raters, got)
		}
		seen[got[1]]++
	}
	if seen[1] < 400 || seen[2] < 400 {
		t.Errorf("raters drawn %v times in 1000 samples, want about 500 each", seen)
	}
	a, b := rand.New(rand.NewPCG(3, 4)), rand.New(rand.NewPCG(3, 4))
	if got := drawRaters([][]int{{0}, {1}}, a); got[0] != 0 || got[1] != 1 {
		t.Errorf("one rater a class: %v, want [0 1]", got)
	}
	if a.Uint64() != b.Uint64() {
		t.Error("drawRaters drew from the random stream with one rater per class")
	}
}

// TestSegmentInputs checks what segment -c runs on: each image alone, or
// with multichannel the images of each acquisition (subject and session
// here) in the order of the contrasts, where one missing a contrast is
// skipped and said so, as ivadomed does.
func TestSegmentInputs(t *testing.T) {
	var f bids.Frame
	for _, name := range []string{"sub-02_T1w.nii.gz", "sub-01_ses-2_T2w.nii.gz", "sub-01_ses-1_T1w.nii.gz", "sub-01_ses-2_T1w.nii.gz", "sub-01_ses-1_T2w.nii.gz"} {
		n := bids.ParseName(name)
		f.Rows = append(f.Rows, &bids.Row{Filename: name, Path: "/d/" + name, Image: &bids.Image{Name: n}})
	}
	f.Rows = append(f.Rows, &bids.Row{Filename: "sub-01_ses-1_T2w_seg-manual.nii.gz", Derivative: true, Image: &bids.Image{Name: bids.ParseName("sub-01_ses-1_T2w_seg-manual.nii.gz")}})
	cfg := &config.Config{}
	cfg.Loader.ContrastParams.Testing = []string{"T2w", "T1w"}
	in, skipped := segmentInputs(&f, cfg)
	want := [][]string{{"/d/sub-01_ses-1_T1w.nii.gz"}, {"/d/sub-01_ses-1_T2w.nii.gz"}, {"/d/sub-01_ses-2_T1w.nii.gz"}, {"/d/sub-01_ses-2_T2w.nii.gz"}, {"/d/sub-02_T1w.nii.gz"}}
	if !slices.EqualFunc(in, want, slices.Equal) || len(skipped) != 0 {
		t.Errorf("one channel: inputs %q, skipped %q; want %q and none", in, skipped, want)
	}
	cfg.Loader.Multichannel = true
	in, skipped = segmentInputs(&f, cfg)
	want = [][]string{{"/d/sub-01_ses-1_T2w.nii.gz", "/d/sub-01_ses-1_T1w.nii.gz"}, {"/d/sub-01_ses-2_T2w.nii.gz", "/d/sub-01_ses-2_T1w.nii.gz"}}
	if !slices.EqualFunc(in, want, slices.Equal) {
		t.Errorf("multichannel: inputs %q, want %q", in, want)
	}
	if len(skipped) != 1 || !strings.Contains(skipped[0], "sub-02 has no T2w image") {
		t.Errorf("multichannel: skipped %q, want sub-02, which has no T2w", skipped)
	}
}
