package bids

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// FiLM metadata kinds (FiLMedUnet.metadata in ivadomed's config); any
// other value names a column (e.g. a participants.tsv column).
const (
	FiLMMRIParams = "mri_params"
	FiLMContrasts = "contrasts"
)

// genericContrast is ivadomed's config/contrast_dct.json: BIDS suffix (or
// acq-…_suffix) to generic contrast.
var genericContrast = map[string]string{
	"T2w": "T2w", "T1w": "T1w", "T2star": "T2star",
	"acq-MToff_MTS": "acq-MToff_MTS", "acq-MTon_MTS": "acq-MTon_MTS", "acq-T1w_MTS": "acq-T1w_MTS",
	"acq-axmid00100_T2w": "T2w", "acq-axbottom_T2w": "T2w", "acq-sagtsp_T2w": "T2w", "acq-sagstir_T2w": "T2w",
	"acq-axtop_T2w": "T2w", "acq-ax00014_T2w": "T2w", "acq-axtsp_T2w": "T2w", "acq-axtop00100_T2w": "T2w",
	"acq-axcsp_T2w": "T2w", "acq-sup_T2star": "T2star", "acq-ax_T2w": "T2w", "acq-sagcsp_T2w": "T2w",
	"acq-axmid00005_T2w": "T2w", "acq-sagstirtsp_T2w": "T2w", "acq-ax00012_T2w": "T2w", "acq-axlow_T2w": "T2w",
	"acq-sagstircsp_T2w": "T2w", "acq-sag_T2w": "T2w", "acq-sag00015_T2w": "T2w", "acq-inf_T2star": "T2star",
	"acq-inf_T2w": "T2w", "acq-c1c3_T2star": "T2star", "acq-c4c7_T2star": "T2star", "acq-sup_T2w": "T2w",
	"acq-sagcerv_T2w": "T2w", "acq-ax_T2star": "T2star", "acq-sagthor_T2w": "T2w", "acq-wat_T1w": "T1w",
	"acq-inn_T1w": "T1w", "acq-fat_T1w": "T1w", "acq-opp_T1w": "T1w", "t1": "T1w", "t2": "T2w", "t2s": "T2star",
}

// contrastCategory and manufacturerCategory are ivadomed's
// CONTRAST_CATEGORY and MANUFACTURER_CATEGORY (loader/film.py).
var (
	contrastCategory = map[string]float64{"T1w": 0, "T2w": 1, "T2star": 2,
		"acq-MToff_MTS": 3, "acq-MTon_MTS": 4, "acq-T1w_MTS": 5}
	manufacturerCategory = map[string]float64{"Siemens": 0, "Philips": 1, "GE": 2}
)

// mriParams are the sidecar fields clustered for FiLM, in vector order;
// Manufacturer follows them.
var mriParams = []string{"FlipAngle", "RepetitionTime", "EchoTime"}

// kdeRanges are the values over which each parameter's density is
// evaluated to find its cluster bounds (ivadomed's KDE_PARAM).
var kdeRanges = map[string]func() []float64{
	"FlipAngle":      func() []float64 { return linspace(0, 360, 1000) },
	"RepetitionTime": func() []float64 { return logspace(-1, 1, 1000) },
	"EchoTime":       func() []float64 { return logspace(-3, 1, 1000) },
}

// FiLM turns an image's metadata into the vector a FiLMedUnet is
// conditioned on, as ivadomed's loader/film.py does: a categorical value
// per feature, then a one-hot encoding fitted on the training set
// (categories unseen in training encode as zeros).
//
//   - "mri_params": FlipAngle, RepetitionTime and EchoTime from the
//     sidecars (a comma-separated list is averaged), each mapped to the
//     cluster it falls in, the clusters being bounded by the local minima
//     of a Gaussian kernel density fitted on the training values (bandwidth
//     chosen by 5-fold cross-validation over logspace(-4, 1, 50)); then
//     Manufacturer: Siemens 0, Philips 1, GE 2, other -1.
//   - "contrasts": the suffix's generic contrast (contrast_dct.json) as
//     T1w 0, T2w 1, T2star 2, MToff_MTS 3, MTon_MTS 4, T1w_MTS 5.
//   - a column name: the index of the value among the column's sorted
//     values over the whole frame.
type FiLM struct {
	Kind       string
	Clusters   map[string]*KDE // mri_params only
	Dict       map[string]int  // column kind only
	Categories [][]float64     // one-hot categories per feature, sorted
}

// KDE is a one-dimensional Gaussian kernel density of some values and the
// cluster bounds found from it.
type KDE struct {
	Bandwidth float64
	Data      []float64
	Minima    []float64 // local minima of the density, ascending
}

// FitFiLM fits the encoder of kind on the training rows; all is the whole
// frame (for a column kind's value dictionary). Rows missing a value are
// errors that name the file and key: ivadomed drops them from the set, and
// so can the caller (see FiLM.Features).
func FitFiLM(kind string, train []*Row, all *Frame) (*FiLM, error) {
	e := &FiLM{Kind: kind}
	switch kind {
	case FiLMMRIParams:
		e.Clusters = map[string]*KDE{}
		for _, k := range mriParams {
			var vals []float64
			for _, r := range train {
				v, err := mriValue(r, k)
				if err != nil {
					return nil, err
				}
				vals = append(vals, v)
			}
			kde, err := FitKDE(vals, kdeRanges[k](), logspace(-4, 1, 50))
			if err != nil {
				return nil, fmt.Errorf("bids: FiLM %s: %w", k, err)
			}
			e.Clusters[k] = kde
		}
	case FiLMContrasts:
	default:
		var vals []string
		for _, r := range all.Rows {
			if v, ok := r.Get(kind); ok && !r.Derivative {
				vals = append(vals, v)
			}
		}
		if len(vals) == 0 {
			return nil, fmt.Errorf("bids: FiLM metadata %q: no such column with values (want %q, %q or a participants.tsv column)", kind, FiLMMRIParams, FiLMContrasts)
		}
		slices.Sort(vals)
		vals = slices.Compact(vals)
		e.Dict = map[string]int{}
		for i, v := range vals {
			e.Dict[v] = i
		}
	}
	var feats [][]float64
	for _, r := range train {
		x, err := e.Features(r)
		if err != nil {
			return nil, err
		}
		feats = append(feats, x)
	}
	if len(feats) == 0 {
		return nil, fmt.Errorf("bids: FiLM: empty training set")
	}
	e.Categories = make([][]float64, len(feats[0]))
	for j := range e.Categories {
		var c []float64
		for _, x := range feats {
			c = append(c, x[j])
		}
		slices.Sort(c)
		e.Categories[j] = slices.Compact(c)
	}
	return e, nil
}

// Features returns the categorical values of a row (ivadomed's
// film_input), or an error naming the file and the missing key.
func (e *FiLM) Features(r *Row) ([]float64, error) {
	switch e.Kind {
	case FiLMMRIParams:
		out := make([]float64, 0, 4)
		for _, k := range mriParams {
			v, err := mriValue(r, k)
			if err != nil {
				return nil, err
			}
			out = append(out, float64(e.Clusters[k].Predict(v)))
		}
		m, ok := r.Get("Manufacturer")
		if !ok {
			return nil, fmt.Errorf("bids: %s: no Manufacturer in its sidecar (needed by FiLM mri_params)", r.Path)
		}
		c, ok := manufacturerCategory[m]
		if !ok {
			c = -1
		}
		return append(out, c), nil
	case FiLMContrasts:
		g, ok := genericContrast[r.Image.Suffix]
		if !ok {
			return nil, fmt.Errorf("bids: %s: contrast %q is not in contrast_dct.json (needed by FiLM contrasts)", r.Path, r.Image.Suffix)
		}
		return []float64{contrastCategory[g]}, nil
	}
	v, ok := r.Get(e.Kind)
	if !ok {
		return nil, fmt.Errorf("bids: %s: no %q value (needed by FiLM)", r.Path, e.Kind)
	}
	i, ok := e.Dict[v]
	if !ok {
		return nil, fmt.Errorf("bids: %s: %s = %q was not in the frame FiLM was fitted on", r.Path, e.Kind, v)
	}
	return []float64{float64(i)}, nil
}

// N is the length of the vectors (ivadomed's n_metadata).
func (e *FiLM) N() int {
	n := 0
	for _, c := range e.Categories {
		n += len(c)
	}
	return n
}

// Vector returns the one-hot metadata vector of a row.
func (e *FiLM) Vector(r *Row) ([]float32, error) {
	x, err := e.Features(r)
	if err != nil {
		return nil, err
	}
	out := make([]float32, e.N())
	off := 0
	for j, c := range e.Categories {
		if i, ok := slices.BinarySearch(c, x[j]); ok {
			out[off+i] = 1
		}
		off += len(c)
	}
	return out, nil
}

// mriValue reads a numeric acquisition parameter; a text list such as
// "0.01,0.02,0.03" (multi-echo) gives its mean.
func mriValue(r *Row, key string) (float64, error) {
	v, ok := r.Values[key]
	if !ok {
		return 0, fmt.Errorf("bids: %s: no %s in its sidecar (needed by FiLM mri_params)", r.Path, key)
	}
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		if err == nil {
			return f, nil
		}
	case float64:
		return x, nil
	case string:
		parts := strings.Split(x, ",")
		sum := 0.0
		ok := true
		for _, p := range parts {
			f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
			if err != nil {
				ok = false
				break
			}
			sum += f
		}
		if ok {
			return sum / float64(len(parts)), nil
		}
	}
	return 0, fmt.Errorf("bids: %s: %s = %v: want a number or a comma-separated list of numbers", r.Path, key, FormatValue(v))
}

// FitKDE fits a Gaussian kernel density to data with the bandwidth of grid
// that maximises the mean held-out log-likelihood over 5 contiguous folds
// (scikit-learn's GridSearchCV(KernelDensity(), cv=5); the first best
// bandwidth wins ties), then keeps the strict local minima of the density
// over values as cluster bounds.
func FitKDE(data, values, grid []float64) (*KDE, error) {
	n := len(data)
	const folds = 5
	if n < folds {
		return nil, fmt.Errorf("%d values: cross-validation needs at least %d", n, folds)
	}
	best, bestScore := 0.0, math.Inf(-1)
	for gi, h := range grid {
		total := 0.0
		start := 0
		for f := range folds {
			size := n / folds
			if f < n%folds {
				size++
			}
			test := data[start : start+size]
			train := slices.Concat(data[:start], data[start+size:])
			for _, x := range test {
				total += logDensity(train, h, x)
			}
			start += size
		}
		score := total / folds
		if gi == 0 || score > bestScore {
			best, bestScore = h, score
		}
	}
	k := &KDE{Bandwidth: best, Data: slices.Clone(data)}
	e := make([]float64, len(values))
	for i, x := range values {
		e[i] = logDensity(k.Data, best, x)
	}
	for i := 1; i+1 < len(e); i++ {
		if e[i] < e[i-1] && e[i] < e[i+1] {
			k.Minima = append(k.Minima, values[i])
		}
	}
	return k, nil
}

// Predict returns the cluster of v: the index of the first bound above
// it, or the number of bounds.
func (k *KDE) Predict(v float64) int {
	for i, m := range k.Minima {
		if v < m {
			return i
		}
	}
	return len(k.Minima)
}

// logDensity is the log of the Gaussian kernel density of data with
// bandwidth h at x, computed in log space so that far points do not
// underflow.
func logDensity(data []float64, h, x float64) float64 {
	mx := math.Inf(-1)
	for _, d := range data {
		z := (x - d) / h
		mx = math.Max(mx, -0.5*z*z)
	}
	s := 0.0
	for _, d := range data {
		z := (x - d) / h
		s += math.Exp(-0.5*z*z - mx)
	}
	return mx + math.Log(s) - math.Log(float64(len(data))) - math.Log(h) - 0.5*math.Log(2*math.Pi)
}

func linspace(a, b float64, n int) []float64 {
	out := make([]float64, n)
	step := (b - a) / float64(n-1)
	for i := range out {
		out[i] = a + float64(i)*step
	}
	out[n-1] = b
	return out
}

func logspace(a, b float64, n int) []float64 {
	l := linspace(a, b, n)
	for i, v := range l {
		l[i] = math.Pow(10, v)
	}
	return l
}
