package pipeline

import (
	"path/filepath"
	"testing"

	"github.com/ivadogo/ivadogo/internal/testenv"
	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/pipeline/transforms"
)

// refConfig reads the reference 2D config that real ivadomed was run with
// (shared/reference/ivadomed-runs/config_2d.json).
func refConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.ReadFile(filepath.Join(testenv.Shared(t), "reference", "ivadomed-runs", "config_2d.json"))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// refSlices is sub-unf01's image of one contrast and its _seg-manual
// label, from the shared ivadomed test data, oriented for a config's slice
// axis as the 2D loader orients them.
type refSlices struct {
	im, gt *volume
	perm   [3]int    // the orientation: volume axes → height, width, slice
	ic, gc []float32 // image and label, oriented
	sh     [3]int    // their oriented shape
	zooms  [3]float64
}

func loadRefSlices(t *testing.T, cfg *config.Config, contrast string) *refSlices {
	t.Helper()
	perm, err := hwdPerm(cfg.Loader.SliceAxis)
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(testenv.Shared(t), "data", "ivadomed-data-testing")
	r := &refSlices{perm: perm}
	if r.im, err = readVolume(loneFile(filepath.Join(root, "sub-unf01", "anat", "sub-unf01_"+contrast+".nii.gz"))); err != nil {
		t.Fatal(err)
	}
	if r.gt, err = readVolume(loneFile(filepath.Join(root, "derivatives", "labels", "sub-unf01", "anat", "sub-unf01_"+contrast+"_seg-manual.nii.gz"))); err != nil {
		t.Fatal(err)
	}
	r.ic, r.sh = permute(r.im.data, r.im.shape, perm)
	r.gc, _ = permute(r.gt.data, r.gt.shape, perm)
	r.zooms = [3]float64{r.im.zooms[perm[0]], r.im.zooms[perm[1]], r.im.zooms[perm[2]]}
	return r
}

// sample returns slice k as the 2D loader's sample, before any transform.
func (r *refSlices) sample(k int) *transforms.Sample {
	part := [3]int{r.sh[0], r.sh[1], 1}
	return &transforms.Sample{Zooms: r.zooms, Im: transforms.Part{Shape: part, Data: [][]float32{slice(r.ic, r.sh, k)}},
		GT: transforms.Part{Shape: part, Data: [][]float32{slice(r.gc, r.sh, k)}}}
}
