package metrics

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/ivadogo/ivadogo/pipeline/postprocess"
)

// Colours of the painted TP/FP/FN map (ivadomed's TP_COLOUR, FP_COLOUR,
// FN_COLOUR).
const (
	PaintTP = 1
	PaintFP = 2
	PaintFN = 3
)

// EvalParams is the config's "evaluation_parameters" section.
type EvalParams struct {
	// SizeThr and SizeUnit ("vox" or "mm3") are target_size: the upper
	// bounds of the object-size bins of the lesion-wise metrics. No bins
	// when SizeThr is empty.
	SizeThr  []float64
	SizeUnit string
	// OverlapThr and OverlapUnit ("vox", "mm3" or "ratio" of the ground
	// truth object) are overlap: how much a predicted and a true object
	// must share to count as a detection. ivadomed's default is 3 vox.
	OverlapThr  float64
	OverlapUnit string
	// ObjectDetection is object_detection_metrics (default true): compute
	// LTPR/LFDR and the painted map.
	ObjectDetection bool
	// Extra appends npv_classN and accuracy_classN (soft confusion terms,
	// NaN when undefined) after each class's columns. ivadomed has no such
	// columns, so it is off by default and not a config key.
	Extra bool
}

// DefaultEvalParams are ivadomed's defaults.
func DefaultEvalParams() EvalParams {
	return EvalParams{OverlapThr: 3, OverlapUnit: "vox", ObjectDetection: true}
}

// ParseEvalParams reads an "evaluation_parameters" object over the
// defaults. The legacy spellings targetSize and removeSmall are accepted;
// removeSmall is ignored, as ivadomed 2.9.10's evaluation ignores it.
func ParseEvalParams(raw json.RawMessage) (EvalParams, error) {
	p := DefaultEvalParams()
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return p, nil
	}
	var sec map[string]json.RawMessage
	if err := json.Unmarshal(raw, &sec); err != nil {
		return p, fmt.Errorf("evaluation_parameters: want an object: %w", err)
	}
	type unitThr struct {
		Unit string          `json:"unit"`
		Thr  json.RawMessage `json:"thr"`
	}
	for key, v := range sec {
		switch key {
		case "target_size", "targetSize":
			var ut unitThr
			if err := strictUnmarshal(v, &ut); err != nil {
				return p, fmt.Errorf("evaluation_parameters.%s: %w", key, err)
			}
			if ut.Unit != "vox" && ut.Unit != "mm3" {
				return p, fmt.Errorf("evaluation_parameters.%s.unit: want \"vox\" or \"mm3\", got %q", key, ut.Unit)
			}
			if err := json.Unmarshal(ut.Thr, &p.SizeThr); err != nil || len(p.SizeThr) == 0 {
				return p, fmt.Errorf("evaluation_parameters.%s.thr: want a non-empty list of numbers, got %s", key, ut.Thr)
			}
			p.SizeUnit = ut.Unit
		case "overlap":
			var ut unitThr
			if err := strictUnmarshal(v, &ut); err != nil {
				return p, fmt.Errorf("evaluation_parameters.overlap: %w", err)
			}
			if ut.Unit != "vox" && ut.Unit != "mm3" && ut.Unit != "ratio" {
				return p, fmt.Errorf("evaluation_parameters.overlap.unit: want \"vox\", \"mm3\" or \"ratio\", got %q", ut.Unit)
			}
			if err := json.Unmarshal(ut.Thr, &p.OverlapThr); err != nil {
				return p, fmt.Errorf("evaluation_parameters.overlap.thr: want a number, got %s", ut.Thr)
			}
			p.OverlapUnit = ut.Unit
		case "object_detection_metrics":
			if err := json.Unmarshal(v, &p.ObjectDetection); err != nil {
				return p, fmt.Errorf("evaluation_parameters.object_detection_metrics: want true or false, got %s", v)
			}
		case "removeSmall":
		default:
			return p, fmt.Errorf("evaluation_parameters.%s: unknown key (want target_size, overlap, object_detection_metrics)", key)
		}
	}
	return p, nil
}

func strictUnmarshal(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// Row is one line of evaluation_3Dmetrics.csv: the image id and the
// metric columns in ivadomed's order.
type Row struct {
	ID     string
	Names  []string
	Values []float64
}

// add appends a column, or overwrites it: ivadomed's per-bin object
// counts n_<bin> carry no class suffix, so a later class replaces them.
func (r *Row) add(name string, v float64) {
	if i := slices.Index(r.Names, name); i >= 0 {
		r.Values[i] = v
		return
	}
	r.Names = append(r.Names, name)
	r.Values = append(r.Values, v)
}

// Get returns the value of column name.
func (r Row) Get(name string) (float64, bool) {
	i := slices.Index(r.Names, name)
	if i < 0 {
		return 0, false
	}
	return r.Values[i], true
}

// sizeBins are the object-size ranges of target_size, in voxels, with
// their column suffixes.
type sizeBins struct {
	lo, hi []float64
	suffix []string
}

// pyFloat formats v as Python's str(float) does.
func pyFloat(v float64) string {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	if a := math.Abs(v); a != 0 && (a < 1e-4 || a >= 1e16) {
		s := strconv.FormatFloat(v, 'e', -1, 64)
		return s
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !bytes.ContainsAny([]byte(s), ".") {
		s += ".0"
	}
	return s
}

// newSizeBins reproduces ivadomed's _get_size_ranges: [0, t0], [t0+1, t1],
// …, [t_last+1, ∞); in mm3 each bound is rounded (half to even) to voxels
// and printed as a float.
func newSizeBins(thr []float64, unit string, voxel [3]float64) sizeBins {
	var b sizeBins
	vv := voxel[0] * voxel[1] * voxel[2]
	num := func(x float64) string {
		if unit == "mm3" {
			return pyFloat(x)
		}
		if x == math.Trunc(x) {
			return strconv.FormatFloat(x, 'f', 0, 64)
		}
		return pyFloat(x)
	}
	for i, t := range thr {
		lo := 0.0
		if i > 0 {
			lo = thr[i-1] + 1
		}
		hi := t
		if unit == "mm3" {
			lo, hi = math.RoundToEven(lo/vv), math.RoundToEven(hi/vv)
		}
		b.lo, b.hi = append(b.lo, lo), append(b.hi, hi)
		b.suffix = append(b.suffix, "_"+num(lo)+"-"+num(hi)+unit)
	}
	lo := thr[len(thr)-1] + 1
	if unit == "mm3" {
		lo = math.RoundToEven(lo / vv)
	}
	b.lo, b.hi = append(b.lo, lo), append(b.hi, math.Inf(1))
	b.suffix = append(b.suffix, "_"+num(lo)+"-INF"+unit)
	return b
}

// of returns the bin (1-based, 0 for none) of an object of n voxels; as in
// ivadomed the last matching range wins.
func (b sizeBins) of(n int) int {
	bin := 0
	for i := range b.lo {
		if float64(n) >= b.lo[i] && float64(n) <= b.hi[i] {
			bin = i + 1
		}
	}
	return bin
}

// classEval holds one class's objects.
type classEval struct {
	pred, gt         []float32
	predLab, gtLab   []int32
	nPred, nGT       int
	predSize, gtSize []int
	predBin, gtBin   []int // per object, 1-based bins (nil without bins)
	overlapVox       float64
	ratio            bool
	overlapRatio     float64
	painted          []float32
	predOverlap      []int   // per pred object: voxels with int(gt) ≠ 0
	predGTLabel      []int32 // per pred object: largest GT label inside
	gtOverlap        []int   // per GT object: voxels with int(pred) ≠ 0
}

// truncNonzero reports whether int(x) ≠ 0, numpy's astype(int) test that
// ivadomed's overlap counts use (a soft value below 1 does not count).
func truncNonzero(x float32) bool { return x >= 1 || x <= -1 }

func (e *classEval) thrFor(gtLabel int32) float64 {
	if !e.ratio {
		return e.overlapVox
	}
	// gtSize[0] counts the background, which ivadomed compares against
	// when a predicted object touches no GT object.
	return math.RoundToEven(float64(e.gtSize[gtLabel]) * e.overlapRatio)
}

// paint colours whole objects of a label map in one pass: colour[l] ≠ 0
// replaces the painted value of every voxel of object l.
func (e *classEval) paint(labels []int32, colour []float32) {
	for i, l := range labels {
		if c := colour[l]; c != 0 {
			e.painted[i] = c
		}
	}
}

// ltpLfn counts detected and missed GT objects in bin (0: all sizes) and
// paints the missed ones when bin is 0.
func (e *classEval) ltpLfn(bin int) (ltp, lfn, nObj int) {
	colour := make([]float32, e.nGT+1)
	for g := 1; g <= e.nGT; g++ {
		if bin != 0 && e.gtBin[g] != bin {
			continue
		}
		if float64(e.gtOverlap[g]) >= e.thrFor(int32(g)) {
			ltp++
		} else {
			lfn++
			colour[g] = PaintFN
		}
		nObj++
	}
	if bin == 0 && lfn > 0 {
		e.paint(e.gtLab, colour)
	}
	return
}

// lfp counts predicted objects in bin (0: all) that overlap no GT object
// enough, painting FP and TP objects when bin is 0. Deliberate fix: the bin
// of a predicted object is its own size; ivadomed reads the bin map at the
// voxels of the matched GT object (the whole background when there is
// none), which files small false positives under unrelated bins.
func (e *classEval) lfp(bin int) int {
	n := 0
	colour := make([]float32, e.nPred+1)
	for p := 1; p <= e.nPred; p++ {
		if bin != 0 && e.predBin[p] != bin {
			continue
		}
		colour[p] = PaintTP
		if float64(e.predOverlap[p]) < e.thrFor(e.predGTLabel[p]) {
			n++
			colour[p] = PaintFP
		}
	}
	if bin == 0 {
		e.paint(e.predLab, colour)
	}
	return n
}

func (e *classEval) ltpr(bin int) (float64, int) {
	ltp, lfn, nObj := e.ltpLfn(bin)
	if ltp+lfn == 0 || nObj == 0 {
		return math.NaN(), nObj
	}
	return float64(ltp) / float64(ltp+lfn), nObj
}

func (e *classEval) lfdr(bin int) float64 {
	ltp, _, nObj := e.ltpLfn(bin)
	lfp := e.lfp(bin)
	if ltp+lfp == 0 || nObj == 0 {
		return math.NaN()
	}
	return float64(lfp) / float64(ltp+lfp)
}

// Evaluate3D computes ivadomed's Evaluation3DMetrics for one image: pred
// and gt hold one volume per class (gt's class count rules, as in
// ivadomed; a class without a label file is an all-zero volume), shape is
// the volume's, voxel its size in mm (pixdim[1:4]). It returns the CSV row
// (ID left empty) and the painted TP/FP/FN map per class (nil unless
// ObjectDetection). Objects are 18-connected.
func Evaluate3D(pred, gt [][]float32, shape [3]int, voxel [3]float64, p EvalParams) (Row, [][]float32, error) {
	var row Row
	if len(pred) != len(gt) {
		return row, nil, fmt.Errorf("metrics: prediction has %d classes, ground truth %d", len(pred), len(gt))
	}
	n := postprocess.Len(shape)
	for c := range gt {
		if len(pred[c]) != n || len(gt[c]) != n {
			return row, nil, fmt.Errorf("metrics: class %d: prediction has %d voxels, ground truth %d, shape %v needs %d", c, len(pred[c]), len(gt[c]), shape, n)
		}
		if i := firstNaN(pred[c]); i >= 0 {
			return row, nil, fmt.Errorf("metrics: class %d: prediction is NaN at voxel %d", c, i)
		}
		if i := firstNaN(gt[c]); i >= 0 {
			return row, nil, fmt.Errorf("metrics: class %d: ground truth is NaN at voxel %d", c, i)
		}
	}
	vv := voxel[0] * voxel[1] * voxel[2]
	var bins *sizeBins
	if len(p.SizeThr) > 0 {
		if p.SizeUnit != "vox" && p.SizeUnit != "mm3" {
			return row, nil, fmt.Errorf("metrics: target_size unit %q: want vox or mm3", p.SizeUnit)
		}
		b := newSizeBins(p.SizeThr, p.SizeUnit, voxel)
		bins = &b
	}
	var painted [][]float32
	for c := range gt {
		e := &classEval{pred: pred[c], gt: gt[c]}
		switch p.OverlapUnit {
		case "vox", "":
			e.overlapVox = p.OverlapThr
		case "mm3":
			e.overlapVox = math.RoundToEven(p.OverlapThr / vv)
		case "ratio":
			e.ratio, e.overlapRatio = true, p.OverlapThr
		default:
			return row, nil, fmt.Errorf("metrics: overlap unit %q: want vox, mm3 or ratio", p.OverlapUnit)
		}
		e.predLab, e.nPred = postprocess.Label(postprocess.Nonzero(e.pred), shape, postprocess.Edge)
		e.gtLab, e.nGT = postprocess.Label(postprocess.Nonzero(e.gt), shape, postprocess.Edge)
		e.predSize = postprocess.Sizes(e.predLab, e.nPred)
		e.gtSize = postprocess.Sizes(e.gtLab, e.nGT)
		e.predOverlap = make([]int, e.nPred+1)
		e.predGTLabel = make([]int32, e.nPred+1)
		e.gtOverlap = make([]int, e.nGT+1)
		for i := range e.pred {
			if pl := e.predLab[i]; pl != 0 {
				if truncNonzero(e.gt[i]) {
					e.predOverlap[pl]++
				}
				e.predGTLabel[pl] = max(e.predGTLabel[pl], e.gtLab[i])
			}
			if gl := e.gtLab[i]; gl != 0 && truncNonzero(e.pred[i]) {
				e.gtOverlap[gl]++
			}
		}
		e.painted = append([]float32(nil), e.pred...)

		var volPred, volGT float64
		for i := range e.pred {
			volPred += float64(e.pred[i])
			volGT += float64(e.gt[i])
		}
		volPred *= vv
		volGT *= vv
		rvd := math.NaN()
		if volGT != 0 {
			rvd = (volGT - volPred) / volGT
		}
		s := strconv.Itoa(c)
		row.add("vol_pred_class"+s, volPred)
		row.add("vol_gt_class"+s, volGT)
		row.add("rvd_class"+s, rvd)
		row.add("avd_class"+s, math.Abs(rvd))
		row.add("dice_class"+s, Dice(e.gt, e.pred, math.NaN()))
		row.add("recall_class"+s, Recall(e.pred, e.gt, math.NaN()))
		row.add("precision_class"+s, Precision(e.pred, e.gt, math.NaN()))
		row.add("specificity_class"+s, Specificity(e.pred, e.gt, math.NaN()))
		row.add("n_pred_class"+s, float64(e.nPred))
		row.add("n_gt_class"+s, float64(e.nGT))
		if p.ObjectDetection {
			ltpr, _ := e.ltpr(0)
			row.add("ltpr_class"+s, ltpr)
			row.add("lfdr_class"+s, e.lfdr(0))
		}
		row.add("mse_class"+s, MSE(e.gt, e.pred, shape[:]))
		if p.ObjectDetection && bins != nil {
			e.gtBin = make([]int, e.nGT+1)
			e.predBin = make([]int, e.nPred+1)
			var gtBins, predBins []int
			for g := 1; g <= e.nGT; g++ {
				e.gtBin[g] = bins.of(e.gtSize[g])
				if e.gtBin[g] != 0 && !slices.Contains(gtBins, e.gtBin[g]) {
					gtBins = append(gtBins, e.gtBin[g])
				}
			}
			for q := 1; q <= e.nPred; q++ {
				e.predBin[q] = bins.of(e.predSize[q])
				if e.predBin[q] != 0 && !slices.Contains(predBins, e.predBin[q]) {
					predBins = append(predBins, e.predBin[q])
				}
			}
			slices.Sort(gtBins)
			slices.Sort(predBins)
			for _, b := range gtBins {
				v, nObj := e.ltpr(b)
				row.add("ltpr"+bins.suffix[b-1]+"_class"+s, v)
				row.add("n"+bins.suffix[b-1], float64(nObj))
			}
			for _, b := range predBins {
				row.add("lfdr"+bins.suffix[b-1]+"_class"+s, e.lfdr(b))
			}
		}
		if p.Extra {
			row.add("npv_class"+s, NPV(e.pred, e.gt, math.NaN()))
			row.add("accuracy_class"+s, Accuracy(e.pred, e.gt, math.NaN()))
		}
		if p.ObjectDetection {
			painted = append(painted, e.painted)
		}
	}
	return row, painted, nil
}

func firstNaN(v []float32) int {
	for i, x := range v {
		if x != x {
			return i
		}
	}
	return -1
}
