package autograd

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/tensor"
)

func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(fmt.Sprint(r), want) {
			t.Fatalf("panic %v, want one mentioning %q", r, want)
		}
	}()
	f()
}

func TestAccumulate(t *testing.T) {
	w := Param(tensor.FromSlice([]float64{1, 2, 3}, 3))
	for step := 1; step <= 3; step++ {
		l := SumAll(Mul(w, w)) // d/dw = 2w
		l.Backward()
		l.Release()
		want := []float64{2 * float64(step), 4 * float64(step), 6 * float64(step)}
		if got := w.Grad().Values(); !slices.Equal(got, want) {
			t.Fatalf("after %d backward passes: grad %v, want %v", step, got, want)
		}
	}
	w.ZeroGrad()
	if got := w.Grad().Values(); !slices.Equal(got, []float64{0, 0, 0}) {
		t.Fatalf("ZeroGrad left %v", got)
	}
}

// TestDropGrad checks that DropGrad hands a whole gradient's buffer back,
// that the next Backward computes the gradient afresh, and that a
// gradient viewing part of a larger buffer is dropped without releasing
// that buffer.
func TestDropGrad(t *testing.T) {
	w := Param(tensor.FromSlice([]float64{1, 2, 3}, 3))
	l := SumAll(Mul(w, w))
	l.Backward()
	l.Release()
	g := w.Grad()
	w.DropGrad()
	if w.Grad() != nil || !g.Storage().Released() {
		t.Fatalf("after DropGrad: gradient %v, its buffer released %v", w.Grad(), g.Storage().Released())
	}
	l = SumAll(Mul(w, w))
	l.Backward()
	l.Release()
	if got := w.Grad().Values(); !slices.Equal(got, []float64{2, 4, 6}) {
		t.Fatalf("gradient after DropGrad and Backward: %v, want [2 4 6]", got)
	}
	whole := tensor.FromSlice([]float64{1, 2, 3, 4}, 4)
	w.SetGrad(whole.Narrow(0, 1, 3))
	w.DropGrad()
	if w.Grad() != nil || whole.Storage().Released() {
		t.Fatalf("a gradient viewing part of a buffer: dropped %v, the buffer released %v", w.Grad() == nil, whole.Storage().Released())
	}
	w.DropGrad() // none: a no-op
}

func TestSharedInputAndPassThrough(t *testing.T) {
	// Add passes its gradient through unchanged to both inputs: each must
	// get a buffer of its own.
	a := Param(tensor.FromSlice([]float64{1, 2}, 2))
	l := SumAll(Add(a, a))
	l.Backward()
	if got := a.Grad().Values(); !slices.Equal(got, []float64{2, 2}) {
		t.Fatalf("grad of a+a = %v, want [2 2]", got)
	}
	b := Param(tensor.FromSlice([]float64{1, 2}, 2))
	c := Param(tensor.FromSlice([]float64{5, 5}, 2))
	l = SumAll(Add(b, c))
	l.Backward()
	b.Grad().Fill(7)
	if got := c.Grad().Values(); !slices.Equal(got, []float64{1, 1}) {
		t.Fatalf("b and c share a gradient buffer: c.Grad = %v", got)
	}
}

func TestNoGradAndDetach(t *testing.T) {
	w := Param(tensor.FromSlice([]float64{1, 2}, 2))
	var y *Var[float64]
	NoGrad(func() { y = Exp(w) })
	if y.RequiresGrad() || !y.IsLeaf() || !GradEnabled() {
		t.Fatal("NoGrad recorded a graph or did not restore grad mode")
	}
	d := Mul(w, w).Detach()
	if d.RequiresGrad() || !d.IsLeaf() {
		t.Fatal("Detach kept history")
	}
	l := SumAll(Mul(d, w)) // d is a constant here
	l.Backward()
	if got := w.Grad().Values(); !slices.Equal(got, []float64{1, 4}) {
		t.Fatalf("grad through a detached factor = %v, want [1 4]", got)
	}
	mustPanic(t, "does not require", func() { SumAll(Const(tensor.Ones(2))).Backward() })
}

func TestLifetimes(t *testing.T) {
	x := Param(tensor.Full[float32](1, 4, 4))
	h := Relu(MulScalar(x, 2))
	pinned := Sigmoid(h)
	out := pinned.Data() // the caller keeps this one
	l := MeanAll(Mul(pinned, h))
	mustPanic(t, "one element", func() { h.Backward() })
	l.Backward()
	mustPanic(t, "second time", func() { l.Backward() })
	lv := l.Item()
	l.Release()
	if out.Storage().Released() || x.Data().Storage().Released() || x.Grad().Storage().Released() {
		t.Fatal("Release recycled a pinned value, a leaf or a leaf's gradient")
	}
	if !h.data.Storage().Released() {
		t.Fatal("Release kept an intermediate")
	}
	mustPanic(t, "released Var", func() { h.Data() })
	mustPanic(t, "released", func() { Add(h, h) })
	if lv == 0 || out.At(0, 0) == 0 {
		t.Fatal("values lost")
	}
	// Views of a leaf are never recycled.
	r := Reshape(x, 16)
	l = SumAll(r)
	l.Backward()
	l.Release()
	if x.Data().Storage().Released() {
		t.Fatal("Release recycled a leaf through a view of it")
	}
}

func TestNoGradIsPerGoroutine(t *testing.T) {
	w := Param(tensor.FromSlice([]float64{1, 2}, 2))
	inside, release := make(chan bool), make(chan bool)
	done := make(chan bool)
	go func() {
		NoGrad(func() {
			NoGrad(func() {}) // nesting keeps the mode
			inside <- Exp(w).RequiresGrad()
			<-release
		})
		done <- GradEnabled()
	}()
	if <-inside {
		t.Error("an op inside NoGrad recorded a graph")
	}
	// Meanwhile this goroutine trains.
	l := SumAll(Mul(w, w))
	if !l.RequiresGrad() || !GradEnabled() {
		t.Fatal("NoGrad in another goroutine switched recording off here")
	}
	l.Backward()
	close(release)
	if !<-done {
		t.Error("grad mode not restored after NoGrad")
	}
	if got := w.Grad().Values(); !slices.Equal(got, []float64{2, 4}) {
		t.Fatalf("grad %v, want [2 4]", got)
	}
}

func TestShapeMisusePanics(t *testing.T) {
	v := func(shape ...int) *Var[float32] { return Param(tensor.New[float32](shape...)) }
	tests := []struct {
		name string
		want []string
		f    func()
	}{
		{"Add", []string{"[2 3]", "[3 2]"}, func() { Add(v(2, 3), v(3, 2)) }},
		{"MatMul", []string{"[2 3]", "[2 3]"}, func() { MatMul(v(2, 3), v(2, 3)) }},
		{"Linear", []string{"[4 3]", "[2 5]"}, func() { Linear(v(4, 3), v(2, 5), nil) }},
		{"Conv channels", []string{"[1 3 5 5]", "[2 2 3 3]"}, func() { Conv(v(1, 3, 5, 5), v(2, 2, 3, 3), nil, ConvOpts{}) }},
		{"Conv too small", []string{"[1 1 2 2]", "[1 1 3 3]"}, func() { Conv(v(1, 1, 2, 2), v(1, 1, 3, 3), nil, ConvOpts{}) }},
		{"ConvTranspose", []string{"[1 3 4 4]", "[2 2 3 3]"}, func() { ConvTranspose(v(1, 3, 4, 4), v(2, 2, 3, 3), nil, ConvOpts{}) }},
		{"MaxPool", []string{"[1 2 4]", "[2 2]"}, func() { MaxPool(v(1, 2, 4), PoolOpts{Kernel: []int{2, 2}}) }},
		{"Interpolate", []string{"[1 2 4 4]", "[8]"}, func() { Interpolate(v(1, 2, 4, 4), []int{8}, InterpLinear, false) }},
		{"BatchNorm affine", []string{"[2 3 4]", "[4]"}, func() { BatchNorm(v(2, 3, 4), v(4), v(4), nil, nil, true, 0.1, 1e-5) }},
		{"BatchNorm one value", []string{"[1 3]"}, func() { BatchNorm(v(1, 3), nil, nil, nil, nil, true, 0.1, 1e-5) }},
		{"GroupNorm", []string{"[2 3 4]", "2 groups"}, func() { GroupNorm(v(2, 3, 4), 2, nil, nil, 1e-5) }},
		{"Concat", []string{"[2 3]", "[3 3]"}, func() { Concat(1, v(2, 3), v(3, 3)) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				msg := fmt.Sprint(recover())
				for _, w := range tc.want {
					if !strings.Contains(msg, w) {
						t.Fatalf("panic %q does not mention %q", msg, w)
					}
				}
			}()
			tc.f()
		})
	}
}
