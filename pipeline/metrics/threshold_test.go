package metrics

import (
	"math"
	"testing"
)

func TestThresholdSweep(t *testing.T) {
	preds := [][]float32{{0.15, 0.35, 0.55, 0.75}, {0.9, 0.05, 0.6, 0.3}}
	targets := [][]float32{{0, 0, 1, 1}, {1, 0, 1, 0}}
	res, err := ThresholdSweep(preds, targets, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Thresholds) != 9 || math.Abs(res.Thresholds[0]-0.1) > 1e-12 || math.Abs(res.Thresholds[8]-0.9) > 1e-12 {
		t.Fatalf("thresholds %v", res.Thresholds)
	}
	// Perfect at 0.4 and 0.5 (both samples exact); the larger wins.
	for i, thr := range res.Thresholds {
		want := 0.0
		for s := range preds {
			var inter, sum float64
			for k := range preds[s] {
				b := 0.0
				if float64(preds[s][k]) >= thr {
					b = 1
				}
				inter += b * float64(targets[s][k])
				sum += b + float64(targets[s][k])
			}
			want += 2 * inter / sum
		}
		want /= 2
		if math.Abs(res.Dice[i]-want) > 1e-12 {
			t.Errorf("thr %v: dice %v, want %v", thr, res.Dice[i], want)
		}
	}
	if math.Abs(res.Best-0.5) > 1e-12 {
		t.Errorf("best %v, want 0.5 (largest of the ties 0.4, 0.5)", res.Best)
	}
	if _, err := ThresholdSweep(preds, targets, 0); err == nil {
		t.Error("increment 0: no error")
	}
	if _, err := ThresholdSweep([][]float32{{0}}, [][]float32{{0}}, 0.5); err == nil {
		t.Error("all empty: no error")
	}
}
