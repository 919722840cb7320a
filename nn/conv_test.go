package nn

import (
	"slices"
	"testing"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/tensor"
)

// TestConvShorthands checks that Conv2d and Conv3d build the square and
// cubic convolutions they name: weight and bias shapes, and the output
// size the padding gives.
func TestConvShorthands(t *testing.T) {
	cases := []struct {
		name      string
		m         *Conv
		in, wantY []int
		wantW     []int
	}{
		{"Conv2d(3, 8, 5, 2)", Conv2d(3, 8, 5, 2), []int{2, 3, 9, 7}, []int{2, 8, 9, 7}, []int{8, 3, 5, 5}},
		{"Conv2d(1, 4, 3, 0)", Conv2d(1, 4, 3, 0), []int{1, 1, 6, 5}, []int{1, 4, 4, 3}, []int{4, 1, 3, 3}},
		{"Conv3d(2, 6, 3, 1)", Conv3d(2, 6, 3, 1), []int{1, 2, 4, 5, 6}, []int{1, 6, 4, 5, 6}, []int{6, 2, 3, 3, 3}},
	}
	for _, c := range cases {
		if !slices.Equal(c.m.Weight.Shape(), c.wantW) || !slices.Equal(c.m.Bias.Shape(), c.wantW[:1]) {
			t.Errorf("%s: weight %v, bias %v; want %v and [%d]", c.name, c.m.Weight.Shape(), c.m.Bias.Shape(), c.wantW, c.wantW[0])
		}
		x := autograd.Const(tensor.Uniform(tensor.NewRNG(1), float32(-1), 1, c.in...))
		if y := c.m.Forward(x); !slices.Equal(y.Shape(), c.wantY) {
			t.Errorf("%s of %v: output %v, want %v", c.name, c.in, y.Shape(), c.wantY)
		}
	}
}

// TestResizeLike checks that ResizeLike gives x the spatial size of ref
// by linear interpolation with align_corners (what autograd.Interpolate
// computes), and hands x back unchanged where the sizes agree.
func TestResizeLike(t *testing.T) {
	g := tensor.NewRNG(2)
	x := autograd.Const(tensor.Uniform(g, float32(-1), 1, 2, 3, 4, 5))
	if got := ResizeLike(x, autograd.Const(tensor.New[float32](2, 7, 4, 5))); got != x {
		t.Error("ResizeLike to the same spatial size made a new value")
	}
	ref := autograd.Const(tensor.New[float32](2, 7, 8, 9))
	got := ResizeLike(x, ref)
	if !slices.Equal(got.Shape(), []int{2, 3, 8, 9}) {
		t.Fatalf("shape %v, want [2 3 8 9]", got.Shape())
	}
	want := autograd.Interpolate(x, []int{8, 9}, autograd.InterpLinear, true)
	if !slices.Equal(got.Peek().Values(), want.Peek().Values()) {
		t.Error("ResizeLike differs from Interpolate(x, [8 9], linear, align_corners)")
	}
	// align_corners keeps the corners: x's first and last values stay.
	xv, gv := x.Peek(), got.Peek()
	if gv.At(1, 2, 0, 0) != xv.At(1, 2, 0, 0) || gv.At(1, 2, 7, 8) != xv.At(1, 2, 3, 4) {
		t.Errorf("corners %v, %v; want x's %v, %v", gv.At(1, 2, 0, 0), gv.At(1, 2, 7, 8), xv.At(1, 2, 0, 0), xv.At(1, 2, 3, 4))
	}
}
