package transforms

import (
	"encoding/json"
	"fmt"
	"math"
)

// clahe is ivadomed's Clahe (skimage's equalize_adapthist, the 2D
// algorithm of scikit-image 0.17 that ivadomed pins): contrast-limited
// adaptive histogram equalisation of each slice across the last axis, with
// tiles of kernel_size pixels, 256 bins over 2^14 grey levels, histograms
// clipped at clip_limit·(tile size) with the excess redistributed, and the
// tile mappings interpolated bilinearly between tile centres; the result is
// rescaled to [0, 1].
//
// Departure: skimage converts the input with img_as_uint, which rejects
// floats outside [−1, 1] (so ivadomed's Clahe fails on raw MRI
// intensities); here each slice is first rescaled from its own minimum and
// maximum.
type clahe struct {
	clip   float64
	kh, kw int
}

const (
	claheGrey  = 1 << 14
	claheNBins = 256
)

func init() {
	builders["Clahe"] = func(raw json.RawMessage) (transform, error) {
		p := struct {
			ClipLimit  float64 `json:"clip_limit"`
			KernelSize []int   `json:"kernel_size"`
		}{3, []int{8, 8}}
		if err := decodeParams(raw, &p); err != nil {
			return nil, err
		}
		if len(p.KernelSize) != 2 || p.KernelSize[0] < 1 || p.KernelSize[1] < 1 {
			return nil, fmt.Errorf("kernel_size: want two positive integers (tiles of each 2D slice), got %v", p.KernelSize)
		}
		if p.ClipLimit < 0 {
			return nil, fmt.Errorf("clip_limit: want ≥ 0, got %v", p.ClipLimit)
		}
		return identityUndo{&perVolume{det: true, fn: (&clahe{clip: p.ClipLimit, kh: p.KernelSize[0], kw: p.KernelSize[1]}).volume}}, nil
	}
}

func (t *clahe) volume(v []float32, shape [3]int, _ any) []float32 {
	out := make([]float32, len(v))
	h, w := shape[0], shape[1]
	img := make([]float64, h*w)
	for k := 0; k < shape[2]; k++ {
		for i := 0; i < h; i++ {
			for j := 0; j < w; j++ {
				img[i*w+j] = float64(v[idx(shape, i, j, k)])
			}
		}
		res := t.slice(img, h, w)
		for i := 0; i < h; i++ {
			for j := 0; j < w; j++ {
				out[idx(shape, i, j, k)] = float32(res[i*w+j])
			}
		}
	}
	return out
}

// clipHistogram is skimage's clip_histogram.
func clipHistogram(hist []int, limit int) {
	nExcess := 0
	for _, x := range hist {
		if x > limit {
			nExcess += x - limit
		}
	}
	binIncr := nExcess / len(hist)
	upper := limit - binIncr
	for i, x := range hist {
		if x > limit {
			hist[i] = limit
			continue
		}
		if x < upper {
			x += binIncr
			nExcess -= binIncr
		}
		// skimage tests the middle band after the low bins were raised
		if x >= upper && x < limit {
			nExcess -= limit - x
			x = limit
		}
		hist[i] = x
	}
	prev := nExcess
	for nExcess > 0 {
		for index := 0; nExcess > 0 && index < len(hist); index++ {
			under := 0
			for _, x := range hist {
				if x < limit {
					under++
				}
			}
			step := max(under/nExcess, 1)
			// one pass raises every selected bin, as skimage's masked
			// increment does, even past the excess
			for i := index; i < len(hist); i += step {
				if hist[i] < limit {
					hist[i]++
					nExcess--
				}
			}
		}
		if prev == nExcess {
			break
		}
		prev = nExcess
	}
}

func (t *clahe) slice(img []float64, h, w int) []float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range img {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	out := make([]float64, len(img))
	if hi <= lo {
		return out
	}
	grey := make([]int, len(img))
	for i, x := range img {
		grey[i] = int(math.Round((x - lo) / (hi - lo) * (claheGrey - 1)))
	}
	kh, kw := min(t.kh, h), min(t.kw, w)
	nr, nc := (h+kh-1)/kh, (w+kw-1)/kw
	rowStep, colStep := h/nr, w/nc
	binSize := 1 + claheGrey/claheNBins
	maps := make([][]float64, nr*nc)
	for r := 0; r < nr; r++ {
		for c := 0; c < nc; c++ {
			hist := make([]int, claheNBins)
			n := rowStep * colStep
			for i := r * rowStep; i < (r+1)*rowStep; i++ {
				for j := c * colStep; j < (c+1)*colStep; j++ {
					hist[grey[i*w+j]/binSize]++
				}
			}
			clim := claheGrey
			if t.clip > 0 {
				clim = max(int(t.clip*float64(n)), 1)
			}
			clipHistogram(hist, clim)
			m := make([]float64, claheNBins)
			cum := 0
			for b, x := range hist {
				cum += x
				m[b] = math.Min(float64(int(float64(cum)*float64(claheGrey-1)/float64(n))), claheGrey-1)
			}
			maps[r*nc+c] = m
		}
	}
	// bilinear interpolation between tile centres, clamped at the edges
	pos := func(x float64, step, n int) (int, int, float64) {
		f := (x - float64(step)/2) / float64(step)
		if f <= 0 {
			return 0, 0, 0
		}
		if f >= float64(n-1) {
			return n - 1, n - 1, 0
		}
		a := int(f)
		return a, a + 1, f - float64(a)
	}
	olo, ohi := math.Inf(1), math.Inf(-1)
	for i := 0; i < h; i++ {
		r0, r1, fr := pos(float64(i), rowStep, nr)
		for j := 0; j < w; j++ {
			c0, c1, fc := pos(float64(j), colStep, nc)
			b := grey[i*w+j] / binSize
			v := (1-fr)*((1-fc)*maps[r0*nc+c0][b]+fc*maps[r0*nc+c1][b]) +
				fr*((1-fc)*maps[r1*nc+c0][b]+fc*maps[r1*nc+c1][b])
			out[i*w+j] = v
			olo, ohi = math.Min(olo, v), math.Max(ohi, v)
		}
	}
	for i := range out {
		if ohi > olo {
			out[i] = (out[i] - olo) / (ohi - olo)
		} else {
			out[i] = 0
		}
	}
	return out
}
