package transforms

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// pointwise is a transform that maps each voxel through a function chosen
// per sample; a nil function leaves the part unchanged.
type pointwise struct {
	pick func(s *Sample, r *rand.Rand) (func(float64) float64, error)
	det  bool
	// undoFn, when set, returns the inverse map applied to predictions.
	undoFn func(params any) func(float64) float64
}

func (t *pointwise) draw(s *Sample, r *rand.Rand) (any, error) { return t.pick(s, r) }

func (t *pointwise) apply(_ Kind, p Part, params any) (Part, error) {
	f := params.(func(float64) float64)
	if f == nil {
		return p, nil
	}
	return p.mapVolumes(p.Shape, func(v []float32) []float32 {
		out := make([]float32, len(v))
		for i, x := range v {
			out[i] = float32(f(float64(x)))
		}
		return out
	}), nil
}

func (t *pointwise) deterministic() bool { return t.det }

// perVolume is a transform computed from each volume's own statistics
// (NormalizeInstance, HistogramClipping, Clahe) or with a per-sample draw
// that needs the whole volume (noise, bias field, blur, low resolution).
type perVolume struct {
	pick func(s *Sample, r *rand.Rand) (any, error)
	fn   func(v []float32, shape [3]int, params any) []float32
	det  bool
}

func (t *perVolume) draw(s *Sample, r *rand.Rand) (any, error) {
	if t.pick == nil {
		return nil, nil
	}
	return t.pick(s, r)
}

func (t *perVolume) apply(_ Kind, p Part, params any) (Part, error) {
	return p.mapVolumes(p.Shape, func(v []float32) []float32 { return t.fn(v, p.Shape, params) }), nil
}

func (t *perVolume) deterministic() bool { return t.det }

// identityUndo makes a deterministic intensity transform undoable on
// predictions (it does not move voxels).
type identityUndo struct{ *perVolume }

func (identityUndo) undo(p Part, _ any) (Part, error) { return p, nil }

func rangeParam(name string, r []float64) ([2]float64, error) {
	if len(r) != 2 || r[0] > r[1] {
		return [2]float64{}, fmt.Errorf("%s: want [min, max], got %v", name, r)
	}
	return [2]float64{r[0], r[1]}, nil
}

func probParam(name string, p float64) error {
	if p < 0 || p > 1 {
		return fmt.Errorf("%s: want a probability in [0, 1], got %v", name, p)
	}
	return nil
}

// NormalizeInstance: (x−mean)/std per volume; x−mean when std < 1e-5.
func normalize(v []float32, _ [3]int, _ any) []float32 {
	var mean float64
	for _, x := range v {
		mean += float64(x)
	}
	mean /= float64(len(v))
	var ss float64
	for _, x := range v {
		d := float64(x) - mean
		ss += d * d
	}
	std := math.Sqrt(ss / float64(len(v)))
	out := make([]float32, len(v))
	for i, x := range v {
		d := float64(x) - mean
		if std >= 1e-5 {
			d /= std
		}
		out[i] = float32(d)
	}
	return out
}

func init() {
	builders["NormalizeInstance"] = func(raw json.RawMessage) (transform, error) {
		if err := decodeParams(raw, &struct{}{}); err != nil {
			return nil, err
		}
		return identityUndo{&perVolume{fn: normalize, det: true}}, nil
	}
	// NumpyToTensor is implicit here (ivadomed appends it itself); the
	// legacy configs that list it still parse.
	builders["NumpyToTensor"] = func(raw json.RawMessage) (transform, error) {
		if err := decodeParams(raw, &struct{}{}); err != nil {
			return nil, err
		}
		return identityUndo{&perVolume{fn: func(v []float32, _ [3]int, _ any) []float32 { return v }, det: true}}, nil
	}
	builders["HistogramClipping"] = func(raw json.RawMessage) (transform, error) {
		p := struct {
			Min float64 `json:"min_percentile"`
			Max float64 `json:"max_percentile"`
		}{5, 95}
		if err := decodeParams(raw, &p); err != nil {
			return nil, err
		}
		if p.Min < 0 || p.Max > 100 || p.Min > p.Max {
			return nil, fmt.Errorf("want 0 ≤ min_percentile ≤ max_percentile ≤ 100, got %v and %v", p.Min, p.Max)
		}
		return identityUndo{&perVolume{det: true, fn: func(v []float32, _ [3]int, _ any) []float32 {
			lo, hi := float32(percentile(v, p.Min)), float32(percentile(v, p.Max))
			out := make([]float32, len(v))
			for i, x := range v {
				switch {
				case x <= lo:
					x = lo
				case x >= hi:
					x = hi
				}
				out[i] = x
			}
			return out
		}}}, nil
	}
	builders["RandomShiftIntensity"] = func(raw json.RawMessage) (transform, error) {
		p := struct {
			Range []float64 `json:"shift_range"`
			Prob  float64   `json:"prob"`
		}{Prob: 0.1}
		if err := decodeParams(raw, &p); err != nil {
			return nil, err
		}
		rg, err := rangeParam("shift_range", p.Range)
		if err != nil {
			return nil, err
		}
		if err := probParam("prob", p.Prob); err != nil {
			return nil, err
		}
		return &shiftIntensity{rg: rg, prob: p.Prob}, nil
	}
	builders["RandomGamma"] = func(raw json.RawMessage) (transform, error) {
		p := struct {
			Range []float64 `json:"log_gamma_range"`
			P     float64   `json:"p"`
		}{P: 0.5}
		if err := decodeParams(raw, &p); err != nil {
			return nil, err
		}
		rg, err := rangeParam("log_gamma_range", p.Range)
		if err != nil {
			return nil, err
		}
		if err := probParam("p", p.P); err != nil {
			return nil, err
		}
		return &pointwise{pick: func(_ *Sample, r *rand.Rand) (func(float64) float64, error) {
			if !(r.Float64() < p.P) {
				return nil, nil
			}
			g := math.Exp(uniform(r, rg[0], rg[1]))
			return func(x float64) float64 {
				y := math.Copysign(math.Pow(math.Abs(x), g), x)
				if x == 0 {
					y = 0
				}
				return nanToNum(y)
			}, nil
		}}, nil
	}
	builders["AdditiveGaussianNoise"] = func(raw json.RawMessage) (transform, error) {
		p := struct {
			Mean float64 `json:"mean"`
			Std  float64 `json:"std"`
		}{0, 0.01}
		if err := decodeParams(raw, &p); err != nil {
			return nil, err
		}
		if p.Std < 0 {
			return nil, fmt.Errorf("std: want ≥ 0, got %v", p.Std)
		}
		// One noise field per sample, shared by the parts of the same
		// shape (ivadomed draws one per part).
		return &perVolume{
			pick: func(s *Sample, r *rand.Rand) (any, error) { return &noiseField{r: r, mean: p.Mean, std: p.Std}, nil },
			fn: func(v []float32, _ [3]int, params any) []float32 {
				n := params.(*noiseField).field(len(v))
				out := make([]float32, len(v))
				for i, x := range v {
					out[i] = x + n[i]
				}
				return out
			},
		}, nil
	}
	builders["RandomBlur"] = func(raw json.RawMessage) (transform, error) {
		p := struct {
			Range []float64 `json:"sigma_range"`
			P     float64   `json:"p"`
		}{P: 0.5}
		if err := decodeParams(raw, &p); err != nil {
			return nil, err
		}
		rg, err := rangeParam("sigma_range", p.Range)
		if err != nil {
			return nil, err
		}
		if err := probParam("p", p.P); err != nil {
			return nil, err
		}
		return &perVolume{
			pick: func(_ *Sample, r *rand.Rand) (any, error) {
				if !(r.Float64() < p.P) {
					return 0.0, nil
				}
				return uniform(r, rg[0], rg[1]), nil
			},
			fn: func(v []float32, shape [3]int, params any) []float32 {
				sigma := params.(float64)
				if sigma <= 0 {
					return v
				}
				c := toF64(v)
				gaussianFilter(c, shape, sigma, true)
				return toF32(c)
			},
		}, nil
	}
	builders["RandomBiasField"] = func(raw json.RawMessage) (transform, error) {
		p := struct {
			Coefficients json.RawMessage `json:"coefficients"`
			Order        int             `json:"order"`
			P            float64         `json:"p"`
		}{Order: 3, P: 0.5}
		if err := decodeParams(raw, &p); err != nil {
			return nil, err
		}
		rg := [2]float64{-0.5, 0.5}
		if len(p.Coefficients) > 0 {
			var c float64
			var r []float64
			if err := json.Unmarshal(p.Coefficients, &c); err == nil {
				rg = [2]float64{-math.Abs(c), math.Abs(c)}
			} else if err := json.Unmarshal(p.Coefficients, &r); err == nil {
				if rg, err = rangeParam("coefficients", r); err != nil {
					return nil, err
				}
			} else {
				return nil, fmt.Errorf("coefficients: want a number or [min, max], got %s", p.Coefficients)
			}
		}
		if p.Order < 0 {
			return nil, fmt.Errorf("order: want ≥ 0, got %d", p.Order)
		}
		if err := probParam("p", p.P); err != nil {
			return nil, err
		}
		return &perVolume{
			pick: func(_ *Sample, r *rand.Rand) (any, error) {
				if !(r.Float64() < p.P) {
					return []float64(nil), nil
				}
				n := (p.Order + 1) * (p.Order + 2) * (p.Order + 3) / 6
				c := make([]float64, n)
				for i := range c {
					c[i] = uniform(r, rg[0], rg[1])
				}
				return c, nil
			},
			fn: func(v []float32, shape [3]int, params any) []float32 {
				c := params.([]float64)
				if c == nil {
					return v
				}
				return biasField(v, shape, p.Order, c)
			},
		}, nil
	}
}

// noiseField draws one Gaussian field per sample, lazily, so that parts of
// the same size share it.
type noiseField struct {
	r         *rand.Rand
	mean, std float64
	f         []float32
}

func (n *noiseField) field(size int) []float32 {
	if len(n.f) != size {
		n.f = make([]float32, size)
		for i := range n.f {
			n.f[i] = float32(n.mean + n.std*n.r.NormFloat64())
		}
	}
	return n.f
}

func nanToNum(x float64) float64 {
	switch {
	case math.IsNaN(x):
		return 0
	case math.IsInf(x, 1):
		return math.MaxFloat64
	case math.IsInf(x, -1):
		return -math.MaxFloat64
	}
	return x
}

func toF64(v []float32) []float64 {
	c := make([]float64, len(v))
	for i, x := range v {
		c[i] = float64(x)
	}
	return c
}

func toF32(c []float64) []float32 {
	v := make([]float32, len(c))
	for i, x := range c {
		v[i] = float32(x)
	}
	return v
}

// biasField multiplies v by torchio's polynomial bias field
// exp(Σ c·x^i y^j z^k), i+j+k ≤ order, with coordinates centred and scaled
// to a maximum of 1 per axis (an axis of length 1 contributes 0 rather
// than torchio's 0/0).
func biasField(v []float32, shape [3]int, order int, c []float64) []float32 {
	var coords [3][]float64
	for a := 0; a < 3; a++ {
		n := shape[a]
		half := float64(n) / 2
		coords[a] = make([]float64, n)
		var m float64
		for i := range coords[a] {
			coords[a][i] = -half + float64(i) + 0.5
			m = math.Max(m, coords[a][i])
		}
		for i := range coords[a] {
			if m > 0 {
				coords[a][i] /= m
			} else {
				coords[a][i] = 0
			}
		}
	}
	out := make([]float32, len(v))
	for i := 0; i < shape[0]; i++ {
		for j := 0; j < shape[1]; j++ {
			for k := 0; k < shape[2]; k++ {
				x, y, z := coords[0][i], coords[1][j], coords[2][k]
				var s float64
				n := 0
				for xo := 0; xo <= order; xo++ {
					for yo := 0; yo <= order-xo; yo++ {
						for zo := 0; zo <= order-xo-yo; zo++ {
							s += c[n] * math.Pow(x, float64(xo)) * math.Pow(y, float64(yo)) * math.Pow(z, float64(zo))
							n++
						}
					}
				}
				p := idx(shape, i, j, k)
				out[p] = float32(float64(v[p]) * float64(float32(math.Exp(s))))
			}
		}
	}
	return out
}

// shiftIntensity is RandomShiftIntensity: x + U(shift_range) with
// probability prob; undo subtracts the shift.
type shiftIntensity struct {
	rg   [2]float64
	prob float64
}

func (t *shiftIntensity) draw(_ *Sample, r *rand.Rand) (any, error) {
	if r.Float64() < t.prob {
		return uniform(r, t.rg[0], t.rg[1]), nil
	}
	return 0.0, nil
}

func addConst(p Part, c float64) Part {
	return p.mapVolumes(p.Shape, func(v []float32) []float32 {
		out := make([]float32, len(v))
		for i, x := range v {
			out[i] = float32(float64(x) + c)
		}
		return out
	})
}

func (t *shiftIntensity) apply(_ Kind, p Part, params any) (Part, error) {
	return addConst(p, params.(float64)), nil
}

func (t *shiftIntensity) undo(p Part, params any) (Part, error) {
	return addConst(p, -params.(float64)), nil
}

// errCascadeOnly is the error of a BoundingBoxCrop: a config may name it
// (ivadomed inserts it for a cascade), but the pipeline's cascade crops to
// its detection model's box itself, with no transform.
var errCascadeOnly = errors.New("crops to a detection model's box: the pipeline's cascade (object_detection_params) does it, not a transform")

func init() {
	builders["BoundingBoxCrop"] = func(json.RawMessage) (transform, error) { return nil, errCascadeOnly }
}
