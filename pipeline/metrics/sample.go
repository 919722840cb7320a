package metrics

import (
	"fmt"
	"math"
)

func sameLen(a, b []float32) {
	if len(a) != len(b) {
		panic(fmt.Sprintf("metrics: length mismatch: %d and %d values", len(a), len(b)))
	}
}

// Dice is ivadomed's dice_score: 2Σab / (Σa+Σb), or empty when both
// sums are 0.
func Dice(a, b []float32, empty float64) float64 {
	sameLen(a, b)
	var inter, sum float64
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		inter += x * y
		sum += x + y
	}
	if sum == 0 {
		return empty
	}
	return 2 * inter / sum
}

// MultiClassDice is multi_class_dice_score: the mean over classes of Dice,
// a class empty in both counting as 1.
func MultiClassDice(a, b [][]float32) float64 {
	if len(a) != len(b) {
		panic(fmt.Sprintf("metrics: MultiClassDice: %d and %d classes", len(a), len(b)))
	}
	var s float64
	for c := range a {
		s += Dice(a[c], b[c], 1)
	}
	return s / float64(len(a))
}

// Confusion returns the soft confusion terms of ivadomed's numeric_score.
func Confusion(pred, gt []float32) (fp, fn, tp, tn float64) {
	sameLen(pred, gt)
	for i := range pred {
		p, g := float64(pred[i]), float64(gt[i])
		fp += p * (1 - g)
		fn += (1 - p) * g
		tp += p * g
		tn += (1 - p) * (1 - g)
	}
	return
}

// Precision is TP/(TP+FP), errValue when TP+FP ≤ 0.
func Precision(pred, gt []float32, errValue float64) float64 {
	fp, _, tp, _ := Confusion(pred, gt)
	return ratio(tp, tp+fp, errValue)
}

// Recall is TP/(TP+FN), errValue when TP+FN ≤ 0.
func Recall(pred, gt []float32, errValue float64) float64 {
	_, fn, tp, _ := Confusion(pred, gt)
	return ratio(tp, tp+fn, errValue)
}

// Specificity is TN/(TN+FP), errValue when TN+FP ≤ 0.
func Specificity(pred, gt []float32, errValue float64) float64 {
	fp, _, _, tn := Confusion(pred, gt)
	return ratio(tn, tn+fp, errValue)
}

// NPV is the negative predictive value TN/(TN+FN), errValue when ≤ 0
// (not among ivadomed's metrics; see EvalParams.Extra).
func NPV(pred, gt []float32, errValue float64) float64 {
	_, fn, _, tn := Confusion(pred, gt)
	return ratio(tn, tn+fn, errValue)
}

// IoU is intersection_over_union: TP/(TP+FP+FN), errValue when ≤ 0.
func IoU(pred, gt []float32, errValue float64) float64 {
	fp, fn, tp, _ := Confusion(pred, gt)
	return ratio(tp, tp+fp+fn, errValue)
}

// Accuracy is (TP+TN)/N, errValue when N ≤ 0.
func Accuracy(pred, gt []float32, errValue float64) float64 {
	fp, fn, tp, tn := Confusion(pred, gt)
	return ratio(tp+tn, fp+fn+tp+tn, errValue)
}

func ratio(num, den, errValue float64) float64 {
	if den <= 0 {
		return errValue
	}
	return num / den
}

// MSE is ivadomed's mse: Σ(a−b)² divided by the product of the first two
// dimensions only (parity with ivadomed, whose docstring calls it a mean).
func MSE(a, b []float32, shape []int) float64 {
	sameLen(a, b)
	if len(shape) < 2 {
		panic(fmt.Sprintf("metrics: MSE needs at least 2 dimensions, got shape %v", shape))
	}
	var s float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		s += d * d
	}
	return s / float64(shape[0]*shape[1])
}

// directedHausdorff is scipy.spatial.distance.directed_hausdorff(u, v)[0]
// for row-major matrices of rows points of dimension cols: the largest
// distance from a row of u to its nearest row of v.
func directedHausdorff(u, v []float32, rows, cols int) float64 {
	var h float64
	for i := 0; i < rows; i++ {
		best := math.Inf(1)
		for j := 0; j < rows && best > h; j++ {
			var d float64
			for k := 0; k < cols; k++ {
				x := float64(u[i*cols+k]) - float64(v[j*cols+k])
				d += x * x
			}
			best = math.Min(best, d)
		}
		if best > h {
			h = best
		}
	}
	return math.Sqrt(h)
}

// Hausdorff is ivadomed's hausdorff_score, kept for parity of the
// validation metric (§16.2 of the feature inventory): it is not a surface
// distance. Arrays are read as matrices whose rows are points: for a 3D
// shape (a, b, c) it averages over j the directed Hausdorff distance
// between the a×c matrices x[:, j, :]; a 4D shape (n, h, d, w) is first
// reinterpreted as (h, n·d, w); a 2D shape is one matrix.
func Hausdorff(pred, gt []float32, shape []int) float64 {
	sameLen(pred, gt)
	n := 1
	for _, s := range shape {
		n *= s
	}
	if n != len(pred) {
		panic(fmt.Sprintf("metrics: Hausdorff: shape %v does not hold %d values", shape, len(pred)))
	}
	switch len(shape) {
	case 2:
		return directedHausdorff(pred, gt, shape[0], shape[1])
	case 4:
		shape = []int{shape[1], shape[0] * shape[2], shape[3]}
		fallthrough
	case 3:
		a, b, c := shape[0], shape[1], shape[2]
		u := make([]float32, a*c)
		v := make([]float32, a*c)
		var sum float64
		for j := 0; j < b; j++ {
			for i := 0; i < a; i++ {
				copy(u[i*c:(i+1)*c], pred[(i*b+j)*c:(i*b+j+1)*c])
				copy(v[i*c:(i+1)*c], gt[(i*b+j)*c:(i*b+j+1)*c])
			}
			sum += directedHausdorff(u, v, a, c)
		}
		return sum / float64(b)
	}
	panic(fmt.Sprintf("metrics: Hausdorff: want 2 to 4 dimensions, got shape %v", shape))
}
