package transforms

import (
	"math/rand/v2"
	"testing"

	"github.com/ivadogo/ivadogo/pipeline/metrics"
	"github.com/ivadogo/ivadogo/pipeline/postprocess"
)

// TestTestTimeRoundTrip runs the path of `test`: test-time transforms on an
// image and its label, a "prediction" equal to the transformed label, undo
// back to the input's grid, post-processing and the 3D evaluation. A
// broken undo (wrong shape, shifted crop, wrong zoom) cannot reach the
// Dice bound. The crop pads along the first axis and cuts along the
// second, outside the object.
func TestTestTimeRoundTrip(t *testing.T) {
	shape := [3]int{21, 18, 7}
	gt := make([]float32, shape[0]*shape[1]*shape[2])
	img := make([]float32, len(gt))
	r := rand.New(rand.NewPCG(1, 1))
	for i := 0; i < shape[0]; i++ {
		for j := 0; j < shape[1]; j++ {
			for k := 0; k < shape[2]; k++ {
				p := idx(shape, i, j, k)
				di, dj, dk := float64(i-11)/5, float64(j-8)/4, float64(k-3)/2.5
				if di*di+dj*dj+dk*dk < 1 {
					gt[p] = 1
				}
				img[p] = 100*gt[p] + float32(r.NormFloat64())
			}
		}
	}
	l := mustParse(t, `{
		"Resample": {"hspace": 0.8, "wspace": 1.2, "dspace": 1.5},
		"CenterCrop": {"size": [30, 14, 8]},
		"RandomAffine": {"degrees": 10, "dataset_type": ["training"]},
		"NormalizeInstance": {"applied_to": ["im"]}
	}`)
	c := l.For(Testing, true)
	s := &Sample{
		Im:    Part{Data: [][]float32{append([]float32(nil), img...)}, Shape: shape},
		GT:    Part{Data: [][]float32{append([]float32(nil), gt...)}, Shape: shape},
		Zooms: [3]float64{1, 1, 2},
	}
	rec, err := c.Apply(s, r)
	if err != nil {
		t.Fatal(err)
	}
	if s.Im.Shape != [3]int{30, 14, 8} {
		t.Fatalf("transformed shape %v, want the crop size", s.Im.Shape)
	}
	back, err := rec.Undo(Part{Data: [][]float32{s.GT.Data[0]}, Shape: s.GT.Shape})
	if err != nil {
		t.Fatal(err)
	}
	if back.Shape != shape {
		t.Fatalf("undo gave shape %v, want the input's %v", back.Shape, shape)
	}
	steps, err := postprocess.Parse([]byte(`{"binarize_prediction": {"thr": 0.5}, "keep_largest": {}}`))
	if err != nil {
		t.Fatal(err)
	}
	pred, err := steps.Apply(back.Data, shape, [3]float64{1, 1, 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	row, _, err := metrics.Evaluate3D(pred, [][]float32{gt}, shape, [3]float64{1, 1, 2}, metrics.DefaultEvalParams())
	if err != nil {
		t.Fatal(err)
	}
	d, _ := row.Get("dice_class0")
	t.Logf("Dice after the round trip: %.4f", d)
	if d < 0.97 {
		t.Errorf("Dice after the round trip %v, want ≥ 0.97", d)
	}
	if n, _ := row.Get("n_pred_class0"); n != 1 {
		t.Errorf("%v predicted objects, want 1", n)
	}
}
