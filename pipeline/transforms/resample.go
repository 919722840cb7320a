package transforms

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
)

// zoomShape is scipy's zoom output shape: round(in·factor), half to even.
func zoomShape(in [3]int, f [3]float64) [3]int {
	var out [3]int
	for a := range out {
		out[a] = roundHalfEven(float64(in[a]) * f[a])
	}
	return out
}

// percentile is numpy's percentile (linear interpolation) of v at q in
// [0, 100].
func percentile(v []float32, q float64) float64 {
	s := make([]float64, len(v))
	for i, x := range v {
		s[i] = float64(x)
	}
	slices.Sort(s)
	pos := q / 100 * float64(len(s)-1)
	lo := int(pos)
	if lo >= len(s)-1 {
		return s[len(s)-1]
	}
	t := pos - float64(lo)
	return s[lo] + t*(s[lo+1]-s[lo])
}

// resample is ivadomed's Resample: zoom to voxel size hspace×wspace×dspace
// mm (2D slices are not zoomed across slices), order 2 for the image and
// ROI, order 1 for the label; undo zooms the prediction (order 1) back to
// its shape before.
type resample struct {
	H, W, D float64
}

type resampleParams struct {
	factors [3]float64
	before  map[Kind][3]int
}

func init() {
	builders["Resample"] = func(raw json.RawMessage) (transform, error) {
		t := &resample{D: 1}
		var p struct {
			Hspace *float64 `json:"hspace"`
			Wspace *float64 `json:"wspace"`
			Dspace *float64 `json:"dspace"`
		}
		if err := decodeParams(raw, &p); err != nil {
			return nil, err
		}
		if p.Hspace == nil || p.Wspace == nil {
			return nil, errors.New("hspace and wspace (mm) are required")
		}
		t.H, t.W = *p.Hspace, *p.Wspace
		if p.Dspace != nil {
			t.D = *p.Dspace
		}
		if t.H <= 0 || t.W <= 0 || t.D <= 0 {
			return nil, fmt.Errorf("voxel sizes must be positive, got %v×%v×%v", t.H, t.W, t.D)
		}
		return t, nil
	}
}

func (t *resample) draw(s *Sample, _ *rand.Rand) (any, error) {
	z := s.Zooms
	if z[0] <= 0 || z[1] <= 0 {
		return nil, fmt.Errorf("sample has no voxel size (zooms %v)", z)
	}
	if z[2] <= 0 {
		z[2] = 1
	}
	return &resampleParams{factors: [3]float64{z[0] / t.H, z[1] / t.W, z[2] / t.D}, before: map[Kind][3]int{}}, nil
}

func (t *resample) apply(k Kind, p Part, params any) (Part, error) {
	rp := params.(*resampleParams)
	f := rp.factors
	if p.is2D() {
		f[2] = 1
	}
	rp.before[k] = p.Shape
	out := zoomShape(p.Shape, f)
	for a := range out {
		if out[a] < 1 {
			return p, fmt.Errorf("zoom by %v leaves no voxel along axis %d of shape %v", f, a, p.Shape)
		}
	}
	order := 2
	if k == GT {
		order = 1
	}
	return p.mapVolumes(out, func(v []float32) []float32 { return zoom(v, p.Shape, out, order) }), nil
}

func (t *resample) undo(p Part, params any) (Part, error) {
	rp := params.(*resampleParams)
	orig, ok := rp.before[GT]
	if !ok {
		orig, ok = rp.before[Im]
	}
	if !ok {
		return p, errors.New("nothing was resampled")
	}
	return p.mapVolumes(orig, func(v []float32) []float32 { return zoom(v, p.Shape, orig, 1) }), nil
}
