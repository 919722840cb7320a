package postprocess

import (
	"encoding/json"
	"testing"
)

// FuzzParse: any JSON gives steps or an error, and parsed steps run on a
// small prediction without panicking.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"binarize_prediction": {"thr": 0.5}, "fill_holes": {}, "keep_largest": {}}`,
		`{"remove_small": {"unit": "vox", "thr": [3, 2]}, "binarize_maxpooling": {}}`,
		`{"remove_noise": {"thr": -1}, "uncertainty": {"thr": 0.1, "suffix": "_soft.nii.gz"}}`,
		`{"remove_small": {"unit": "mm3", "thr": 1e300}}`, `{}`, `null`, `[`, `{"a": 1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		steps, err := Parse(json.RawMessage(raw))
		if err != nil {
			return
		}
		pred := [][]float32{{0, 0.6, 0.7, 0, 1, 0, 0.2, 0.9}, {1, 0, 0, 0.4, 0, 0, 0.8, 0}}
		unc := func(string) ([][]float32, error) { return [][]float32{{0, 1, 0, 1, 0, 1, 0, 1}}, nil }
		_, _ = steps.Apply(pred, [3]int{2, 2, 2}, [3]float64{1, 1, 1}, unc)
	})
}
