package tensor

import (
	"math"
	"slices"
	"testing"
)

// TestUnary checks each elementwise function against its definition in
// float64 on every element, on a contiguous tensor and on a transposed
// view, and that the input is left as it was.
func TestUnary(t *testing.T) {
	ops := []struct {
		name string
		f    func(*Dense[float64]) *Dense[float64]
		ref  func(float64) float64
		lo   float64 // the inputs are drawn from [lo, lo+4)
	}{
		{"AddScalar", func(x *Dense[float64]) *Dense[float64] { return AddScalar(x, 1.5) }, func(v float64) float64 { return v + 1.5 }, -2},
		{"MulScalar", func(x *Dense[float64]) *Dense[float64] { return MulScalar(x, -3) }, func(v float64) float64 { return -3 * v }, -2},
		{"Pow2", func(x *Dense[float64]) *Dense[float64] { return Pow(x, 2) }, func(v float64) float64 { return v * v }, -2},
		{"Pow1", func(x *Dense[float64]) *Dense[float64] { return Pow(x, 1) }, func(v float64) float64 { return v }, -2},
		{"Pow0.5", func(x *Dense[float64]) *Dense[float64] { return Pow(x, 0.5) }, math.Sqrt, 0.1},
		{"Neg", Neg[float64], func(v float64) float64 { return -v }, -2},
		{"Exp", Exp[float64], math.Exp, -2},
		{"Log", Log[float64], math.Log, 0.1},
		{"Sqrt", Sqrt[float64], math.Sqrt, 0},
		{"Abs", Abs[float64], math.Abs, -2},
		{"Tanh", Tanh[float64], math.Tanh, -2},
		{"Sigmoid", Sigmoid[float64], func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }, -2},
		{"Relu", Relu[float64], func(v float64) float64 { return math.Max(v, 0) }, -2},
		{"Clamp", func(x *Dense[float64]) *Dense[float64] { return Clamp(x, -0.5, 0.25) }, func(v float64) float64 { return math.Min(math.Max(v, -0.5), 0.25) }, -2},
		{"Map", func(x *Dense[float64]) *Dense[float64] { return Map(x, func(v float64) float64 { return 2*v + 1 }) }, func(v float64) float64 { return 2*v + 1 }, -2},
	}
	g := NewRNG(7)
	for _, op := range ops {
		for _, view := range []bool{false, true} {
			x := Uniform(g, op.lo, op.lo+4, 3, 5, 7)
			if view {
				x = Uniform(g, op.lo, op.lo+4, 3, 7, 5).Transpose(1, 2)
			}
			before := x.Values()
			out := op.f(x)
			if !slices.Equal(out.Shape(), []int{3, 5, 7}) || !out.IsContiguous() {
				t.Fatalf("%s (view %v): shape %v, contiguous %v; want [3 5 7], contiguous", op.name, view, out.Shape(), out.IsContiguous())
			}
			indices(out.Shape(), func(idx []int) {
				want := op.ref(x.At(idx...))
				if got := out.At(idx...); math.Abs(got-want) > 1e-15*max(1, math.Abs(want)) {
					t.Fatalf("%s (view %v) at %v of %v: %v, want %v", op.name, view, idx, x.At(idx...), got, want)
				}
			})
			if !slices.Equal(x.Values(), before) {
				t.Fatalf("%s (view %v) changed its input", op.name, view)
			}
		}
	}
}

// TestSigmoidExtremes checks that Sigmoid neither overflows nor loses its
// tails: the naive 1/(1+e^−x) is NaN-free but gives exactly 0 where
// e^x/(1+e^x) still resolves a value.
func TestSigmoidExtremes(t *testing.T) {
	x := FromSlice([]float64{-800, -700, -30, 0, 30, 800}, 6)
	got := Sigmoid(x).Values()
	want := []float64{0, math.Exp(-700), math.Exp(-30) / (1 + math.Exp(-30)), 0.5, 1 / (1 + math.Exp(-30)), 1}
	for i := range want {
		if math.IsNaN(got[i]) || math.Abs(got[i]-want[i]) > 1e-15*max(want[i], 1e-300) {
			t.Errorf("Sigmoid(%v) = %v, want %v", x.At(i), got[i], want[i])
		}
	}
}

// TestBroadcastInto checks MulInto, AddInto, Map2 and Axpy against their
// definitions with a broadcast operand, into a contiguous destination
// and into a transposed one.
func TestBroadcastInto(t *testing.T) {
	g := NewRNG(8)
	for _, view := range []bool{false, true} {
		a := Uniform(g, -1.0, 1.0, 4, 3, 6)
		b := Uniform(g, -1.0, 1.0, 3, 1) // broadcast over axes 0 and 2
		dst := New[float64](4, 3, 6)
		if view {
			dst = New[float64](4, 6, 3).Transpose(1, 2)
		}
		bAt := func(idx []int) float64 { return b.At(idx[1], 0) }
		check := func(name string, got *Dense[float64], ref func(idx []int) float64) {
			t.Helper()
			indices(a.Shape(), func(idx []int) {
				if w := ref(idx); got.At(idx...) != w {
					t.Fatalf("%s (view %v) at %v: %v, want %v", name, view, idx, got.At(idx...), w)
				}
			})
		}
		MulInto(dst, a, b)
		check("MulInto", dst, func(idx []int) float64 { return a.At(idx...) * bAt(idx) })
		AddInto(dst, a, b)
		check("AddInto", dst, func(idx []int) float64 { return a.At(idx...) + bAt(idx) })
		check("Map2", Map2(a, b, func(x, y float64) float64 { return x - 2*y }), func(idx []int) float64 { return a.At(idx...) - 2*bAt(idx) })

		y := a.Clone()
		if view {
			y = New[float64](4, 6, 3).Transpose(1, 2)
			y.CopyFrom(a)
		}
		Axpy(0.5, b, y)
		check("Axpy", y, func(idx []int) float64 { return a.At(idx...) + 0.5*bAt(idx) })
	}
	mustPanic(t, []string{"MulInto", "[2 3]", "[4 3]"}, func() { MulInto(New[float32](4, 3), New[float32](2, 3), New[float32](4, 3)) })
	mustPanic(t, []string{"AddInto", "[5]", "[4 3]"}, func() { AddInto(New[float32](4, 3), New[float32](4, 3), New[float32](5)) })
}

// TestConvert checks the conversion between element types, rounding to
// float32 as a Go conversion does, from a non-contiguous view.
func TestConvert(t *testing.T) {
	x := FromSlice([]float64{1.0 / 3, -2.5, 1e-40, 3e38, math.Inf(-1), 7}, 2, 3).Transpose(0, 1)
	got := Convert[float32](x)
	if !slices.Equal(got.Shape(), []int{3, 2}) {
		t.Fatalf("shape %v, want [3 2]", got.Shape())
	}
	indices(got.Shape(), func(idx []int) {
		if w := float32(x.At(idx...)); got.At(idx...) != w {
			t.Errorf("at %v: %v, want %v", idx, got.At(idx...), w)
		}
	})
	back := Convert[float64](got)
	if back.At(0, 0) != float64(float32(1.0/3)) {
		t.Errorf("float32→float64: %v, want %v", back.At(0, 0), float64(float32(1.0/3)))
	}
}

// TestMaxMinNaN checks that a NaN wins Max and Min over its axis, as in
// PyTorch, and leaves the other rows alone.
func TestMaxMinNaN(t *testing.T) {
	x := FromSlice([]float32{1, float32(math.NaN()), -3, 4, 5, -6}, 2, 3)
	for name, r := range map[string]*Dense[float32]{"Max": Max(x, []int{1}, false), "Min": Min(x, []int{1}, false)} {
		v := r.Values()
		want := map[string]float32{"Max": 5, "Min": -6}[name]
		if !math.IsNaN(float64(v[0])) || v[1] != want {
			t.Errorf("%s over rows [1 NaN -3] and [4 5 -6]: %v, want [NaN %v]", name, v, want)
		}
	}
}

// TestXavierNormal checks the spread torch.nn.init.xavier_normal_ gives:
// standard deviation gain·√(2/(fan_in+fan_out)), mean 0.
func TestXavierNormal(t *testing.T) {
	w := New[float64](64, 32, 3, 3) // fan_in 288, fan_out 576
	w.XavierNormal(NewRNG(9), 2)
	var sum, sq float64
	for _, v := range w.Values() {
		sum += v
		sq += v * v
	}
	n := float64(w.Len())
	mean := sum / n
	std := math.Sqrt(sq/n - mean*mean)
	want := 2 * math.Sqrt(2.0/(288+576))
	// 18432 draws: the sample deviation is within 3% of σ and the mean
	// within 4σ/√n of 0 except with negligible probability.
	if math.Abs(std-want) > 0.03*want || math.Abs(mean) > 4*want/math.Sqrt(n) {
		t.Errorf("mean %.5f, std %.5f; want 0 and %.5f", mean, std, want)
	}
}

// TestDevices checks the device registry: the CPU is there from the
// start, a registered device is found by its name, and a second
// registration under a taken name panics naming it.
func TestDevices(t *testing.T) {
	if d, ok := Lookup("cpu"); !ok || d != CPU || d.Name() != "cpu" {
		t.Fatalf(`Lookup("cpu") = %v, %v; want the CPU`, d, ok)
	}
	if _, ok := Lookup("test:0"); ok {
		t.Fatal(`Lookup("test:0") found a device before registration`)
	}
	d := testDevice("test:0")
	Register(d)
	t.Cleanup(func() {
		devMu.Lock()
		delete(devices, "test:0")
		devMu.Unlock()
	})
	if got, ok := Lookup("test:0"); !ok || got != d {
		t.Fatalf(`Lookup("test:0") = %v, %v; want the registered device`, got, ok)
	}
	mustPanic(t, []string{`"test:0"`, "twice"}, func() { Register(testDevice("test:0")) })
	mustPanic(t, []string{`"cpu"`, "twice"}, func() { Register(cpu{}) })
}

type testDevice string

func (d testDevice) Name() string { return string(d) }
