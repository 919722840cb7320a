package metrics

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

func TestSampleHand(t *testing.T) {
	pred := []float32{0, 0.5, 1, 1}
	gt := []float32{0, 1, 1, 0}
	// FP = 1, FN = 0.5, TP = 1.5, TN = 1 (numeric_score's docstring case plus one).
	fp, fn, tp, tn := Confusion(pred, gt)
	if fp != 1 || fn != 0.5 || tp != 1.5 || tn != 1 {
		t.Fatalf("confusion %v %v %v %v", fp, fn, tp, tn)
	}
	cases := []struct {
		name string
		got  float64
		want float64
	}{
		{"dice", Dice(pred, gt, math.NaN()), 2 * 1.5 / (2.5 + 2)},
		{"precision", Precision(pred, gt, 0), 1.5 / 2.5},
		{"recall", Recall(pred, gt, 0), 1.5 / 2},
		{"specificity", Specificity(pred, gt, 0), 1.0 / 2},
		{"iou", IoU(pred, gt, 0), 1.5 / 3},
		{"accuracy", Accuracy(pred, gt, 0), 2.5 / 4},
		{"mse", MSE(pred, gt, []int{2, 2}), (0.25 + 1) / 4},
		{"multi-class, one class empty in both", MultiClassDice([][]float32{{1, 0}, {0, 0}}, [][]float32{{1, 1}, {0, 0}}), (2.0/3 + 1) / 2},
	}
	for _, c := range cases {
		if !close(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestSampleEmpty(t *testing.T) {
	z := []float32{0, 0, 0}
	one := []float32{1, 1, 1}
	if !math.IsNaN(Dice(z, z, math.NaN())) {
		t.Error("dice of two empty masks is not NaN")
	}
	// Empty prediction against a present truth: TP+FP = 0 → error value.
	if v := Precision(z, one, 0); v != 0 {
		t.Errorf("precision of an empty prediction: %v, want the error value 0", v)
	}
	if v := Recall(z, z, math.NaN()); !math.IsNaN(v) {
		t.Errorf("recall with empty truth: %v, want NaN", v)
	}
	if v := Specificity(one, one, 0); v != 0 {
		t.Errorf("specificity with no negatives: %v, want 0", v)
	}
	if v := IoU(z, z, 0); v != 0 {
		t.Errorf("IoU of empty masks: %v, want 0", v)
	}
	if v := Accuracy(nil, nil, 0); v != 0 {
		t.Errorf("accuracy of nothing: %v, want 0", v)
	}
	if v := Dice(z, one, math.NaN()); v != 0 {
		t.Errorf("dice with empty prediction: %v, want 0", v)
	}
}

// TestSampleRandom checks soft-mask metrics against the definitions
// computed from explicit voxel counts on binary masks.
func TestSampleRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for trial := 0; trial < 200; trial++ {
		n := 1 + r.IntN(50)
		pred := make([]float32, n)
		gt := make([]float32, n)
		var tp, fp, fn, tn int
		for i := range pred {
			p, g := r.IntN(2), r.IntN(2)
			pred[i], gt[i] = float32(p), float32(g)
			switch {
			case p == 1 && g == 1:
				tp++
			case p == 1:
				fp++
			case g == 1:
				fn++
			default:
				tn++
			}
		}
		div := func(a, b int) float64 {
			if b == 0 {
				return -1
			}
			return float64(a) / float64(b)
		}
		checks := []struct {
			name      string
			got, want float64
		}{
			{"dice", Dice(pred, gt, -1), div(2*tp, 2*tp+fp+fn)},
			{"precision", Precision(pred, gt, -1), div(tp, tp+fp)},
			{"recall", Recall(pred, gt, -1), div(tp, tp+fn)},
			{"specificity", Specificity(pred, gt, -1), div(tn, tn+fp)},
			{"iou", IoU(pred, gt, -1), div(tp, tp+fp+fn)},
			{"accuracy", Accuracy(pred, gt, -1), div(tp+tn, n)},
			{"npv", NPV(pred, gt, -1), div(tn, tn+fn)},
		}
		for _, c := range checks {
			if !close(c.got, c.want) {
				t.Fatalf("trial %d %s = %v, want %v", trial, c.name, c.got, c.want)
			}
		}
	}
}

// naiveDirected is the directed Hausdorff distance without early exit.
func naiveDirected(u, v [][]float64) float64 {
	h := 0.0
	for _, a := range u {
		best := math.Inf(1)
		for _, b := range v {
			d := 0.0
			for k := range a {
				d += (a[k] - b[k]) * (a[k] - b[k])
			}
			best = math.Min(best, math.Sqrt(d))
		}
		h = math.Max(h, best)
	}
	return h
}

func TestHausdorff(t *testing.T) {
	// 2D: rows are points. u = {(0,0),(3,4)}, v = {(0,0)} → 5.
	if got := Hausdorff([]float32{0, 0, 3, 4}, []float32{0, 0, 0, 0}, []int{2, 2}); got != 5 {
		t.Errorf("2D hand case: %v, want 5", got)
	}
	r := rand.New(rand.NewPCG(9, 10))
	for trial := 0; trial < 30; trial++ {
		a, b, c := 1+r.IntN(5), 1+r.IntN(5), 1+r.IntN(5)
		pred := make([]float32, a*b*c)
		gt := make([]float32, a*b*c)
		for i := range pred {
			pred[i], gt[i] = float32(r.IntN(2)), float32(r.IntN(2))
		}
		var want float64
		for j := 0; j < b; j++ {
			var u, v [][]float64
			for i := 0; i < a; i++ {
				var ru, rv []float64
				for k := 0; k < c; k++ {
					ru = append(ru, float64(pred[(i*b+j)*c+k]))
					rv = append(rv, float64(gt[(i*b+j)*c+k]))
				}
				u, v = append(u, ru), append(v, rv)
			}
			want += naiveDirected(u, v)
		}
		want /= float64(b)
		if got := Hausdorff(pred, gt, []int{a, b, c}); !close(got, want) {
			t.Fatalf("3D %v: %v, want %v", []int{a, b, c}, got, want)
		}
		// 4D (n, h, d, w) is the same memory read as (h, n·d, w).
		n := 1 + r.IntN(2)
		if a*b*c%n == 0 && b%n == 0 {
			s4 := []int{n, a, b / n, c}
			if got, want := Hausdorff(pred, gt, s4), Hausdorff(pred, gt, []int{a, b, c}); got != want {
				t.Fatalf("4D %v: %v, want %v", s4, got, want)
			}
		}
	}
}

func TestManager(t *testing.T) {
	m := NewManager(Funcs(false))
	// Sample 1: perfect; sample 2: both empty → dice NaN is skipped.
	m.Add(Sample{Pred: []float32{1, 0}, GT: []float32{1, 0}, Shape: []int{1, 1, 2}})
	m.Add(Sample{Pred: []float32{0, 0}, GT: []float32{0, 0}, Shape: []int{1, 1, 2}})
	res := m.Results()
	got := map[string]Result{}
	for _, r := range res {
		got[r.Name] = r
	}
	if r := got["dice_score"]; !r.Valid || r.Mean != 1 {
		t.Errorf("dice_score %+v, want mean 1 over the non-NaN sample", r)
	}
	if r := got["multi_class_dice_score"]; r.Mean != 1 {
		t.Errorf("multi_class_dice_score %+v, want 1 (empty class counts 1)", r)
	}
	if r := got["precision_score"]; r.Mean != 0.5 {
		t.Errorf("precision_score %+v, want 0.5 (error value 0 for the empty sample)", r)
	}
	m.Reset()
	m.Add(Sample{Pred: []float32{0}, GT: []float32{0}, Shape: []int{1, 1}})
	if r := m.Results()[0]; r.Valid {
		t.Errorf("all-NaN dice reported valid: %+v", r)
	}
	if len(Funcs(true)) != 8 || Funcs(true)[7].Name != "hausdorff_score" {
		t.Errorf("Funcs(true) lacks hausdorff_score")
	}
}

// TestHausdorffScipy compares with scipy's directed_hausdorff as ivadomed
// calls it (testdata/make_fixtures.py).
func TestHausdorffScipy(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "hausdorff.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Shape []int     `json:"shape"`
		Pred  []float32 `json:"pred"`
		GT    []float32 `json:"gt"`
		Want  float64   `json:"want"`
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		if got := Hausdorff(c.Pred, c.GT, c.Shape); !close(got, c.Want) {
			t.Errorf("case %d %v: %v, scipy %v", i, c.Shape, got, c.Want)
		}
	}
}
