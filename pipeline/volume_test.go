package pipeline

import (
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
