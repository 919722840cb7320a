package transforms

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
)

// randomAffine is ivadomed's RandomAffine: a rotation by an angle drawn
// from Degrees about one random pair of axes ((0,1) in 2D), scaling by
// 1±Scale per axis and a whole-voxel shift of up to Translate·size per
// axis, about the volume's centre, with trilinear interpolation and zeros
// outside (scipy's affine_transform, order 1, mode "constant").
type randomAffine struct {
	degrees   [2]float64
	translate [3]float64
	scale     [3]float64
}

type affineParams struct {
	angle float64
	axes  [2]int
	scale [3]float64
	shift [3]float64
}

func init() {
	builders["RandomAffine"] = func(raw json.RawMessage) (transform, error) {
		var p struct {
			Degrees   json.RawMessage `json:"degrees"`
			Translate []float64       `json:"translate"`
			Scale     []float64       `json:"scale"`
		}
		if err := decodeParams(raw, &p); err != nil {
			return nil, err
		}
		t := &randomAffine{}
		if len(p.Degrees) > 0 {
			var d float64
			var r []float64
			if err := json.Unmarshal(p.Degrees, &d); err == nil {
				if d < 0 {
					return nil, fmt.Errorf("degrees: a single value must be non-negative, got %v", d)
				}
				t.degrees = [2]float64{-d, d}
			} else if err := json.Unmarshal(p.Degrees, &r); err == nil && len(r) == 2 {
				t.degrees = [2]float64{r[0], r[1]}
			} else {
				return nil, fmt.Errorf("degrees: want a number or [min, max], got %s", p.Degrees)
			}
		}
		for name, src := range map[string][]float64{"translate": p.Translate, "scale": p.Scale} {
			if len(src) > 3 {
				return nil, fmt.Errorf("%s: want at most 3 values, got %v", name, src)
			}
			for _, x := range src {
				if x < 0 || x > 1 {
					return nil, fmt.Errorf("%s: values must lie in [0, 1], got %v", name, src)
				}
			}
		}
		copy(t.translate[:], p.Translate)
		copy(t.scale[:], p.Scale)
		return t, nil
	}
}

func uniform(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

func (t *randomAffine) draw(s *Sample, r *rand.Rand) (any, error) {
	shape := s.Im.Shape
	if len(s.Im.Data) == 0 {
		shape = s.GT.Shape
	}
	p := &affineParams{angle: uniform(r, t.degrees[0], t.degrees[1]) * math.Pi / 180}
	if shape[2] > 1 {
		// random.sample(range(3), 2), sorted
		a := r.IntN(3)
		b := r.IntN(2)
		if b >= a {
			b++
		}
		p.axes = [2]int{min(a, b), max(a, b)}
	} else {
		p.axes = [2]int{0, 1}
	}
	for a := 0; a < 3; a++ {
		p.scale[a] = uniform(r, 1-t.scale[a], 1+t.scale[a])
	}
	for a := 0; a < 3; a++ {
		m := t.translate[a] * float64(shape[a])
		p.shift[a] = math.RoundToEven(uniform(r, -m, m))
	}
	return p, nil
}

// matrix returns the 3×3 matrix T of ivadomed (rotate·scale⁻¹, or
// scale⁻¹·rotate when undoing).
func (p *affineParams) matrix(undo bool) [3][3]float64 {
	c, s := math.Cos(p.angle), math.Sin(p.angle)
	rot := [3][3]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}
	a, b := p.axes[0], p.axes[1]
	rot[a][a], rot[b][b] = c, c
	if a == 0 && b == 2 {
		rot[a][b], rot[b][a] = s, -s
	} else {
		rot[a][b], rot[b][a] = -s, s
	}
	var m [3][3]float64
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			if undo {
				m[i][j] = rot[i][j] / p.scale[i]
			} else {
				m[i][j] = rot[i][j] / p.scale[j]
			}
		}
	}
	return m
}

// affineTransform is scipy's affine_transform(v, matrix, offset, order=1,
// mode="constant"): out[o] = v[matrix·o + offset], 0 outside the volume.
func affineTransform(v []float32, shape [3]int, m [3][3]float64, off [3]float64) []float32 {
	out := make([]float32, len(v))
	const eps = 1e-9
	var hi [3]float64
	for a := range 3 {
		hi[a] = float64(shape[a] - 1)
	}
	for i := 0; i < shape[0]; i++ {
		for j := 0; j < shape[1]; j++ {
			// The first two products of each coordinate's sum, which
			// the sum adds first: hoisted, they round as they did inside.
			var p [3]float64
			for a := range 3 {
				p[a] = float64(m[a][0]*float64(i) + m[a][1]*float64(j))
			}
			row := out[idx(shape, i, j, 0):][:shape[2]]
			for k := range row {
				var x [3]float64
				inside := true
				for a := range 3 {
					x[a] = p[a] + m[a][2]*float64(k) + off[a]
					if x[a] < -eps || x[a] > hi[a]+eps {
						inside = false
					}
					x[a] = min(max(x[a], 0), hi[a])
				}
				if inside {
					row[k] = float32(linearAt(v, shape, x))
				}
			}
		}
	}
	return out
}

// linearAt is sampleAt of order 1, indices past the end clamped, on v's
// values, for x inside the volume, summed in the same order. It adds the
// terms of zero weight that sampleAt skips: on finite values (Compose
// rejects NaN) they add zeros, and s is never −0, so the bits are
// sampleAt's; an infinite voxel beside x makes a NaN here where sampleAt
// could skip it. Without sampleAt's branches, function values and float64
// copy of v, and without math.Min and math.Max (calls, not instructions),
// the 3D reference config's RandomAffine takes 2.5 instead of 5.5 ms a
// 48×48×16 patch.
func linearAt(v []float32, shape [3]int, x [3]float64) float64 {
	if shape[2] == 1 {
		fx, fy := math.Floor(x[0]), math.Floor(x[1])
		tx, ty := x[0]-fx, x[1]-fy
		h, w := shape[0], shape[1]
		i0, j0 := int(fx), int(fy)
		i1, j1 := min(i0+1, h-1), min(j0+1, w-1)
		at := func(i, j int) float64 { return float64(v[i*w+j]) }
		a := at(i0, j0)*(1-ty) + at(i0, j1)*ty
		b := at(i1, j0)*(1-ty) + at(i1, j1)*ty
		return a*(1-tx) + b*tx
	}
	n1, n2 := shape[1], shape[2]
	f0, f1, f2 := math.Floor(x[0]), math.Floor(x[1]), math.Floor(x[2])
	t0, t1, t2 := x[0]-f0, x[1]-f1, x[2]-f2
	i0, j0, k0 := int(f0), int(f1), int(f2)
	di := 0
	if i0+1 < shape[0] {
		di = n1 * n2
	}
	dj := 0
	if j0+1 < n1 {
		dj = n2
	}
	dk := 0
	if k0+1 < n2 {
		dk = 1
	}
	b := (i0*n1+j0)*n2 + k0
	c := v[b : b+di+dj+dk+1]
	u0, u1, u2 := 1-t0, 1-t1, 1-t2
	w00, w01, w10, w11 := u0*u1, u0*t1, t0*u1, t0*t1
	var s float64
	s += w00 * u2 * float64(c[0])
	s += w00 * t2 * float64(c[dk])
	s += w01 * u2 * float64(c[dj])
	s += w01 * t2 * float64(c[dj+dk])
	s += w10 * u2 * float64(c[di])
	s += w10 * t2 * float64(c[di+dk])
	s += w11 * u2 * float64(c[di+dj])
	s += w11 * t2 * float64(c[di+dj+dk])
	return s
}

// transformPart applies ivadomed's affine with matrix T = m: input
// coordinate = Tᵀ… as affine_transform(sample, T.T, offset=c − c·T + t).
func transformPart(p Part, m [3][3]float64, shift [3]float64) Part {
	var mt [3][3]float64
	var off [3]float64
	var c [3]float64
	for a := 0; a < 3; a++ {
		c[a] = 0.5 * float64(p.Shape[a])
	}
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			mt[i][j] = m[j][i]
		}
	}
	for a := 0; a < 3; a++ {
		// (c·T)[a] = Σ_i c[i]·T[i][a]
		ct := c[0]*m[0][a] + c[1]*m[1][a] + c[2]*m[2][a]
		off[a] = c[a] - ct + shift[a]
	}
	return p.mapVolumes(p.Shape, func(v []float32) []float32 { return affineTransform(v, p.Shape, mt, off) })
}

func (t *randomAffine) apply(_ Kind, p Part, params any) (Part, error) {
	ap := params.(*affineParams)
	return transformPart(p, ap.matrix(false), ap.shift), nil
}

// undo rotates back and unscales (ivadomed's first undo call), then
// shifts back (its second).
func (t *randomAffine) undo(p Part, params any) (Part, error) {
	ap := params.(*affineParams)
	inv := &affineParams{angle: -ap.angle, axes: ap.axes}
	for a := range inv.scale {
		inv.scale[a] = 1 / ap.scale[a]
	}
	p = transformPart(p, inv.matrix(true), [3]float64{})
	id := &affineParams{axes: [2]int{0, 1}, scale: [3]float64{1, 1, 1}}
	return transformPart(p, id.matrix(false), [3]float64{-ap.shift[0], -ap.shift[1], -ap.shift[2]}), nil
}

// flip is ivadomed's RandomReverse (each axis flipped with probability
// 0.5) and nnU-Net's mirroring (RandomMirror: the listed axes, each with
// probability p); its undo flips back.
type flip struct {
	axes []int
	p    float64
}

func init() {
	builders["RandomReverse"] = func(raw json.RawMessage) (transform, error) {
		if err := decodeParams(raw, &struct{}{}); err != nil {
			return nil, err
		}
		return &flip{axes: []int{0, 1, 2}, p: 0.5}, nil
	}
	builders["RandomMirror"] = func(raw json.RawMessage) (transform, error) {
		p := struct {
			Axes []int   `json:"axes"`
			P    float64 `json:"p"`
		}{Axes: []int{0, 1, 2}, P: 0.5}
		if err := decodeParams(raw, &p); err != nil {
			return nil, err
		}
		for _, a := range p.Axes {
			if a < 0 || a > 2 {
				return nil, fmt.Errorf("axes: want axes among 0, 1, 2, got %v", p.Axes)
			}
		}
		return &flip{axes: p.Axes, p: p.P}, nil
	}
}

func (t *flip) draw(_ *Sample, r *rand.Rand) (any, error) {
	var f [3]bool
	for _, a := range t.axes {
		f[a] = r.Float64() < t.p
	}
	return f, nil
}

func flipVolume(v []float32, shape [3]int, f [3]bool) []float32 {
	out := make([]float32, len(v))
	for i := 0; i < shape[0]; i++ {
		a := i
		if f[0] {
			a = shape[0] - 1 - i
		}
		for j := 0; j < shape[1]; j++ {
			b := j
			if f[1] {
				b = shape[1] - 1 - j
			}
			for k := 0; k < shape[2]; k++ {
				c := k
				if f[2] {
					c = shape[2] - 1 - k
				}
				out[idx(shape, i, j, k)] = v[idx(shape, a, b, c)]
			}
		}
	}
	return out
}

func (t *flip) apply(_ Kind, p Part, params any) (Part, error) {
	f := params.([3]bool)
	return p.mapVolumes(p.Shape, func(v []float32) []float32 { return flipVolume(v, p.Shape, f) }), nil
}

func (t *flip) undo(p Part, params any) (Part, error) { return t.apply(GT, p, params) }
