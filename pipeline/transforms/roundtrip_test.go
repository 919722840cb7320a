package transforms

import (
	"fmt"
	"math"
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

// TestExactUndo checks the undo steps that invert their transform
// exactly: a mirror along any set of axes, an intensity shift, and the
// identity undo of the deterministic intensity transforms. Applied at test
// time to an image and its label, then undone on the transformed label,
// each must give the label back (the shift to float32 rounding).
func TestExactUndo(t *testing.T) {
	shape := [3]int{5, 4, 3}
	r := rand.New(rand.NewPCG(2, 3))
	gt := make([]float32, shape[0]*shape[1]*shape[2])
	for i := range gt {
		gt[i] = float32(r.NormFloat64())
	}
	l := mustParse(t, `{
		"RandomMirror": {"axes": [0, 1, 2], "p": 0.5, "dataset_type": ["testing"]},
		"RandomShiftIntensity": {"shift_range": [-3, 3], "prob": 1, "dataset_type": ["testing"]},
		"NormalizeInstance": {"applied_to": ["im"]}
	}`)
	c := l.For(Testing, true)
	flips := map[string]bool{}
	for trial := range 40 {
		s := &Sample{
			Im:    Part{Data: [][]float32{append([]float32(nil), gt...)}, Shape: shape},
			GT:    Part{Data: [][]float32{append([]float32(nil), gt...)}, Shape: shape},
			Zooms: [3]float64{1, 1, 1},
		}
		rec, err := c.Apply(s, r)
		if err != nil {
			t.Fatal(err)
		}
		// The label less its first value: the same for the same flips,
		// whatever the shift.
		key := make([]int, len(gt))
		for i, v := range s.GT.Data[0] {
			key[i] = int(math.Round(float64(v-s.GT.Data[0][0]) * 1e3))
		}
		flips[fmt.Sprint(key)] = true
		back, err := rec.Undo(Part{Data: [][]float32{s.GT.Data[0]}, Shape: s.GT.Shape})
		if err != nil {
			t.Fatal(err)
		}
		if back.Shape != shape {
			t.Fatalf("trial %d: undo gave shape %v, want %v", trial, back.Shape, shape)
		}
		for i, v := range back.Data[0] {
			if math.Abs(float64(v-gt[i])) > 1e-5 {
				t.Fatalf("trial %d: undone label at %d is %v, want %v", trial, i, v, gt[i])
			}
		}
	}
	if len(flips) < 4 {
		t.Errorf("%d flip patterns in 40 draws: the test needs the mirror to vary", len(flips))
	}
}
