package tensor

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// indices calls f with every multi-index of shape in row-major order.
func indices(shape []int, f func(idx []int)) {
	if prod(shape) == 0 {
		return
	}
	idx := make([]int, len(shape))
	for {
		f(idx)
		i := len(shape) - 1
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < shape[i] {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return
		}
	}
}

// bcastIndex maps an index of the broadcast shape to an index of shape.
func bcastIndex(idx, shape []int) []int {
	out := make([]int, len(shape))
	lead := len(idx) - len(shape)
	for i := range shape {
		if shape[i] != 1 {
			out[i] = idx[lead+i]
		}
	}
	return out
}

func randShape(g *RNG, rank, max int) []int {
	s := make([]int, rank)
	for i := range s {
		s[i] = 1 + g.IntN(max)
	}
	return s
}

func mustPanic(t *testing.T, want []string, f func()) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Fatalf("no panic; want one mentioning %q", want)
		}
		msg := fmt.Sprint(r)
		for _, w := range want {
			if !strings.Contains(msg, w) {
				t.Fatalf("panic %q does not mention %q", msg, w)
			}
		}
	}()
	f()
}

func TestBroadcastBinary(t *testing.T) {
	g := NewRNG(1)
	ops := []struct {
		name string
		f    func(a, b *Dense[float64]) *Dense[float64]
		ref  func(x, y float64) float64
	}{
		{"Add", Add[float64], func(x, y float64) float64 { return x + y }},
		{"Sub", Sub[float64], func(x, y float64) float64 { return x - y }},
		{"Mul", Mul[float64], func(x, y float64) float64 { return x * y }},
		{"Div", Div[float64], func(x, y float64) float64 { return x / y }},
		{"Maximum", Maximum[float64], math.Max},
		{"Minimum", Minimum[float64], math.Min},
	}
	for trial := 0; trial < 20; trial++ {
		s := randShape(g, 1+g.IntN(5), 5)
		b := slices.Clone(s)
		for i := range b {
			if g.IntN(2) == 0 {
				b[i] = 1
			}
		}
		b = b[g.IntN(len(b)):]
		x := Uniform(g, 0.5, 2.0, s...)
		y := Uniform(g, 0.5, 2.0, b...)
		if trial%3 == 1 && len(s) >= 2 { // a non-contiguous operand
			x = Uniform(g, 0.5, 2.0, append(slices.Clone(s[:len(s)-2]), s[len(s)-1], s[len(s)-2])...).Transpose(-1, -2)
		}
		for _, op := range ops {
			for _, swap := range []bool{false, true} {
				a, c := x, y
				if swap {
					a, c = y, x
				}
				out := op.f(a, c)
				if !slices.Equal(out.Shape(), s) {
					t.Fatalf("%s %v %v: shape %v, want %v", op.name, a.Shape(), c.Shape(), out.Shape(), s)
				}
				indices(s, func(idx []int) {
					want := op.ref(a.At(bcastIndex(idx, a.Shape())...), c.At(bcastIndex(idx, c.Shape())...))
					if got := out.At(idx...); got != want {
						t.Fatalf("%s %v %v at %v: %v, want %v", op.name, a.Shape(), c.Shape(), idx, got, want)
					}
				})
			}
		}
	}
}

func TestShapeMismatchPanics(t *testing.T) {
	a, b := New[float32](2, 3), New[float32](4, 3)
	mustPanic(t, []string{"[2 3]", "[4 3]"}, func() { Add(a, b) })
	mustPanic(t, []string{"[2 3]", "[2 4]"}, func() { Concat(0, New[float32](2, 3), New[float32](2, 4)) })
	mustPanic(t, []string{"[2 3]", "[5 3]"}, func() { MatMul(a, New[float32](3, 5).Transpose(0, 1)) })
	mustPanic(t, []string{"[2 3]", "[4]"}, func() { a.Reshape(4) })
	mustPanic(t, []string{"[2 3]"}, func() { a.Permute(0, 0) })
	mustPanic(t, []string{"[2 3]"}, func() { a.Narrow(1, 2, 2) })
	mustPanic(t, []string{"[2 3]"}, func() { a.At(2, 0) })
}

func TestViews(t *testing.T) {
	g := NewRNG(2)
	x := Uniform(g, -1.0, 1.0, 2, 3, 4, 5, 3)
	tests := []struct {
		name string
		view *Dense[float64]
		src  func(idx []int) []int // view index → x index
	}{
		{"Permute", x.Permute(4, 0, 3, 1, 2), func(i []int) []int { return []int{i[1], i[3], i[4], i[2], i[0]} }},
		{"Transpose", x.Transpose(1, -1), func(i []int) []int { return []int{i[0], i[4], i[2], i[3], i[1]} }},
		{"Narrow", x.Narrow(3, 1, 3), func(i []int) []int { return []int{i[0], i[1], i[2], i[3] + 1, i[4]} }},
		{"Slice", x.Slice(2, 1, 4, 2), func(i []int) []int { return []int{i[0], i[1], 1 + 2*i[2], i[3], i[4]} }},
		{"Unsqueeze", x.Unsqueeze(2), func(i []int) []int { return []int{i[0], i[1], i[3], i[4], i[5]} }},
		{"UnsqueezeEnd", x.Unsqueeze(-1), func(i []int) []int { return i[:5] }},
		{"Expand", x.Narrow(1, 0, 1).Expand(4, 2, 3, 4, 5, 3), func(i []int) []int { return []int{i[1], 0, i[3], i[4], i[5]} }},
		{"Squeeze", x.Narrow(1, 2, 1).Squeeze(1), func(i []int) []int { return []int{i[0], 2, i[1], i[2], i[3]} }},
		{"Reshape", x.Permute(1, 0, 2, 3, 4).Reshape(6, -1), func(i []int) []int {
			// row-major position in the permuted [3,2,4,5,3] array
			p := i[0]*60 + i[1]
			q := []int{p / 120, (p / 60) % 2, (p / 15) % 4, (p / 3) % 5, p % 3}
			return []int{q[1], q[0], q[2], q[3], q[4]}
		}},
	}
	for _, tc := range tests {
		indices(tc.view.Shape(), func(idx []int) {
			if got, want := tc.view.At(idx...), x.At(tc.src(idx)...); got != want {
				t.Fatalf("%s at %v: %v, want %v", tc.name, idx, got, want)
			}
		})
		c := tc.view.Contiguous()
		if !c.IsContiguous() || !slices.Equal(c.Shape(), tc.view.Shape()) {
			t.Fatalf("%s: Contiguous gave shape %v strides %v", tc.name, c.Shape(), c.Strides())
		}
		indices(c.Shape(), func(idx []int) {
			if c.At(idx...) != tc.view.At(idx...) {
				t.Fatalf("%s: Contiguous differs at %v", tc.name, idx)
			}
		})
	}
	// A view writes through to its source.
	v := x.Permute(4, 3, 2, 1, 0).Narrow(0, 1, 1)
	v.Fill(7)
	if x.At(1, 2, 3, 4, 1) != 7 || x.At(1, 2, 3, 4, 0) == 7 {
		t.Fatal("Fill through a view did not reach exactly the viewed elements")
	}
}

func TestReduce(t *testing.T) {
	g := NewRNG(3)
	for trial := 0; trial < 30; trial++ {
		s := randShape(g, 1+g.IntN(4), 5)
		x := Uniform(g, -1.0, 1.0, s...)
		var axes []int
		for i := range s {
			if g.IntN(2) == 0 {
				axes = append(axes, i)
			}
		}
		keep := g.IntN(2) == 0
		mask := x.reduceAxes(axes, "test")
		kept := keptShape(s, mask)
		// Naive references accumulate per kept index.
		sum := make(map[string]float64)
		sq := make(map[string]float64)
		mx := make(map[string]float64)
		mn := make(map[string]float64)
		cnt := make(map[string]int)
		key := func(idx []int) string { return fmt.Sprint(bcastIndex(idx, kept)) }
		indices(s, func(idx []int) {
			k := key(idx)
			v := x.At(idx...)
			if _, ok := mx[k]; !ok {
				mx[k], mn[k] = math.Inf(-1), math.Inf(1)
			}
			sum[k] += v
			sq[k] += v * v
			mx[k] = math.Max(mx[k], v)
			mn[k] = math.Min(mn[k], v)
			cnt[k]++
		})
		results := map[string]*Dense[float64]{
			"Sum":  Sum(x, axes, keep),
			"Mean": Mean(x, axes, keep),
			"Max":  Max(x, axes, keep),
			"Min":  Min(x, axes, keep),
			"Var":  Var(x, axes, false, keep),
		}
		for name, r := range results {
			want := dropShape(s, mask)
			if keep {
				want = kept
			}
			if !slices.Equal(r.Shape(), want) {
				t.Fatalf("%s %v axes %v keep %v: shape %v, want %v", name, s, axes, keep, r.Shape(), want)
			}
			rk := r.Reshape(kept...)
			indices(kept, func(idx []int) {
				k := fmt.Sprint(idx)
				n := float64(cnt[k])
				mean := sum[k] / n
				ref := map[string]float64{"Sum": sum[k], "Mean": mean, "Max": mx[k], "Min": mn[k], "Var": sq[k]/n - mean*mean}[name]
				if got := rk.At(idx...); math.Abs(got-ref) > 1e-12*max(1, math.Abs(ref))*10 {
					t.Fatalf("%s %v axes %v at %v: %v, want %v", name, s, axes, idx, got, ref)
				}
			})
		}
	}
}

func TestArgMax(t *testing.T) {
	x := FromSlice([]float32{1, 5, 5, 2, 0, -1, 3, 3, 9, 9, 1, 0}, 2, 2, 3)
	tests := []struct {
		axis int
		want []int
	}{
		{2, []int{1, 0, 2, 0}}, // the tie 5, 5 resolves to the first, as PyTorch
		{1, []int{1, 0, 0, 1, 0, 0}},
		{0, []int{1, 0, 1, 1, 1, 1}},
	}
	for _, tc := range tests {
		if got := ArgMax(x, tc.axis); !slices.Equal(got, tc.want) {
			t.Errorf("ArgMax axis %d = %v, want %v", tc.axis, got, tc.want)
		}
	}
}

func TestSumTo(t *testing.T) {
	g := NewRNG(4)
	x := Uniform(g, -1.0, 1.0, 2, 3, 4)
	for _, target := range [][]int{{2, 3, 4}, {3, 4}, {1, 4}, {3, 1}, {2, 1, 1}, {1, 1, 1}, {}} {
		got := SumTo(x, target)
		if !slices.Equal(got.Shape(), target) {
			t.Fatalf("SumTo %v: shape %v", target, got.Shape())
		}
		want := make([]float64, prod(target))
		ref := New[float64](target...)
		indices(x.Shape(), func(idx []int) {
			b := bcastIndex(idx, target)
			ref.Set(ref.At(b...)+x.At(idx...), b...)
		})
		copy(want, ref.Data())
		for i, v := range got.Values() {
			if math.Abs(v-want[i]) > 1e-12 {
				t.Fatalf("SumTo %v element %d: %v, want %v", target, i, v, want[i])
			}
		}
	}
}

func TestConcatStackPad(t *testing.T) {
	g := NewRNG(5)
	a, b := Uniform(g, -1.0, 1.0, 2, 3, 4), Uniform(g, -1.0, 1.0, 2, 1, 4)
	c := Concat(1, a, b, a)
	indices(c.Shape(), func(i []int) {
		var want float64
		switch {
		case i[1] < 3:
			want = a.At(i[0], i[1], i[2])
		case i[1] < 4:
			want = b.At(i[0], 0, i[2])
		default:
			want = a.At(i[0], i[1]-4, i[2])
		}
		if c.At(i...) != want {
			t.Fatalf("Concat at %v", i)
		}
	})
	parts := Split(c, 1, 3, 1, 3)
	if parts[1].At(1, 0, 2) != b.At(1, 0, 2) || parts[2].At(0, 2, 3) != a.At(0, 2, 3) {
		t.Fatal("Split does not invert Concat")
	}
	s := Stack(1, a, a)
	if !slices.Equal(s.Shape(), []int{2, 2, 3, 4}) || s.At(1, 1, 2, 3) != a.At(1, 2, 3) {
		t.Fatalf("Stack: shape %v", s.Shape())
	}
	pads := []int{1, 2, -1, 1} // last axis +1/+2, middle axis crop 1 / +1
	p := Pad(a, pads, 9)
	if !slices.Equal(p.Shape(), []int{2, 3, 7}) {
		t.Fatalf("Pad shape %v", p.Shape())
	}
	indices(p.Shape(), func(i []int) {
		w, h := i[2]-1, i[1]+1
		want := 9.0
		if w >= 0 && w < 4 && h < 3 {
			want = a.At(i[0], h, w)
		}
		if p.At(i...) != want {
			t.Fatalf("Pad at %v: %v, want %v", i, p.At(i...), want)
		}
	})
}

func TestMatMul(t *testing.T) {
	g := NewRNG(6)
	for _, dims := range [][3]int{{1, 1, 1}, {3, 5, 7}, {17, 1, 9}, {8, 33, 2}} {
		m, k, n := dims[0], dims[1], dims[2]
		for _, trans := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			a := Uniform(g, -1.0, 1.0, m, k)
			b := Uniform(g, -1.0, 1.0, k, n)
			if trans[0] {
				a = Uniform(g, -1.0, 1.0, k, m).Transpose(0, 1)
			}
			if trans[1] {
				b = Uniform(g, -1.0, 1.0, n, k).Transpose(0, 1)
			}
			c := MatMul(a, b)
			indices(c.Shape(), func(i []int) {
				var want float64
				for p := 0; p < k; p++ {
					want += a.At(i[0], p) * b.At(p, i[1])
				}
				if math.Abs(c.At(i...)-want) > 1e-12 {
					t.Fatalf("MatMul %v trans %v at %v: %v, want %v", dims, trans, i, c.At(i...), want)
				}
			})
		}
	}
	a, b := Uniform(g, -1.0, 1.0, 3, 2, 4), Uniform(g, -1.0, 1.0, 3, 4, 5)
	c := MatMul(a, b)
	for i := 0; i < 3; i++ {
		ci := MatMul(a.Narrow(0, i, 1).Squeeze(0), b.Narrow(0, i, 1).Squeeze(0))
		if math.Abs(ci.At(1, 3)-c.At(i, 1, 3)) > 1e-12 {
			t.Fatal("batched MatMul differs from per-matrix MatMul")
		}
	}
}

func TestReleaseIsSafe(t *testing.T) {
	x := Full[float32](3, 4, 5)
	v := x.Transpose(0, 1)
	buf := &x.Data()[0]
	x.Release()
	mustPanic(t, []string{"released", "[5 4]"}, func() { v.At(0, 0) })
	mustPanic(t, []string{"released"}, func() { x.Data() })
	x.Release() // twice is a no-op
	y := Empty[float32](2, 10)
	if &y.Data()[0] != buf {
		t.Error("a buffer of the released size was not reused")
	}
	y.Fill(1)
	if !x.Storage().Released() {
		t.Error("old storage no longer marked released")
	}
	old := SetPooling(false)
	defer SetPooling(old)
	z := Empty[float32](20)
	zb := &z.Data()[0]
	z.Release()
	if w := Empty[float32](20); &w.Data()[0] == zb {
		t.Error("pool off but buffer reused")
	}
}

func TestNewZeroes(t *testing.T) {
	x := Full[float32](5, 7)
	x.Release()
	if y := Zeros(7); slices.ContainsFunc(y.Data(), func(v float32) bool { return v != 0 }) {
		t.Fatal("Zeros returned a reused buffer without clearing it")
	}
}

// TestRandomViewChains applies random chains of views and checks the
// strided walker (Contiguous, Sum, Add) against element-by-element access
// through At, which uses only the index arithmetic.
func TestRandomViewChains(t *testing.T) {
	g := NewRNG(8)
	for trial := 0; trial < 200; trial++ {
		v := Uniform(g, -1.0, 1.0, randShape(g, 1+g.IntN(5), 4)...)
		for step := 0; step < 4; step++ {
			nd := v.Dims()
			switch g.IntN(5) {
			case 0:
				v = v.Permute(g.Perm(nd)...)
			case 1:
				ax := g.IntN(nd)
				n := v.Dim(ax)
				st := g.IntN(n)
				v = v.Slice(ax, st, st+1+g.IntN(n-st), 1+g.IntN(2))
			case 2:
				v = v.Unsqueeze(g.IntN(nd + 1))
			case 3:
				sh := slices.Clone(v.Shape())
				for i, s := range sh {
					if s == 1 {
						sh[i] = 1 + g.IntN(3)
					}
				}
				v = v.Expand(sh...)
			case 4:
				if nd > 1 {
					v = v.Transpose(0, nd-1)
				}
			}
		}
		c := v.Contiguous().Data()
		k := 0
		indices(v.Shape(), func(idx []int) {
			if c[k] != v.At(idx...) {
				t.Fatalf("trial %d: shape %v strides %v: Contiguous[%d] = %v, At%v = %v", trial, v.Shape(), v.Strides(), k, c[k], idx, v.At(idx...))
			}
			k++
		})
		sum := SumAll(v)
		var ref float64
		indices(v.Shape(), func(idx []int) { ref += v.At(idx...) })
		if math.Abs(sum-ref) > 1e-9 {
			t.Fatalf("trial %d: SumAll of a view %v = %v, want %v", trial, v.Shape(), sum, ref)
		}
		w := Add(v, v)
		indices(v.Shape(), func(idx []int) {
			if w.At(idx...) != 2*v.At(idx...) {
				t.Fatalf("trial %d: Add of a view differs at %v", trial, idx)
			}
		})
	}
}

func TestScalarTensor(t *testing.T) {
	s := Scalar[float32](3)
	if s.Dims() != 0 || s.Len() != 1 || s.Item() != 3 {
		t.Fatalf("Scalar: dims %d len %d item %v", s.Dims(), s.Len(), s.Item())
	}
	x := FromSlice([]float32{1, 2, 3}, 3)
	if got := Add(x, s).Values(); !slices.Equal(got, []float32{4, 5, 6}) {
		t.Fatalf("vector + scalar = %v", got)
	}
	if got := Sum(x, nil, false); got.Dims() != 0 || got.Item() != 6 {
		t.Fatalf("Sum of all axes: shape %v value %v", got.Shape(), got.Item())
	}
}

func TestSumPrecision(t *testing.T) {
	// 2²⁴ followed by 1000 ones: a float32 running sum never leaves 2²⁴
	// (2²⁴+1 rounds back to it), the exact sum 2²⁴+1000 is a float32.
	x := Full[float32](1, 1001)
	x.Set(1<<24, 0)
	want := float32(1<<24 + 1000)
	if got := Sum(x, nil, false).Item(); got != want {
		t.Fatalf("Sum = %v, want %v", got, want)
	}
	y := Stack(0, x, x).Transpose(0, 1) // [1001, 2], summed along a strided axis
	if got := Sum(y, []int{0}, false); got.At(0) != want || got.At(1) != want {
		t.Fatalf("Sum over a strided axis = %v %v, want %v", got.At(0), got.At(1), want)
	}
	if got := Mean(x, nil, false).Item(); got != want/1001 {
		t.Fatalf("Mean = %v, want %v", got, want/1001)
	}
}
