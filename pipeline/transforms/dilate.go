package transforms

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/ivadogo/ivadogo/pipeline/postprocess"
)

// dilateGT is ivadomed's DilateGT (soft ground-truth augmentation): the
// label, binarised at 0.5, has each 6-connected object dilated
// nb_it = round(f·√size) times, the k-th new ring taking the soft value
// (nb_it+1−k)/(nb_it+1); a random fraction of the new voxels is dropped,
// new pieces not touching the original objects are removed, and the result
// is closed (3×3×3 block, 3×3 within a 2D slice) and hole-filled, keeping
// the dilated soft values. f ≤ 0 leaves the label as it is.
type dilateGT struct{ factor float64 }

func init() {
	builders["DilateGT"] = func(raw json.RawMessage) (transform, error) {
		var p struct {
			Factor *float64 `json:"dilation_factor"`
		}
		if err := decodeParams(raw, &p); err != nil {
			return nil, err
		}
		if p.Factor == nil {
			return nil, fmt.Errorf("dilation_factor is required")
		}
		return &dilateGT{factor: *p.Factor}, nil
	}
}

func (t *dilateGT) draw(_ *Sample, r *rand.Rand) (any, error) { return r, nil }

// neighbourhood visits the in-volume neighbours of voxel p: the 6 face
// neighbours (full false) or the 26 of the 3×3×3 block (full true).
func neighbourhood(shape [3]int, p int, full bool, fn func(q int)) {
	i, j, k := p/(shape[1]*shape[2]), (p/shape[2])%shape[1], p%shape[2]
	for a := -1; a <= 1; a++ {
		for b := -1; b <= 1; b++ {
			for c := -1; c <= 1; c++ {
				n := abs(a) + abs(b) + abs(c)
				if n == 0 || (!full && n > 1) {
					continue
				}
				x, y, z := i+a, j+b, k+c
				if x < 0 || y < 0 || z < 0 || x >= shape[0] || y >= shape[1] || z >= shape[2] {
					continue
				}
				fn(idx(shape, x, y, z))
			}
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// dilate is one binary dilation (6-connected, or the 3×3×3 block).
func dilate(m []bool, shape [3]int, full bool) []bool {
	out := append([]bool(nil), m...)
	for p, on := range m {
		if on {
			neighbourhood(shape, p, full, func(q int) { out[q] = true })
		}
	}
	return out
}

// erode is one binary erosion with the 3×3×3 block (3×3 on a 2D slice),
// voxels outside the volume counting as 0 as in scipy.
func erode(m []bool, shape [3]int) []bool {
	out := make([]bool, len(m))
	for p, on := range m {
		if !on {
			continue
		}
		i, j, k := p/(shape[1]*shape[2]), (p/shape[2])%shape[1], p%shape[2]
		keep := i > 0 && j > 0 && i < shape[0]-1 && j < shape[1]-1
		if shape[2] > 1 {
			keep = keep && k > 0 && k < shape[2]-1
		}
		if keep {
			neighbourhood(shape, p, true, func(q int) { keep = keep && m[q] })
		}
		out[p] = keep
	}
	return out
}

func (t *dilateGT) apply(k Kind, p Part, params any) (Part, error) {
	r := params.(*rand.Rand)
	if t.factor <= 0 {
		return p, nil
	}
	return p.mapVolumes(p.Shape, func(v []float32) []float32 { return t.dilateVolume(v, p.Shape, r) }), nil
}

func (t *dilateGT) dilateVolume(v []float32, shape [3]int, r *rand.Rand) []float32 {
	in := make([]bool, len(v))
	nonEmpty := false
	for i, x := range v {
		in[i] = x > 0.5
		nonEmpty = nonEmpty || x != 0
	}
	if !nonEmpty {
		return v
	}
	labels, n := postprocess.Label(in, shape, postprocess.Face)
	sizes := postprocess.Sizes(labels, n)
	soft := make([]float64, len(v))
	for obj := 1; obj <= n; obj++ {
		bin := make([]bool, len(v))
		objSoft := make([]float64, len(v))
		for i, l := range labels {
			if l == int32(obj) {
				bin[i], objSoft[i] = true, 1
			}
		}
		nbIt := int(math.RoundToEven(t.factor * math.Sqrt(float64(sizes[obj]))))
		for it := nbIt; it >= 1; it-- {
			val := float64(it) / float64(nbIt+1)
			grown := dilate(bin, shape, false)
			for i := range grown {
				if grown[i] && !bin[i] {
					objSoft[i] += val
				}
			}
			for i := range bin {
				bin[i] = objSoft[i] > 0
			}
		}
		for i := range soft {
			soft[i] += objSoft[i]
		}
	}
	dil := make([]float64, len(v))
	var newVox []int
	for i := range soft {
		dil[i] = math.Min(math.Max(soft[i], 0), 1)
		if dil[i] > 0 && !in[i] {
			newVox = append(newVox, i)
		}
	}
	// random holes: drop round(n·(1−ratio)) of the new voxels
	holes := append([]float64(nil), dil...)
	ratio := r.Float64()
	drop := int(math.RoundToEven(float64(len(newVox)) * (1 - ratio)))
	for i := 0; i < drop; i++ {
		j := i + r.IntN(len(newVox)-i)
		newVox[i], newVox[j] = newVox[j], newVox[i]
		holes[newVox[i]] = 0
	}
	// remove pieces not connected to the input objects
	hb := make([]bool, len(v))
	for i, x := range holes {
		hb[i] = x > 0
	}
	hl, hn := postprocess.Label(hb, shape, postprocess.Face)
	touches := make([]bool, hn+1)
	for i, l := range hl {
		if in[i] {
			touches[l] = true
		}
	}
	for i, l := range hl {
		if l != 0 && !touches[l] {
			holes[i] = 0
		}
	}
	// close, fill holes, and take the dilated soft values there
	m := make([]bool, len(v))
	for i, x := range holes {
		m[i] = x > 0
	}
	closed := erode(dilate(m, shape, true), shape)
	filled := fillFace(closed, shape)
	out := make([]float32, len(v))
	for i := range out {
		if filled[i] {
			out[i] = float32(dil[i])
		}
	}
	return out
}

// fillFace is binary_fill_holes with its default structure: background
// 6-connected to the border stays, the rest is filled. A 2D slice is
// filled as an image (scipy, seeing an H×W×1 array, finds every voxel on
// the border across slices and fills nothing).
func fillFace(m []bool, shape [3]int) []bool {
	bg := make([]bool, len(m))
	for i, on := range m {
		bg[i] = !on
	}
	labels, n := postprocess.Label(bg, shape, postprocess.Face)
	border := make([]bool, n+1)
	for p, l := range labels {
		if l == 0 {
			continue
		}
		i, j, k := p/(shape[1]*shape[2]), (p/shape[2])%shape[1], p%shape[2]
		edge := i == 0 || j == 0 || i == shape[0]-1 || j == shape[1]-1
		if shape[2] > 1 {
			edge = edge || k == 0 || k == shape[2]-1
		}
		if edge {
			border[l] = true
		}
	}
	out := make([]bool, len(m))
	for p, l := range labels {
		out[p] = l == 0 || !border[l]
	}
	return out
}
