package autograd

import (
	"math"
	"testing"

	"github.com/ivadogo/ivadogo/tensor"
)

// TestBackwardReleasesIntermediates checks that Backward hands back the
// data of every intermediate once the last op that reads it has run its
// backward, marks those Vars released (a later use panics rather than
// read a buffer that now holds a gradient), and keeps leaves, pinned
// Vars, the loss and storage that a Var still to be differentiated shares.
func TestBackwardReleasesIntermediates(t *testing.T) {
	x := Param(tensor.Uniform(tensor.NewRNG(1), -1.0, 1.0, 4, 6))
	h := Exp(Mul(x, x))
	r := Reshape(h, 24) // a view: h's storage must outlive r's backward
	s := Sigmoid(MulScalar(x, 3))
	kept := s.Data() // the caller holds s
	l := Add(SumAll(Mul(r, r)), SumAll(s))
	l.Backward()
	for name, v := range map[string]*Var[float64]{"h": h, "r": r} {
		if !v.released || !v.data.Storage().Released() {
			t.Errorf("%s: Backward kept an intermediate nobody pinned", name)
		}
		mustPanic(t, "released Var", func() { v.Data() })
	}
	if s.released || kept.Storage().Released() || x.data.Storage().Released() || x.grad.Storage().Released() {
		t.Fatal("Backward released a pinned Var, a leaf or a leaf's gradient")
	}
	if l.Item() == 0 {
		t.Fatal("the loss was released")
	}
	// The gradient is the one computed without early release.
	want := func() []float64 {
		old := earlyRelease
		earlyRelease = false
		defer func() { earlyRelease = old }()
		x2 := Param(x.data.Clone())
		h2 := Exp(Mul(x2, x2))
		l2 := Add(SumAll(Mul(Reshape(h2, 24), Reshape(h2, 24))), SumAll(Sigmoid(MulScalar(x2, 3))))
		l2.Backward()
		if h2.released || h2.data.Storage().Released() {
			t.Fatal("with early release off, Backward released an intermediate")
		}
		l2.Release()
		return x2.grad.Values()
	}()
	for i, g := range x.grad.Values() {
		if g != want[i] {
			t.Fatalf("grad[%d] = %v with early release, %v without", i, g, want[i])
		}
	}
	l.Release()
	if kept.Storage().Released() {
		t.Fatal("Release after Backward recycled a pinned Var")
	}
}

// TestBackwardPeakLive checks that a U-shaped graph, whose skip
// gradients wait for the encoder's backward while the decoder's is run,
// peaks at its activations plus a few gradients: the decoder's
// activations go back as the skip gradients are made. Without early
// release the pass held every activation and every skip gradient.
func TestBackwardPeakLive(t *testing.T) {
	for _, early := range []bool{true, false} {
		old := earlyRelease
		earlyRelease = early
		const n, depth = 1 << 14, 6
		x := Param(tensor.Uniform(tensor.NewRNG(2), -1.0, 1.0, n))
		live0 := tensor.Pool().LiveBytes
		enc := []*Var[float64]{x}
		for range depth {
			enc = append(enc, Tanh(enc[len(enc)-1]))
		}
		u := enc[depth]
		for k := depth - 1; k >= 1; k-- {
			u = Add(Tanh(u), enc[k])
		}
		l := SumAll(Tanh(u))
		act := tensor.Pool().LiveBytes - live0
		tensor.ResetPeakLive()
		l.Backward()
		extra := tensor.Pool().PeakLiveBytes - live0 - act
		t.Logf("early %v: activations %d, extra %d (n·8 = %d)", early, act, extra, n*8)
		l.Release()
		earlyRelease = old
		// With early release, by the time the encoder's backward starts
		// the decoder's activations (two per level) are back: the peak is
		// at the start, the activations plus the first gradients.
		if limit := int64(3 * n * 8); early && extra > limit {
			t.Fatalf("Backward peaked %d bytes above the activations, want at most %d (three gradients)", extra, limit)
		}
		if !early && extra <= int64(3*n*8) {
			t.Fatalf("without early release the pass peaked only %d bytes above the activations: the test no longer tells the two apart", extra)
		}
	}
}

// TestDrop checks that Drop releases a Var at once only when no backward
// pass can read it, and that the gradients are those computed without it.
func TestDrop(t *testing.T) {
	data := tensor.Uniform(tensor.NewRNG(3), -1.0, 1.0, 2, 3, 4, 4)
	run := func(drop bool) []float64 {
		x := Param(data.Clone())
		a := Add(x, x) // fresh: Add never reads its output
		up := Interpolate(a, []int{8, 8}, InterpLinear, true)
		down := MaxPool(a, PoolOpts{Kernel: []int{2, 2}})
		cat := Concat(1, Interpolate(down, []int{8, 8}, InterpNearest, false), up)
		if drop {
			Drop(a)
			Drop(up)
			if !a.released || !a.data.Storage().Released() || !up.released {
				t.Fatal("Drop kept a Var that only Concat, Interpolate and MaxPool took")
			}
			mustPanic(t, "released Var", func() { a.Data() })
		}
		l := SumAll(Mul(cat, cat))
		l.Backward()
		l.Release()
		return x.grad.Values()
	}
	want, got := run(false), run(true)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("grad[%d] = %v after Drop, %v without", i, got[i], want[i])
		}
	}

	x := Param(data.Clone())
	kept := map[string]*Var[float64]{}
	kept["not fresh"] = Mul(x, x)
	read := Add(x, x)
	_ = Mul(read, x) // Mul reads both inputs in its backward
	kept["read by Mul"] = read
	pinned := Add(x, x)
	pinned.Data()
	kept["pinned"] = pinned
	viewed := Add(x, x)
	_ = Reshape(viewed, 96)
	kept["viewed"] = viewed
	kept["leaf"] = x
	one := Add(x, x)
	cat := Concat(1, one) // may share one's storage
	if cat.data.Storage() == one.data.Storage() {
		kept["sole input of Concat"] = one
	}
	for name, v := range kept {
		Drop(v)
		if v.released || v.data.Storage().Released() {
			t.Errorf("Drop released a Var %s", name)
		}
	}
	Drop(one)
	if cat.data.Storage().Released() {
		t.Fatal("Drop released the storage of a Concat's output")
	}
}

// TestDropRebuildsFromStayingInputs checks the ops that rebuild their
// output from inputs Drop can never release (see available): a
// LeakyRelu out of place of a convolution's output, an upsampling and a
// concatenation of Vars whose own backward passes read them. Dropped once
// the convolution that reads them has run, they are released at once,
// and the gradients are those computed without Drop, bit for bit. An
// upsampling of a Var that Drop could release gets no such rebuild, and
// Drop keeps it.
func TestDropRebuildsFromStayingInputs(t *testing.T) {
	rng := tensor.NewRNG(5)
	data := tensor.Uniform(rng, -1.0, 1.0, 2, 3, 6, 6)
	ws := []*tensor.Dense[float64]{
		tensor.Uniform(rng, -0.5, 0.5, 4, 3, 3, 3),
		tensor.Uniform(rng, -0.5, 0.5, 4, 4, 3, 3),
		tensor.Uniform(rng, -0.5, 0.5, 2, 4, 3, 3),
		tensor.Uniform(rng, -0.5, 0.5, 3, 8, 3, 3),
	}
	opts := ConvOpts{Pad: []int{1, 1}}
	run := func(drop bool) [][]float64 {
		x := Param(data.Clone())
		var w []*Var[float64]
		for _, d := range ws {
			w = append(w, Param(d.Clone()))
		}
		c := Conv(x, w[0], nil, opts)
		r := LeakyRelu(c, 0.1) // c stays: LeakyRelu's backward reads it
		y := Conv(r, w[1], nil, opts)
		k := LeakyReluInPlace(GroupNorm(y, 2, nil, nil, 1e-5), 0.1) // not fresh
		up := Interpolate(k, []int{12, 12}, InterpNearest, false)
		y2 := Conv(up, w[2], nil, opts)
		s := Sigmoid(y) // reads its output: not fresh
		cat := Concat(1, k, s)
		y3 := Conv(cat, w[3], nil, opts)
		if drop {
			for name, v := range map[string]*Var[float64]{"LeakyRelu": r, "Interpolate": up, "Concat": cat} {
				Drop(v)
				if !v.released || !v.data.Storage().Released() {
					t.Errorf("Drop kept the %s output, which can be rebuilt", name)
				}
			}
		}
		l := Add(SumAll(Mul(y2, y2)), SumAll(Mul(y3, y3)))
		l.Backward()
		l.Release()
		gs := [][]float64{x.grad.Values()}
		for _, p := range w {
			gs = append(gs, p.grad.Values())
		}
		return gs
	}
	want, got := run(false), run(true)
	for i := range want {
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				t.Fatalf("gradient %d [%d] = %v after Drop, %v without", i, j, got[i][j], want[i][j])
			}
		}
	}

	x := Param(data.Clone())
	a := Add(x, x) // fresh and unread: Drop may release it, so no rebuild from it
	up := Interpolate(a, []int{12, 12}, InterpNearest, false)
	_ = Conv(up, Param(ws[0].Clone()), nil, opts)
	Drop(up)
	if up.released {
		t.Fatal("Drop released an upsampling that a convolution reads and that cannot be rebuilt")
	}
}

// TestOpReadsRebuiltInput checks that a custom op (Op) whose backward
// reads its input with Peek gets the input rebuilt when it was dropped,
// with the gradients of a run that kept it.
func TestOpReadsRebuiltInput(t *testing.T) {
	rng := tensor.NewRNG(8)
	xd := tensor.Uniform(rng, -1.0, 1.0, 2, 3, 5, 5)
	w := tensor.Uniform(rng, -0.5, 0.5, 3, 3, 3, 3)
	run := func(drop bool) []float64 {
		x, wv := Param(xd.Clone()), Param(w.Clone())
		a := ReluBatchNormChannelDropout(Conv(x, wv, nil, ConvOpts{Pad: []int{1, 1}}), nil, nil, nil, nil, true, 0.1, 1e-5, 0, nil)
		sq := tensor.Map(a.Peek(), func(v float64) float64 { return v * v })
		y := Op("square", sq, []*Var[float64]{a}, func(gy *tensor.Dense[float64]) []*tensor.Dense[float64] {
			ad := a.Peek().Contiguous()
			return []*tensor.Dense[float64]{tensor.Map2(gy, ad, func(g, v float64) float64 { return 2 * v * g })}
		})
		if drop {
			Drop(a)
			if !a.data.Storage().Released() {
				t.Fatal("Drop kept the norm block's output, which can be rebuilt")
			}
		}
		l := SumAll(Mul(y, y))
		l.Backward()
		l.Release()
		return append(x.grad.Values(), wv.grad.Values()...)
	}
	want, got := run(false), run(true)
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12*max(1, math.Abs(want[i])) {
			t.Fatalf("gradient %d with the input dropped: %v, want %v", i, got[i], want[i])
		}
	}
}

// TestRebuildableOp checks a custom op declared Rebuildable: Drop
// releases its output, and the backward pass of the convolution that
// reads it gets it rebuilt, through its own dropped input, with the
// gradients of a run that kept both.
func TestRebuildableOp(t *testing.T) {
	rng := tensor.NewRNG(9)
	xd := tensor.Uniform(rng, -1.0, 1.0, 2, 3, 5, 5)
	w1 := tensor.Uniform(rng, -0.5, 0.5, 3, 3, 3, 3)
	w2 := tensor.Uniform(rng, -0.5, 0.5, 2, 3, 3, 3)
	opts := ConvOpts{Pad: []int{1, 1}}
	run := func(drop bool) []float64 {
		x, v1, v2 := Param(xd.Clone()), Param(w1.Clone()), Param(w2.Clone())
		a := ReluBatchNormChannelDropout(Conv(x, v1, nil, opts), nil, nil, nil, nil, true, 0.1, 1e-5, 0, nil)
		fill := func(dst *tensor.Dense[float64]) {
			ad := a.Peek().Contiguous().Data()
			for i := range dst.Dim(0) {
				d := dst.Narrow(0, i, 1).Data()
				for k := range d {
					v := ad[i*len(d)+k]
					d[k] = v*v + 1
				}
			}
		}
		out := tensor.New[float64](a.Shape()...)
		fill(out)
		y := Op("square+1", out, []*Var[float64]{a}, func(gy *tensor.Dense[float64]) []*tensor.Dense[float64] {
			return []*tensor.Dense[float64]{tensor.Map2(gy, a.Peek().Contiguous(), func(g, v float64) float64 { return 2 * v * g })}
		})
		Rebuildable(y, fill)
		z := Conv(y, v2, nil, opts)
		if drop {
			Drop(a)
			Drop(y)
			if !y.data.Storage().Released() || !a.data.Storage().Released() {
				t.Fatal("Drop kept a Rebuildable op's output or its rebuildable input")
			}
		}
		l := SumAll(Mul(z, z))
		l.Backward()
		l.Release()
		return append(append(x.grad.Values(), v1.grad.Values()...), v2.grad.Values()...)
	}
	want, got := run(false), run(true)
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12*max(1, math.Abs(want[i])) {
			t.Fatalf("gradient %d with the op's output dropped: %v, want %v", i, got[i], want[i])
		}
	}
}
