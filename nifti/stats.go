package nifti

import "math"

// Stats summarises voxel values the way numpy does on a float64 array.
type Stats struct {
	N        int     `json:"n"`
	Sum      float64 `json:"sum"`
	Mean     float64 `json:"mean"`
	Min      float64 `json:"min"`
	Max      float64 `json:"max"`
	NaNCount int     `json:"nan_count"`
	InfCount int     `json:"inf_count"`
	// The nan* statistics ignore NaNs; set only when there are NaNs and
	// not only NaNs (HasNaNStats).
	NaNSum      float64 `json:"nansum"`
	NaNMean     float64 `json:"nanmean"`
	NaNMin      float64 `json:"nanmin"`
	NaNMax      float64 `json:"nanmax"`
	HasNaNStats bool    `json:"-"`
}

// numpy's reductions see the data through 8192-element buffers and sum
// each with pairwise summation; copying that exactly makes Sum and Mean
// bit-identical to numpy's, not just close.
const (
	numpyBuffer = 8192
	pwBlock     = 128
)

// pairwise is numpy's pairwise_sum for float64.
func pairwise(a []float64) float64 {
	n := len(a)
	switch {
	case n < 8:
		r := 0.0
		for _, x := range a {
			r += x
		}
		return r
	case n <= pwBlock:
		var r [8]float64
		copy(r[:], a[:8])
		i := 8
		for ; i < n-n%8; i += 8 {
			r[0] += a[i]
			r[1] += a[i+1]
			r[2] += a[i+2]
			r[3] += a[i+3]
			r[4] += a[i+4]
			r[5] += a[i+5]
			r[6] += a[i+6]
			r[7] += a[i+7]
		}
		res := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			res += a[i]
		}
		return res
	}
	n2 := n / 2
	n2 -= n2 % 8
	return pairwise(a[:n2]) + pairwise(a[n2:])
}

// Sum adds a as numpy's a.sum() does for a contiguous float64 array.
func Sum(a []float64) float64 {
	r := 0.0
	for i := 0; i < len(a); i += numpyBuffer {
		r += pairwise(a[i:min(i+numpyBuffer, len(a))])
	}
	return r
}

// Describe returns the statistics of a, computed as numpy computes sum,
// mean, min and max (NaN propagates) and nansum, nanmean, nanmin, nanmax.
func Describe(a []float64) Stats {
	s := Stats{N: len(a)}
	if len(a) == 0 {
		return s
	}
	s.Sum = Sum(a)
	s.Mean = s.Sum / float64(len(a))
	s.Min, s.Max = math.Inf(1), math.Inf(-1)
	nmin, nmax := math.Inf(1), math.Inf(-1)
	for _, x := range a {
		switch {
		case x != x:
			s.NaNCount++
			continue
		case math.IsInf(x, 0):
			s.InfCount++
		}
		nmin = math.Min(nmin, x)
		nmax = math.Max(nmax, x)
	}
	s.Min, s.Max = nmin, nmax
	if s.NaNCount > 0 {
		s.Min, s.Max = math.NaN(), math.NaN()
		if s.NaNCount < len(a) {
			s.HasNaNStats = true
			s.NaNMin, s.NaNMax = nmin, nmax
			// numpy's nansum replaces NaNs by 0 and sums the result.
			b := make([]float64, len(a))
			for i, x := range a {
				if x == x {
					b[i] = x
				}
			}
			s.NaNSum = Sum(b)
			s.NaNMean = s.NaNSum / float64(len(a)-s.NaNCount)
		}
	}
	return s
}
