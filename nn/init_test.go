package nn

import (
	"math"
	"slices"
	"testing"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/tensor"
)

// stats returns the min, max and variance of v.
func stats(v []float32) (lo, hi, variance float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	var s, s2 float64
	for _, x := range v {
		f := float64(x)
		lo, hi = math.Min(lo, f), math.Max(hi, f)
		s += f
		s2 += f * f
	}
	n := float64(len(v))
	return lo, hi, s2/n - (s/n)*(s/n)
}

// TestDefaultInit checks PyTorch's default initialisation: convolution,
// transposed convolution and linear weights and biases uniform in
// ±1/√fan_in (variance bound²/3), norms at weight 1 and bias 0 with
// running statistics 0 and 1.
func TestDefaultInit(t *testing.T) {
	SetSeed(11)
	c := NewConv(3, 16, 32, ConvConfig{Kernel: []int{3}})
	ct := NewConvTranspose(2, 24, 12, ConvConfig{Kernel: []int{2}, Stride: []int{2}})
	l := NewLinear(300, 64)
	cases := []struct {
		name  string
		w, b  *autograd.Value
		fanIn int
	}{
		{"Conv3d", c.Weight, c.Bias, 16 * 27},
		{"ConvTranspose2d", ct.Weight, ct.Bias, 12 * 4}, // PyTorch's fan-in of [in, out, k…] is out·k
		{"Linear", l.Weight, l.Bias, 300},
	}
	for _, tc := range cases {
		bound := 1 / math.Sqrt(float64(tc.fanIn))
		for what, v := range map[string]*autograd.Value{"weight": tc.w, "bias": tc.b} {
			lo, hi, vr := stats(v.Data().Values())
			if lo < -bound || hi > bound {
				t.Errorf("%s %s outside ±%g: [%g, %g]", tc.name, what, bound, lo, hi)
			}
			if what == "weight" && math.Abs(vr-bound*bound/3) > 0.1*bound*bound/3 {
				t.Errorf("%s weight variance %g, want ≈ %g", tc.name, vr, bound*bound/3)
			}
			if hi-lo < bound {
				t.Errorf("%s %s spans only [%g, %g] of ±%g", tc.name, what, lo, hi, bound)
			}
		}
	}
	bn := NewBatchNorm(5, 0.1)
	for name, want := range map[string]float32{"weight": 1, "bias": 0, "running_mean": 0, "running_var": 1} {
		var v []float32
		switch name {
		case "weight":
			v = bn.Weight.Data().Values()
		case "bias":
			v = bn.Bias.Data().Values()
		case "running_mean":
			v = bn.RunningMean.Values()
		default:
			v = bn.RunningVar.Values()
		}
		for _, x := range v {
			if x != want {
				t.Errorf("BatchNorm %s = %v, want %v", name, x, want)
			}
		}
	}
}

func TestDropoutModes(t *testing.T) {
	SetSeed(2)
	x := autograd.Const(tensor.Ones(4, 50, 8, 8))
	for _, d := range []*Dropout{NewDropout(0.5), NewChannelDropout(0.5)} {
		SetTraining(d, false)
		if y := d.Forward(x); y != x {
			t.Errorf("channels=%v: evaluation mode is not the identity", d.Channels)
		}
		SetTraining(d, true)
		v := d.Forward(x).Data().Values()
		zeros := 0
		for _, e := range v {
			if e != 0 && e != 2 {
				t.Fatalf("channels=%v: kept value %v, want 1/(1−p) = 2", d.Channels, e)
			}
			if e == 0 {
				zeros++
			}
		}
		if f := float64(zeros) / float64(len(v)); f < 0.4 || f > 0.6 {
			t.Errorf("channels=%v: dropped %.2f, want ≈ 0.5", d.Channels, f)
		}
		if d.Channels {
			// whole 8×8 planes go together
			for p := 0; p < len(v); p += 64 {
				for j := p; j < p+64; j++ {
					if v[j] != v[p] {
						t.Fatalf("channel dropout split plane %d", p/64)
					}
				}
			}
		}
	}
}

// TestDropoutStates checks that a dropout layer's saved state makes a
// fresh layer draw the masks the original draws next, that successive
// calls draw different masks, and that evaluation calls draw nothing.
func TestDropoutStates(t *testing.T) {
	x := autograd.Const(tensor.Ones(2, 16, 4, 4))
	for _, channels := range []bool{false, true} {
		SetSeed(3)
		mk := func() *Dropout {
			if channels {
				return NewChannelDropout(0.5)
			}
			return NewDropout(0.5)
		}
		a := mk()
		first := a.Forward(x).Data().Values()
		SetTraining(a, false)
		a.Forward(x)
		SetTraining(a, true)
		st := DropoutStates(a)
		if len(st) != 1 || st[0].Calls != 1 {
			t.Fatalf("channels=%v: states %+v, want one layer after one training call", channels, st)
		}
		SetSeed(4) // another seed, to be overwritten
		b := mk()
		if err := SetDropoutStates(b, st); err != nil {
			t.Fatal(err)
		}
		next, restored := a.Forward(x).Data().Values(), b.Forward(x).Data().Values()
		if !slices.Equal(next, restored) {
			t.Errorf("channels=%v: restored layer draws another mask than the original", channels)
		}
		if slices.Equal(first, next) {
			t.Errorf("channels=%v: two calls drew the same mask", channels)
		}
		if err := SetDropoutStates(b, nil); err == nil {
			t.Errorf("channels=%v: no error for a state list of the wrong length", channels)
		}
	}
}
