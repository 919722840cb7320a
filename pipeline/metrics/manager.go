package metrics

import (
	"fmt"
	"math"
)

// Sample is one prediction/ground-truth pair as the validation loop sees
// it: Shape[0] indexes classes, the rest is the image (H×W or H×W×D), and
// both slices hold prod(Shape) values in C order.
type Sample struct {
	Pred, GT []float32
	Shape    []int
}

// class returns the values of class c.
func (s Sample) class(v []float32, c int) []float32 {
	n := len(v) / s.Shape[0]
	return v[c*n : (c+1)*n]
}

// Func is a named per-sample metric.
type Func struct {
	Name string
	Fn   func(Sample) float64
}

// Funcs returns the metrics ivadomed's get_metric_fns gives a
// segmentation task, in its order and with its names (the names of the
// TensorBoard scalars); hausdorff adds hausdorff_score, which ivadomed
// includes when evaluation_parameters.object_detection_metrics is true.
func Funcs(hausdorff bool) []Func {
	fs := []Func{
		{"dice_score", func(s Sample) float64 { return Dice(s.Pred, s.GT, math.NaN()) }},
		{"multi_class_dice_score", func(s Sample) float64 {
			pc := make([][]float32, s.Shape[0])
			gc := make([][]float32, s.Shape[0])
			for c := range pc {
				pc[c], gc[c] = s.class(s.Pred, c), s.class(s.GT, c)
			}
			return MultiClassDice(pc, gc)
		}},
		{"precision_score", func(s Sample) float64 { return Precision(s.Pred, s.GT, 0) }},
		{"recall_score", func(s Sample) float64 { return Recall(s.Pred, s.GT, 0) }},
		{"specificity_score", func(s Sample) float64 { return Specificity(s.Pred, s.GT, 0) }},
		{"intersection_over_union", func(s Sample) float64 { return IoU(s.Pred, s.GT, 0) }},
		{"accuracy_score", func(s Sample) float64 { return Accuracy(s.Pred, s.GT, 0) }},
	}
	if hausdorff {
		fs = append(fs, Func{"hausdorff_score", func(s Sample) float64 { return Hausdorff(s.Pred, s.GT, s.Shape) }})
	}
	return fs
}

// Manager accumulates per-sample metrics over an epoch, as ivadomed's
// MetricManager does.
type Manager struct {
	fns    []Func
	values [][]float64
}

// NewManager returns a Manager computing fns.
func NewManager(fns []Func) *Manager {
	return &Manager{fns: fns, values: make([][]float64, len(fns))}
}

// Add scores one sample with every metric.
func (m *Manager) Add(s Sample) {
	n := 1
	for _, d := range s.Shape {
		n *= d
	}
	if len(s.Shape) < 2 || n != len(s.Pred) || n != len(s.GT) {
		panic(fmt.Sprintf("metrics: sample shape %v does not match %d predicted and %d target values", s.Shape, len(s.Pred), len(s.GT)))
	}
	for i, f := range m.fns {
		m.values[i] = append(m.values[i], f.Fn(s))
	}
}

// Result is the mean of one metric over the samples.
type Result struct {
	Name string
	// Mean ignores NaNs (numpy's nanmean). Valid is false when every value
	// was NaN or no sample was added (ivadomed reports None).
	Mean  float64
	Valid bool
}

// Results returns each metric's NaN-ignoring mean, in the order of the
// functions.
func (m *Manager) Results() []Result {
	out := make([]Result, len(m.fns))
	for i, f := range m.fns {
		var s float64
		var n int
		for _, v := range m.values[i] {
			if !math.IsNaN(v) {
				s += v
				n++
			}
		}
		out[i] = Result{Name: f.Name, Mean: math.NaN()}
		if n > 0 {
			out[i].Mean, out[i].Valid = s/float64(n), true
		}
	}
	return out
}

// Reset forgets the accumulated samples.
func (m *Manager) Reset() {
	for i := range m.values {
		m.values[i] = m.values[i][:0]
	}
}
