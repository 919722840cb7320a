package postprocess

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/ivadogo/ivadogo/internal/jsonorder"
)

// Step is one entry of the config's "postprocessing" section.
type Step struct {
	Name string
	// Thr is the threshold of binarize_prediction, uncertainty and
	// remove_noise (−1: off).
	Thr float64
	// Suffix names the uncertainty map (uncertainty only).
	Suffix string
	// Unit ("vox" or "mm3") and MinSize (one value, or one per class) are
	// the parameters of remove_small.
	Unit    string
	MinSize []float64
}

// Steps are the post-processing steps in config order.
type Steps []Step

// Parse reads the "postprocessing" object of an ivadomed config. The order
// of its keys is the order the steps run in, so the object is decoded
// token by token rather than into a map. Unknown steps and parameters are
// errors naming the key (ivadomed fails on them too, with a Python
// AttributeError/TypeError).
func Parse(raw json.RawMessage) (Steps, error) {
	keys, vals, err := jsonorder.Object(raw)
	if err != nil {
		return nil, fmt.Errorf("postprocessing: %w", err)
	}
	var steps Steps
	for i, name := range keys {
		s := Step{Name: name, Thr: -1}
		var params map[string]json.RawMessage
		if err := json.Unmarshal(vals[i], &params); err != nil {
			return nil, fmt.Errorf("postprocessing.%s: want an object of parameters: %w", name, err)
		}
		allowed := map[string][]string{
			"binarize_prediction": {"thr"},
			"binarize_maxpooling": nil,
			"uncertainty":         {"thr", "suffix"},
			"remove_small":        {"unit", "thr"},
			"fill_holes":          nil,
			"keep_largest":        nil,
			"remove_noise":        {"thr"},
		}
		want, ok := allowed[name]
		if !ok {
			return nil, fmt.Errorf("postprocessing.%s: unknown step (want one of binarize_prediction, binarize_maxpooling, uncertainty, remove_small, fill_holes, keep_largest, remove_noise)", name)
		}
		for k := range params {
			found := false
			for _, w := range want {
				found = found || w == k
			}
			if !found {
				return nil, fmt.Errorf("postprocessing.%s.%s: unknown parameter (want %v)", name, k, want)
			}
		}
		for _, w := range want {
			if _, ok := params[w]; !ok {
				return nil, fmt.Errorf("postprocessing.%s: missing parameter %q", name, w)
			}
		}
		switch name {
		case "binarize_prediction", "remove_noise":
			if err := json.Unmarshal(params["thr"], &s.Thr); err != nil {
				return nil, fmt.Errorf("postprocessing.%s.thr: want a number: %w", name, err)
			}
		case "uncertainty":
			if err := json.Unmarshal(params["thr"], &s.Thr); err != nil {
				return nil, fmt.Errorf("postprocessing.uncertainty.thr: want a number: %w", err)
			}
			if err := json.Unmarshal(params["suffix"], &s.Suffix); err != nil {
				return nil, fmt.Errorf("postprocessing.uncertainty.suffix: want a string: %w", err)
			}
		case "remove_small":
			if err := json.Unmarshal(params["unit"], &s.Unit); err != nil || (s.Unit != "vox" && s.Unit != "mm3") {
				return nil, fmt.Errorf("postprocessing.remove_small.unit: want \"vox\" or \"mm3\", got %s", params["unit"])
			}
			var one float64
			if err := json.Unmarshal(params["thr"], &one); err == nil {
				s.MinSize = []float64{one}
			} else if err := json.Unmarshal(params["thr"], &s.MinSize); err != nil || len(s.MinSize) == 0 {
				return nil, fmt.Errorf("postprocessing.remove_small.thr: want a number or a list of numbers, got %s", params["thr"])
			}
		}
		steps = append(steps, s)
	}
	return steps, nil
}

// UncertaintyLoader returns the uncertainty map named by suffix
// (e.g. "_unc-vox.nii.gz") for the prediction being processed: one volume
// per class, or one volume for all classes.
type UncertaintyLoader func(suffix string) ([][]float32, error)

// Apply runs the steps on a prediction (one volume per class, each of
// the given shape, voxel size in mm) and returns the result; the input is
// not modified. unc may be nil when no uncertainty step is configured.
func (s Steps) Apply(classes [][]float32, shape [3]int, voxel [3]float64, unc UncertaintyLoader) ([][]float32, error) {
	cur := make([][]float32, len(classes))
	for c, v := range classes {
		checkLen(fmt.Sprintf("class %d", c), len(v), shape)
		for i, x := range v {
			if x != x {
				return nil, fmt.Errorf("postprocessing: class %d: prediction is NaN at voxel %d", c, i)
			}
		}
		cur[c] = append([]float32(nil), v...)
	}
	for _, st := range s {
		switch st.Name {
		case "binarize_prediction":
			if st.Thr >= 0 {
				for c := range cur {
					cur[c] = Threshold(cur[c], float32(st.Thr))
				}
			}
		case "binarize_maxpooling":
			cur = ArgmaxClasses(cur)
		case "uncertainty":
			if st.Thr < 0 {
				continue
			}
			if unc == nil {
				return nil, fmt.Errorf("postprocessing.uncertainty: no uncertainty map available for suffix %q", st.Suffix)
			}
			maps, err := unc(st.Suffix)
			if err != nil {
				return nil, fmt.Errorf("postprocessing.uncertainty: %w", err)
			}
			if len(maps) != 1 && len(maps) != len(cur) {
				return nil, fmt.Errorf("postprocessing.uncertainty: %q has %d volumes, want 1 or %d", st.Suffix, len(maps), len(cur))
			}
			// iou and soft maps are confidences: keep where high.
			above := st.Suffix == "_unc-iou.nii.gz" || st.Suffix == "_soft.nii.gz"
			for c := range cur {
				m := maps[0]
				if len(maps) > 1 {
					m = maps[c]
				}
				if len(m) != len(cur[c]) {
					return nil, fmt.Errorf("postprocessing.uncertainty: %q has %d voxels, the prediction %d", st.Suffix, len(m), len(cur[c]))
				}
				keep := make([]bool, len(m))
				for i, u := range m {
					if above {
						keep[i] = float64(u) > st.Thr
					} else {
						keep[i] = float64(u) < st.Thr
					}
				}
				cur[c] = Mask(cur[c], keep)
			}
		case "remove_small":
			if len(st.MinSize) != 1 && len(st.MinSize) != len(cur) {
				return nil, fmt.Errorf("postprocessing.remove_small.thr: %d thresholds for %d classes", len(st.MinSize), len(cur))
			}
			for c := range cur {
				thr := st.MinSize[0]
				if len(st.MinSize) > 1 {
					thr = st.MinSize[c]
				}
				if st.Unit == "mm3" {
					thr = VoxelsFromMM3(thr, voxel)
				}
				cur[c] = RemoveSmall(cur[c], shape, int(math.Ceil(thr)))
			}
		case "fill_holes":
			for c := range cur {
				cur[c] = FillHoles(Threshold(cur[c], 0.5), shape)
			}
		case "keep_largest":
			for c := range cur {
				cur[c] = KeepLargest(cur[c], shape)
			}
		case "remove_noise":
			for c := range cur {
				cur[c] = RemoveNoise(cur[c], float32(st.Thr))
			}
		default:
			return nil, fmt.Errorf("postprocessing.%s: unknown step", st.Name)
		}
	}
	return cur, nil
}
