package transforms

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// crop is ivadomed's CenterCrop or ROICrop: a window of Size voxels whose
// corner is chosen per part (CenterCrop: centred in the part) or from the
// ROI's centre of mass (ROICrop); parts of the window outside the volume
// are zeros. A two-element size keeps the whole depth.
type crop struct {
	roi  bool
	size [3]int // size[2] == 0: whole depth
}

type cropParams struct {
	// corner from the ROI (ROICrop), or per part (CenterCrop)
	corner map[Kind][3]int
	before map[Kind][3]int
}

func newCrop(roi bool) builder {
	return func(raw json.RawMessage) (transform, error) {
		var p struct {
			Size []int `json:"size"`
		}
		if err := decodeParams(raw, &p); err != nil {
			return nil, err
		}
		if len(p.Size) != 2 && len(p.Size) != 3 {
			return nil, fmt.Errorf("size: want 2 or 3 integers, got %v", p.Size)
		}
		t := &crop{roi: roi}
		for i, s := range p.Size {
			if s <= 0 {
				return nil, fmt.Errorf("size: want positive integers, got %v", p.Size)
			}
			t.size[i] = s
		}
		return t, nil
	}
}

func init() {
	builders["CenterCrop"] = newCrop(false)
	builders["ROICrop"] = newCrop(true)
}

func (t *crop) target(shape [3]int) [3]int {
	s := t.size
	if s[2] == 0 {
		s[2] = shape[2]
	}
	return s
}

// centerOfMass is scipy.ndimage.center_of_mass of the ROI cast to int.
func centerOfMass(p Part) ([3]float64, bool) {
	var c [3]float64
	var total float64
	v := p.Data[0]
	for i := 0; i < p.Shape[0]; i++ {
		for j := 0; j < p.Shape[1]; j++ {
			for k := 0; k < p.Shape[2]; k++ {
				w := math.Trunc(float64(v[idx(p.Shape, i, j, k)]))
				if w == 0 {
					continue
				}
				total += w
				c[0] += w * float64(i)
				c[1] += w * float64(j)
				c[2] += w * float64(k)
			}
		}
	}
	if total == 0 {
		return c, false
	}
	for a := range c {
		c[a] /= total
	}
	return c, true
}

func (t *crop) draw(s *Sample, _ *rand.Rand) (any, error) {
	cp := &cropParams{corner: map[Kind][3]int{}, before: map[Kind][3]int{}}
	if !t.roi {
		return cp, nil
	}
	if len(s.ROI.Data) == 0 {
		return nil, errors.New("ROICrop needs an ROI (roi_params.suffix) and the sample has none")
	}
	com, ok := centerOfMass(s.ROI)
	if !ok {
		return nil, errors.New("the ROI is empty: no centre to crop around")
	}
	size := t.target(s.ROI.Shape)
	var corner [3]int
	for a := range corner {
		corner[a] = roundHalfEven(com[a]) - roundHalfEven(float64(size[a])/2)
	}
	if t.size[2] == 0 {
		corner[2] = 0
	}
	for _, k := range []Kind{Im, GT, ROI} {
		cp.corner[k] = corner
	}
	return cp, nil
}

// window copies the box at corner of size out from v (zeros outside).
func window(v []float32, in [3]int, corner, out [3]int) []float32 {
	res := make([]float32, out[0]*out[1]*out[2])
	for i := 0; i < out[0]; i++ {
		a := corner[0] + i
		if a < 0 || a >= in[0] {
			continue
		}
		for j := 0; j < out[1]; j++ {
			b := corner[1] + j
			if b < 0 || b >= in[1] {
				continue
			}
			for k := 0; k < out[2]; k++ {
				c := corner[2] + k
				if c < 0 || c >= in[2] {
					continue
				}
				res[idx(out, i, j, k)] = v[idx(in, a, b, c)]
			}
		}
	}
	return res
}

func (t *crop) apply(k Kind, p Part, params any) (Part, error) {
	cp := params.(*cropParams)
	size := t.target(p.Shape)
	corner, ok := cp.corner[k]
	if !ok {
		for a := range corner {
			corner[a] = roundHalfEven(float64(p.Shape[a]-size[a]) / 2)
		}
		if p.is2D() {
			corner[2] = 0
			size[2] = 1
		}
		cp.corner[k] = corner
	}
	if p.is2D() {
		size[2] = 1
		corner[2] = 0
	}
	cp.before[k] = p.Shape
	return p.mapVolumes(size, func(v []float32) []float32 { return window(v, p.Shape, corner, size) }), nil
}

// undo pads the prediction back into its place in the uncropped volume.
func (t *crop) undo(p Part, params any) (Part, error) {
	cp := params.(*cropParams)
	orig, ok := cp.before[GT]
	corner := cp.corner[GT]
	if !ok {
		orig, ok = cp.before[Im]
		corner = cp.corner[Im]
	}
	if !ok {
		return p, errors.New("nothing was cropped")
	}
	if p.is2D() {
		corner[2] = 0
	}
	neg := [3]int{-corner[0], -corner[1], -corner[2]}
	return p.mapVolumes(orig, func(v []float32) []float32 { return window(v, p.Shape, neg, orig) }), nil
}
