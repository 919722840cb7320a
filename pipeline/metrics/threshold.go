package metrics

import (
	"fmt"
	"math"
)

// ThresholdResult is the outcome of a threshold sweep.
type ThresholdResult struct {
	Thresholds []float64
	// Dice is the NaN-ignoring mean Dice over the samples at each
	// threshold (NaN where every sample was empty).
	Dice []float64
	// Best is the threshold of highest Dice, the largest among ties.
	Best float64
}

// ThresholdSweep is ivadomed's threshold analysis for segmentation (-t):
// thresholds k·inc for k ≥ 1 while below 1 (numpy's arange(0, 1, inc)[1:]),
// each soft prediction binarised at thr (below → 0, else 1) and scored with
// dice_score against its target; the best threshold is written to
// postprocessing.binarize_prediction.thr.
func ThresholdSweep(preds, targets [][]float32, inc float64) (ThresholdResult, error) {
	var res ThresholdResult
	if !(inc > 0 && inc < 1) {
		return res, fmt.Errorf("metrics: threshold increment must be in (0, 1), got %v", inc)
	}
	if len(preds) != len(targets) || len(preds) == 0 {
		return res, fmt.Errorf("metrics: threshold sweep needs as many predictions as targets, got %d and %d", len(preds), len(targets))
	}
	n := int(math.Ceil(1 / inc))
	for k := 1; k < n; k++ {
		res.Thresholds = append(res.Thresholds, float64(k)*inc)
	}
	bin := make([]float32, 0)
	bestDice := math.Inf(-1)
	for _, thr := range res.Thresholds {
		var sum float64
		var cnt int
		for s := range preds {
			if len(preds[s]) != len(targets[s]) {
				return res, fmt.Errorf("metrics: sample %d: prediction has %d values, target %d", s, len(preds[s]), len(targets[s]))
			}
			bin = bin[:0]
			for _, x := range preds[s] {
				if float64(x) < thr {
					bin = append(bin, 0)
				} else {
					bin = append(bin, 1)
				}
			}
			if d := Dice(bin, targets[s], math.NaN()); !math.IsNaN(d) {
				sum += d
				cnt++
			}
		}
		d := math.NaN()
		if cnt > 0 {
			d = sum / float64(cnt)
		}
		res.Dice = append(res.Dice, d)
		if !math.IsNaN(d) && d >= bestDice {
			bestDice, res.Best = d, thr
		}
	}
	if math.IsInf(bestDice, -1) {
		return res, fmt.Errorf("metrics: threshold sweep: every prediction and target is empty")
	}
	return res, nil
}
