package metrics

import (
	"encoding/json"
	"testing"
)

// FuzzParseEvalParams: any JSON gives parameters or an error, and valid
// parameters evaluate a small volume without panicking.
func FuzzParseEvalParams(f *testing.F) {
	for _, s := range []string{
		`{"target_size": {"unit": "vox", "thr": [20, 100]}, "overlap": {"unit": "vox", "thr": 3}}`,
		`{"target_size": {"unit": "mm3", "thr": [1]}, "overlap": {"unit": "ratio", "thr": 0.5}, "object_detection_metrics": false}`,
		`{"targetSize": {"unit": "vox", "thr": []}}`, `{}`, `null`, `{"overlap": 3}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := ParseEvalParams(json.RawMessage(raw))
		if err != nil {
			return
		}
		pred := [][]float32{{0, 1, 1, 0, 1, 0, 0, 1}}
		gt := [][]float32{{1, 1, 0, 0, 1, 1, 0, 0}}
		if _, _, err := Evaluate3D(pred, gt, [3]int{2, 2, 2}, [3]float64{1, 0.5, 2}, p); err != nil {
			t.Fatalf("parsed parameters %+v fail: %v", p, err)
		}
	})
}
