package transforms

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
)

// elastic is ivadomed's ElasticTransform: with probability p, a
// displacement per axis of gaussian_filter(U(−1, 1), σ, mode "constant")·α
// (none across slices of a 2D sample), α and σ drawn from their ranges,
// the part resampled at the displaced grid with linear interpolation and
// mirrored ("reflect") borders. The field is drawn once per sample and
// shared by image, label and ROI.
type elastic struct {
	alpha, sigma [2]float64
	p            float64
}

type elasticParams struct {
	on           bool
	alpha, sigma float64
	r            *rand.Rand
	shape        [3]int
	d            [3][]float64
}

func init() {
	builders["ElasticTransform"] = func(raw json.RawMessage) (transform, error) {
		p := struct {
			Alpha []float64 `json:"alpha_range"`
			Sigma []float64 `json:"sigma_range"`
			P     float64   `json:"p"`
		}{P: 0.1}
		if err := decodeParams(raw, &p); err != nil {
			return nil, err
		}
		a, err := rangeParam("alpha_range", p.Alpha)
		if err != nil {
			return nil, err
		}
		s, err := rangeParam("sigma_range", p.Sigma)
		if err != nil {
			return nil, err
		}
		if err := probParam("p", p.P); err != nil {
			return nil, err
		}
		return &elastic{alpha: a, sigma: s, p: p.P}, nil
	}
}

func (t *elastic) draw(_ *Sample, r *rand.Rand) (any, error) {
	ep := &elasticParams{r: r}
	if r.Float64() < t.p {
		ep.on = true
		ep.alpha = uniform(r, t.alpha[0], t.alpha[1])
		ep.sigma = uniform(r, t.sigma[0], t.sigma[1])
	}
	return ep, nil
}

// field draws the displacement for a shape the first time it is needed.
func (ep *elasticParams) field(shape [3]int) [3][]float64 {
	if ep.d[0] != nil && ep.shape == shape {
		return ep.d
	}
	n := shape[0] * shape[1] * shape[2]
	ep.shape = shape
	for a := 0; a < 3; a++ {
		d := make([]float64, n)
		ep.d[a] = d
		if a == 2 && shape[2] == 1 {
			continue // no displacement across the slices of a 2D sample
		}
		for i := range d {
			d[i] = ep.r.Float64()*2 - 1
		}
		gaussianFilter(d, shape, ep.sigma, false)
		for i := range d {
			d[i] *= ep.alpha
		}
	}
	return ep.d
}

func (t *elastic) apply(_ Kind, p Part, params any) (Part, error) {
	ep := params.(*elasticParams)
	if !ep.on {
		return p, nil
	}
	d := ep.field(p.Shape)
	return p.mapVolumes(p.Shape, func(v []float32) []float32 {
		c := toF64(v)
		out := make([]float32, len(v))
		for i := 0; i < p.Shape[0]; i++ {
			for j := 0; j < p.Shape[1]; j++ {
				for k := 0; k < p.Shape[2]; k++ {
					q := idx(p.Shape, i, j, k)
					x := [3]float64{float64(i) + d[0][q], float64(j) + d[1][q], float64(k) + d[2][q]}
					out[q] = float32(sampleAt(c, p.Shape, 1, x, reflectIndex))
				}
			}
		}
		return out
	}), nil
}

// lowRes is nnU-Net's SimulateLowResolutionTransform: with probability p,
// each channel is downsampled by a factor drawn from zoom_range with
// nearest neighbours and brought back to its size with linear
// interpolation. Only the image: the label keeps its resolution.
type lowRes struct {
	zoom [2]float64
	p    float64
}

func init() {
	builders["SimulateLowResolution"] = func(raw json.RawMessage) (transform, error) {
		p := struct {
			Zoom []float64 `json:"zoom_range"`
			P    float64   `json:"p"`
		}{Zoom: []float64{0.5, 1}, P: 0.25}
		if err := decodeParams(raw, &p); err != nil {
			return nil, err
		}
		z, err := rangeParam("zoom_range", p.Zoom)
		if err != nil {
			return nil, err
		}
		if z[0] <= 0 || z[1] > 1 {
			return nil, fmt.Errorf("zoom_range: want factors in (0, 1], got %v", p.Zoom)
		}
		if err := probParam("p", p.P); err != nil {
			return nil, err
		}
		return &lowRes{zoom: z, p: p.P}, nil
	}
}

func (t *lowRes) draw(_ *Sample, r *rand.Rand) (any, error) {
	if !(r.Float64() < t.p) {
		return 0.0, nil
	}
	return uniform(r, t.zoom[0], t.zoom[1]), nil
}

func (t *lowRes) apply(k Kind, p Part, params any) (Part, error) {
	z := params.(float64)
	if z == 0 || k != Im {
		return p, nil
	}
	small := p.Shape
	for a := 0; a < 3; a++ {
		if p.Shape[a] > 1 {
			small[a] = max(1, roundHalfEven(float64(p.Shape[a])*z))
		}
	}
	return p.mapVolumes(p.Shape, func(v []float32) []float32 {
		down := make([]float32, small[0]*small[1]*small[2])
		for i := 0; i < small[0]; i++ {
			for j := 0; j < small[1]; j++ {
				for l := 0; l < small[2]; l++ {
					a := min(p.Shape[0]-1, int(math.Floor((float64(i)+0.5)*float64(p.Shape[0])/float64(small[0]))))
					b := min(p.Shape[1]-1, int(math.Floor((float64(j)+0.5)*float64(p.Shape[1])/float64(small[1]))))
					c := min(p.Shape[2]-1, int(math.Floor((float64(l)+0.5)*float64(p.Shape[2])/float64(small[2]))))
					down[idx(small, i, j, l)] = v[idx(p.Shape, a, b, c)]
				}
			}
		}
		return zoom(down, small, p.Shape, 1)
	}), nil
}

// brightness is nnU-Net's BrightnessMultiplicativeTransform: each image
// channel, with probability p, times U(multiplier_range).
// contrast is its ContrastAugmentationTransform: (x−mean)·f + mean with f
// drawn below 1 or above 1 with equal odds, clipped to the channel's
// former range when preserve_range.
type channelwise struct {
	rg            [2]float64
	p             float64
	contrast      bool
	preserveRange bool
}

func init() {
	builders["RandomBrightness"] = func(raw json.RawMessage) (transform, error) {
		p := struct {
			Range []float64 `json:"multiplier_range"`
			P     float64   `json:"p"`
		}{Range: []float64{0.75, 1.25}, P: 0.15}
		if err := decodeParams(raw, &p); err != nil {
			return nil, err
		}
		rg, err := rangeParam("multiplier_range", p.Range)
		if err != nil {
			return nil, err
		}
		if err := probParam("p", p.P); err != nil {
			return nil, err
		}
		return &channelwise{rg: rg, p: p.P}, nil
	}
	builders["RandomContrast"] = func(raw json.RawMessage) (transform, error) {
		p := struct {
			Range    []float64 `json:"contrast_range"`
			Preserve bool      `json:"preserve_range"`
			P        float64   `json:"p"`
		}{Range: []float64{0.75, 1.25}, Preserve: true, P: 0.15}
		if err := decodeParams(raw, &p); err != nil {
			return nil, err
		}
		rg, err := rangeParam("contrast_range", p.Range)
		if err != nil {
			return nil, err
		}
		if err := probParam("p", p.P); err != nil {
			return nil, err
		}
		return &channelwise{rg: rg, p: p.P, contrast: true, preserveRange: p.Preserve}, nil
	}
}

// draw returns one factor per image channel (0: unchanged).
func (t *channelwise) draw(s *Sample, r *rand.Rand) (any, error) {
	f := make([]float64, len(s.Im.Data))
	for c := range f {
		if !(r.Float64() < t.p) {
			continue
		}
		switch {
		case !t.contrast:
			f[c] = uniform(r, t.rg[0], t.rg[1])
		case r.Float64() < 0.5 && t.rg[0] < 1:
			f[c] = uniform(r, t.rg[0], 1)
		default:
			f[c] = uniform(r, math.Max(t.rg[0], 1), t.rg[1])
		}
	}
	return f, nil
}

func (t *channelwise) apply(k Kind, p Part, params any) (Part, error) {
	f := params.([]float64)
	if k != Im {
		return p, nil
	}
	q := Part{Shape: p.Shape, Data: make([][]float32, len(p.Data))}
	for c, v := range p.Data {
		if c >= len(f) || f[c] == 0 {
			q.Data[c] = v
			continue
		}
		out := make([]float32, len(v))
		if !t.contrast {
			for i, x := range v {
				out[i] = float32(float64(x) * f[c])
			}
		} else {
			var mean float64
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, x := range v {
				mean += float64(x)
				lo, hi = math.Min(lo, float64(x)), math.Max(hi, float64(x))
			}
			mean /= float64(len(v))
			for i, x := range v {
				y := (float64(x)-mean)*f[c] + mean
				if t.preserveRange {
					y = math.Min(math.Max(y, lo), hi)
				}
				out[i] = float32(y)
			}
		}
		q.Data[c] = out
	}
	return q, nil
}
