package pipeline

import (
	"path/filepath"
	"slices"
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
