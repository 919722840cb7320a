package nifti

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// TestSumNumpy checks that Sum and Describe give numpy's bits exactly
// (testdata/stats.json, made by testdata/make_stats.py).
func TestSumNumpy(t *testing.T) {
	b, err := os.ReadFile("testdata/stats.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		N                   int
		Sum, Mean, Min, Max float64
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	naive := 0
	for _, c := range cases {
		v := statsValues(c.N)
		s := Describe(v)
		if s.Sum != c.Sum || s.Mean != c.Mean || s.Min != c.Min || s.Max != c.Max {
			t.Errorf("n=%d: got sum %v mean %v min %v max %v; numpy %v %v %v %v",
				c.N, s.Sum, s.Mean, s.Min, s.Max, c.Sum, c.Mean, c.Min, c.Max)
		}
		loop := 0.0
		for _, x := range v {
			loop += x
		}
		if loop != c.Sum {
			naive++
		}
	}
	if naive == 0 {
		t.Error("a plain loop matches numpy on every case: the fixture does not test the summation order")
	}
}

// statsValues makes the fixture's values, exactly as make_stats.py does.
func statsValues(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		h := uint64(i) * 2654435761 % (1 << 32)
		v[i] = math.Ldexp(float64(h)/(1<<32)-0.5, i*7%41-20)
	}
	return v
}

// TestDescribeNaN checks numpy's NaN rules: NaN propagates through sum,
// mean, min and max, and the nan* statistics skip it.
func TestDescribeNaN(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		in   []float64
		want Stats
	}{
		{[]float64{1, nan, 2, inf}, Stats{N: 4, Sum: nan, Mean: nan, Min: nan, Max: nan, NaNCount: 1, InfCount: 1,
			NaNSum: inf, NaNMean: inf, NaNMin: 1, NaNMax: inf, HasNaNStats: true}},
		{[]float64{nan, nan}, Stats{N: 2, Sum: nan, Mean: nan, Min: nan, Max: nan, NaNCount: 2}},
		{[]float64{-1, 3}, Stats{N: 2, Sum: 2, Mean: 1, Min: -1, Max: 3}},
		{nil, Stats{}},
	}
	eq := func(a, b float64) bool { return a == b || (a != a && b != b) }
	for _, tt := range tests {
		g, w := Describe(tt.in), tt.want
		if g.N != w.N || !eq(g.Sum, w.Sum) || !eq(g.Mean, w.Mean) || !eq(g.Min, w.Min) || !eq(g.Max, w.Max) ||
			g.NaNCount != w.NaNCount || g.InfCount != w.InfCount || g.HasNaNStats != w.HasNaNStats ||
			(w.HasNaNStats && (!eq(g.NaNSum, w.NaNSum) || !eq(g.NaNMean, w.NaNMean) || !eq(g.NaNMin, w.NaNMin) || !eq(g.NaNMax, w.NaNMax))) {
			t.Errorf("Describe(%v) = %+v, want %+v", tt.in, g, w)
		}
	}
}
