package pipeline

import (
	"testing"

	"github.com/ivadogo/ivadogo/pipeline/postprocess"
)

// TestPostprocessSoft checks that a soft prediction loses its values ≤ 0.01
// before post-processing, as ivadomed's pred_to_nib: keep_largest must
// keep the small confident object, not the large faint background that
// its 0.001 threshold would otherwise find.
func TestPostprocessSoft(t *testing.T) {
	sh := [3]int{8, 8, 2}
	n := sh[0] * sh[1] * sh[2]
	cases := []struct {
		name       string
		background float32 // value of every voxel outside the object
		steps      string
		wantObject bool    // the object survives
		wantBack   float32 // what the background becomes
	}{
		{"faint background discarded, object kept", 0.005, `{"keep_largest": {}}`, true, 0},
		{"0.01 is discarded", 0.01, `{"keep_largest": {}}`, true, 0},
		{"above 0.01 is kept and is the largest object", 0.02, `{"keep_largest": {}}`, true, 0.02},
		{"no post-processing still discards", 0.005, `{}`, true, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			post, err := postprocess.Parse([]byte(c.steps))
			if err != nil {
				t.Fatal(err)
			}
			v := make([]float32, n)
			for i := range v {
				v[i] = c.background
			}
			// A 1×2×2 object of 0.9 (C order: voxels (0,0,·) and (0,1,·)).
			obj := []int{0, 1, 2, 3}
			for _, i := range obj {
				v[i] = 0.9
			}
			out, err := postprocessSoft(post, [][]float32{v}, sh, [3]float64{1, 1, 1}, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, i := range obj {
				if got := out[0][i] == 0.9; got != c.wantObject {
					t.Errorf("object voxel %d = %v, want kept %v", i, out[0][i], c.wantObject)
				}
			}
			if got := out[0][n-1]; got != c.wantBack {
				t.Errorf("background voxel = %v, want %v", got, c.wantBack)
			}
		})
	}
}
