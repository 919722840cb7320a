package pipeline

import (
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/nifti"
)

// TestWriteSrcHeader checks that a prediction file keeps its source's
// header whether it holds one class (3D) or several (4D, classes last):
// same affine, transform codes and voxel sizes, and the data in order.
func TestWriteSrcHeader(t *testing.T) {
	aff := nifti.Affine{{0, 0, -0.8, 40}, {-0.7, 0, 0, 12}, {0, 1.2, 0, -30}, {0, 0, 0, 1}}
	src := nifti.New(make([]float32, 3*4*5), []int{3, 4, 5}, aff)
	src.Header.QformCode, src.Header.SformCode = 1, 1
	n := 3 * 4 * 5
	for _, classes := range []int{1, 3} {
		vols := make([][]float32, classes)
		for c := range vols {
			vols[c] = make([]float32, n)
			for i := range vols[c] {
				vols[c][i] = float32(c*n + i)
			}
		}
		path := filepath.Join(t.TempDir(), "p_pred.nii.gz")
		if err := writeSrc(path, src, vols); err != nil {
			t.Fatal(err)
		}
		got, err := nifti.Read(path)
		if err != nil {
			t.Fatal(err)
		}
		want := []int{3, 4, 5}
		if classes > 1 {
			want = append(want, classes)
		}
		if !slices.Equal(got.Shape, want) {
			t.Errorf("%d classes: shape %v, want %v", classes, got.Shape, want)
		}
		h := got.Header
		if h.QformCode != 1 || h.SformCode != 1 {
			t.Errorf("%d classes: qform/sform codes %d/%d, want the source's 1/1", classes, h.QformCode, h.SformCode)
		}
		if h.Affine() != src.Header.Affine() {
			t.Errorf("%d classes: affine %v, want %v", classes, h.Affine(), src.Header.Affine())
		}
		if !slices.Equal(h.Pixdim[1:4], src.Header.Pixdim[1:4]) {
			t.Errorf("%d classes: voxel sizes %v, want %v", classes, h.Pixdim[1:4], src.Header.Pixdim[1:4])
		}
		for i, v := range got.Data {
			if v != float32(i) {
				t.Fatalf("%d classes: value %d is %v, want %d", classes, i, v, i)
			}
		}
	}
}

// TestVolumeOfShapes checks which images segment, test and the loaders
// take as a volume: 3D, 2D (one slice) and 3D with trailing axes of 1
// are taken; a time series and voxels of several values (RGB, complex,
// whose Shape ends in a channel axis) are refused with an error that
// names the file and what was wrong, instead of a 2D image's channels
// passing for slices.
func TestVolumeOfShapes(t *testing.T) {
	aff := nifti.Affine{{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}
	for _, c := range []struct {
		name  string
		shape []int // the header's shape
		dt    nifti.Datatype
		want  [3]int
		err   string
	}{
		{"3D", []int{3, 4, 5}, nifti.Float32, [3]int{3, 4, 5}, ""},
		{"2D", []int{3, 4}, nifti.Float32, [3]int{3, 4, 1}, ""},
		{"3D with a time axis of 1", []int{3, 4, 5, 1}, nifti.Float32, [3]int{3, 4, 5}, ""},
		{"time series", []int{3, 4, 5, 2}, nifti.Float32, [3]int{}, "want a 3D volume"},
		{"2D complex", []int{3, 3}, nifti.Complex64, [3]int{}, "hold 2 values each"},
		{"2D RGB", []int{3, 3}, nifti.RGB24, [3]int{}, "hold 3 values each"},
		{"3D RGB", []int{3, 3, 3}, nifti.RGB24, [3]int{}, "hold 3 values each"},
	} {
		n := 1
		for _, d := range c.shape {
			n *= d
		}
		img := nifti.New(make([]float32, n), c.shape, aff)
		if ch := c.dt.Channels(); ch > 1 {
			img.Header.Datatype = c.dt
			img.Shape = append(img.Shape, ch)
			img.Data = make([]float32, n*ch)
		}
		v, err := volumeOf(img, "x.nii.gz")
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "x.nii.gz") {
				t.Errorf("%s: error %v, want one naming x.nii.gz and saying %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if v.shape != c.want {
			t.Errorf("%s: volume of shape %v, want %v", c.name, v.shape, c.want)
		}
		if v.ras.Data != nil {
			t.Errorf("%s: the canonical image keeps its voxels beside the volume's copy of them", c.name)
		}
	}
}

// TestSameGrid checks the grid a label must share with its image: the
// same voxels to within half a voxel anywhere in the volume. A header
// rounded to two decimals passes, as ivadomed's testing data's lesion
// label does (0.47 voxel at its far corner); a shift past half a voxel, a
// rotation that moves the far corner by more, or another shape fails,
// with the largest difference named.
func TestSameGrid(t *testing.T) {
	img := nifti.Affine{{1, 6.83364e-08, 6.88261e-05, -64.1297}, {-1.11898e-05, 0.986856, 0.161602, -59.711}, {-6.79104e-05, -0.161602, 0.986856, -2.37949}, {0, 0, 0, 1}}
	rounded := nifti.Affine{{1, 0, 0, -64.13}, {0, 0.99, 0.16, -59.7131}, {0, -0.16, 0.99, -2.25085}, {0, 0, 0, 1}}
	shifted := img
	for i := range 3 {
		shifted[i][3] += 0.51 * img[i][2] // just over half a voxel along the third axis
	}
	turned := img
	turned[1][1] += 0.004 // 141 voxels × 0.004 mm: about 0.56 voxel at the far end
	shape := [3]int{131, 141, 16}
	vol := func(a nifti.Affine, sh [3]int) *volume {
		return &volume{shape: sh, ras: &nifti.Image{Header: headerWith(t, a)}}
	}
	if s := gridShift(img, rounded, shape); math.Abs(s-0.4707) > 1e-3 {
		t.Errorf("rounded header: shift %.4f voxels, want 0.4707", s)
	}
	tests := []struct {
		name string
		b    *volume
		want string // "" for the same grid
	}{
		{"itself", vol(img, shape), ""},
		{"rounded header", vol(rounded, shape), ""},
		{"half a voxel off", vol(shifted, shape), "grid differs from the image's"},
		{"turned", vol(turned, shape), "up to 0.553 voxels from the image's (affine row 1 col 1: 0.990"},
		{"other shape", vol(img, [3]int{131, 141, 15}), "shape [131 141 15] differs from the image's [131 141 16]"},
		{"singular", vol(nifti.Affine{{1, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}, shape), "grid differs"},
	}
	for _, tt := range tests {
		a := vol(img, shape)
		if tt.name == "singular" {
			a, tt.b = tt.b, a
		}
		err := sameGrid(a, tt.b)
		if (err == nil) != (tt.want == "") || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
	// invert3 against a product that must give the identity.
	m := [3][3]float64{{2, 1, 0.5}, {-1, 3, 0.25}, {0.1, -0.2, 4}}
	inv, ok := invert3(m)
	if !ok {
		t.Fatal("invert3 found a regular matrix singular")
	}
	for i := range 3 {
		for j := range 3 {
			var p float64
			for k := range 3 {
				p += m[i][k] * inv[k][j]
			}
			if want := map[bool]float64{true: 1, false: 0}[i == j]; math.Abs(p-want) > 1e-12 {
				t.Fatalf("m·invert3(m) at %d,%d: %v, want %v", i, j, p, want)
			}
		}
	}
}

// headerWith is a NIfTI header whose affine (sform) is a.
func headerWith(t *testing.T, a nifti.Affine) *nifti.Header {
	t.Helper()
	return nifti.New(make([]float32, 1), []int{1, 1, 1}, a).Header
}
