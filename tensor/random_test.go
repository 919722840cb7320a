package tensor

import (
	"math"
	"slices"
	"testing"
)

func TestFansGain(t *testing.T) {
	tests := []struct {
		shape   []int
		in, out int
	}{
		{[]int{16, 8}, 8, 16},
		{[]int{16, 8, 3, 3}, 72, 144},
		{[]int{4, 2, 3, 3, 3}, 54, 108},
	}
	for _, tc := range tests {
		if in, out := Fans(tc.shape); in != tc.in || out != tc.out {
			t.Errorf("Fans(%v) = %d, %d, want %d, %d", tc.shape, in, out, tc.in, tc.out)
		}
	}
	gains := []struct {
		name  string
		param float64
		want  float64
	}{
		{"linear", 0, 1}, {"conv3d", 0, 1}, {"sigmoid", 0, 1}, {"tanh", 0, 5.0 / 3},
		{"relu", 0, math.Sqrt(2)}, {"leaky_relu", 0.2, math.Sqrt(2 / 1.04)},
		{"leaky_relu", math.Sqrt(5), math.Sqrt(1.0 / 3)}, {"selu", 0, 0.75},
	}
	for _, g := range gains {
		if got := Gain(g.name, g.param); math.Abs(got-g.want) > 1e-15 {
			t.Errorf("Gain(%s, %v) = %v, want %v", g.name, g.param, got, g.want)
		}
	}
}

func stats(d []float64) (mean, std, lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range d {
		mean += v
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	mean /= float64(len(d))
	for _, v := range d {
		std += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(std / float64(len(d))), lo, hi
}

func TestKaiming(t *testing.T) {
	w := New[float64](64, 32, 3, 3)
	// PyTorch's default conv init: kaiming_uniform_(a=√5) → bound 1/√fan_in.
	w.KaimingUniform(NewRNG(1), math.Sqrt(5), FanIn, "leaky_relu")
	bound := 1 / math.Sqrt(32*9)
	mean, std, lo, hi := stats(w.Data())
	if lo < -bound || hi > bound || hi < 0.99*bound || lo > -0.99*bound {
		t.Errorf("KaimingUniform range [%v, %v], want within ±%v and reaching it", lo, hi, bound)
	}
	if math.Abs(mean) > 0.01*bound || math.Abs(std-bound/math.Sqrt(3)) > 0.02*bound {
		t.Errorf("KaimingUniform mean %v std %v, want 0 and %v", mean, std, bound/math.Sqrt(3))
	}
	w.KaimingNormal(NewRNG(2), 0, FanOut, "relu")
	wantStd := math.Sqrt(2) / math.Sqrt(64*9)
	if mean, std, _, _ := stats(w.Data()); math.Abs(mean) > 0.02*wantStd || math.Abs(std-wantStd) > 0.02*wantStd {
		t.Errorf("KaimingNormal mean %v std %v, want 0 and %v", mean, std, wantStd)
	}
	w.XavierUniform(NewRNG(3), 1)
	xb := math.Sqrt(6.0 / (32*9 + 64*9))
	if _, _, lo, hi := stats(w.Data()); lo < -xb || hi > xb {
		t.Errorf("XavierUniform range [%v, %v], want within ±%v", lo, hi, xb)
	}
}

func TestRNGDeterministic(t *testing.T) {
	a := Normal(NewRNG(42), 0.0, 1.0, 100)
	b := Normal(NewRNG(42), 0.0, 1.0, 100)
	c := Normal(NewRNG(43), 0.0, 1.0, 100)
	if !slices.Equal(a.Data(), b.Data()) {
		t.Error("same seed, different numbers")
	}
	if slices.Equal(a.Data(), c.Data()) {
		t.Error("different seeds, same numbers")
	}
}
