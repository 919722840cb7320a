package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func tierTo64(x []float32) []float64 {
	if x == nil {
		return nil
	}
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}

// guarded returns a slice of n elements inside a buffer whose off leading
// and 19 trailing elements hold guard, and a check for stray writes.
func guarded(n, off int) ([]float32, func(t *testing.T, what string)) {
	return guardedIn(make([]float32, off+n+19), off, n)
}

// guardedIn fills buf with guard and returns its n elements from off and
// a check that nothing else in buf was written.
func guardedIn(buf []float32, off, n int) ([]float32, func(t *testing.T, what string)) {
	for i := range buf {
		buf[i] = guard
	}
	return buf[off : off+n], func(t *testing.T, what string) {
		t.Helper()
		for i, v := range buf {
			if (i < off || i >= off+n) && v != guard {
				t.Fatalf("%s: stray write at %d (output is [%d, %d)): %v", what, i, off, off+n, v)
			}
		}
	}
}

func closeTo(t *testing.T, what string, got []float32, want []float64, scale float64) {
	t.Helper()
	for i := range want {
		if d := math.Abs(float64(got[i]) - want[i]); !(d <= 1e-4*scale+1e-4*math.Abs(want[i])) {
			t.Fatalf("%s: [%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

// convTierCases are random-ish shapes with odd sizes, padding, dilation,
// stride 2 (which the direct path hands back to the generic code), 1 to 3
// spatial dimensions and channel counts around the tile sizes.
var convTierCases = []ConvParams{
	{N: 2, Cin: 3, Cout: 5, In: []int{7, 9}, Kernel: []int{3, 3}, Pad: []int{1, 1}},
	{N: 1, Cin: 1, Cout: 32, In: []int{17, 33}, Kernel: []int{3, 3}, Pad: []int{1, 1}},
	{N: 3, Cin: 13, Cout: 12, In: []int{5, 6, 7}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
	{N: 1, Cin: 4, Cout: 25, In: []int{9, 8}, Kernel: []int{3, 2}, Pad: []int{2, 0}, Dilation: []int{2, 1}},
	{N: 2, Cin: 6, Cout: 7, In: []int{11, 10}, Kernel: []int{3, 3}, Pad: []int{1, 1}, Stride: []int{2, 2}},
	{N: 1, Cin: 40, Cout: 33, In: []int{31}, Kernel: []int{5}, Pad: []int{2}},
	{N: 2, Cin: 2, Cout: 3, In: []int{4, 5, 3}, Kernel: []int{1, 1, 1}},
	{N: 1, Cin: 70, Cout: 16, In: []int{6, 6, 6}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
	{N: 1, Cin: 5, Cout: 4, In: []int{8, 9}, Kernel: []int{3, 3}, Pad: []int{0, 3}},
	{N: 2, Cin: 5, Cout: 2, In: []int{9, 37}, Kernel: []int{3, 3}, Pad: []int{1, 1}},
	{N: 2, Cin: 1, Cout: 3, In: []int{7, 8, 9}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
	// More virtual positions than one block of the weight-gradient
	// kernel (dwBlock), with ragged tap and channel tiles.
	{N: 2, Cin: 3, Cout: 6, In: []int{50, 47}, Kernel: []int{3, 3}, Pad: []int{1, 1}},
	{N: 2, Cin: 2, Cout: 5, In: []int{6, 20, 21}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
	// Output rows of a multiple of 16 with at most 32 channels: the
	// broadcast kernel (convBcast16AVX512), here with a ragged channel
	// block.
	{N: 2, Cin: 3, Cout: 20, In: []int{5, 32}, Kernel: []int{3, 3}, Pad: []int{1, 1}},
	{N: 1, Cin: 5, Cout: 16, In: []int{4, 3, 16}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
	// The few-channel forward (convsmall_amd64.go) in blocks of 6
	// channels (9 taps), the last one ragged, and of 8 (27 taps).
	{N: 2, Cin: 1, Cout: 13, In: []int{6, 48}, Kernel: []int{3, 3}, Pad: []int{1, 1}},
	{N: 1, Cin: 1, Cout: 16, In: []int{3, 4, 32}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
	// Strides above 1 (the phase-split input of directGeom): a
	// Modified3DUNet-style downsampling, a 1×1 stride-2 projection and an
	// uneven stride with dilation.
	{N: 2, Cin: 4, Cout: 8, In: []int{9, 8, 16}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}, Stride: []int{2, 2, 2}},
	{N: 2, Cin: 6, Cout: 3, In: []int{7, 10}, Kernel: []int{1, 1}, Stride: []int{2, 2}},
	{N: 1, Cin: 3, Cout: 13, In: []int{13, 12}, Kernel: []int{3, 3}, Pad: []int{2, 1}, Dilation: []int{2, 1}, Stride: []int{2, 3}},
	{N: 1, Cin: 2, Cout: 16, In: []int{6, 32}, Kernel: []int{3, 3}, Pad: []int{1, 1}, Stride: []int{2, 2}},
	// The transposed weight gradient (convdwt_amd64.go) with 32-channel
	// tiles, the second one ragged, a ragged last block of kernel rows
	// and two blocks of positions.
	{N: 2, Cin: 7, Cout: 40, In: []int{20, 21}, Kernel: []int{3, 3}, Pad: []int{1, 1}},
	// Above 64×64 channels with at most 64 output channels.
	{N: 1, Cin: 90, Cout: 48, In: []int{5, 18}, Kernel: []int{3, 3}, Pad: []int{1, 1}},
	// The tiled forward (convtile_amd64.go): output rows of a multiple of
	// 16 and a multiple of 8 channels, in several chunks of windows, with
	// a ragged last tile, several depth blocks, in 3D and with a stride.
	{N: 3, Cin: 8, Cout: 40, In: []int{5, 32}, Kernel: []int{3, 3}, Pad: []int{1, 1}},
	{N: 1, Cin: 8, Cout: 48, In: []int{7, 16}, Kernel: []int{3, 3}, Pad: []int{1, 1}},
	{N: 1, Cin: 20, Cout: 40, In: []int{5, 2, 16}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
	{N: 2, Cin: 8, Cout: 40, In: []int{6, 32}, Kernel: []int{3, 3}, Pad: []int{1, 1}, Stride: []int{2, 2}},
	// Its windows of two parts: output rows of 24, in 3D and strided.
	{N: 2, Cin: 4, Cout: 16, In: []int{3, 5, 24}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
	{N: 1, Cin: 3, Cout: 8, In: []int{4, 6, 48}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}, Stride: []int{2, 2, 2}},
	// The few-channel backward passes (convsmall_amd64.go): rows of 130
	// (a last block of 2 positions) in bands of 8, 8 and 3 rows; a row of
	// one position with padding 2; no padding; a dilated kernel depth;
	// padding 3 along the rows; one output channel and odd counts.
	{N: 3, Cin: 1, Cout: 7, In: []int{19, 130}, Kernel: []int{3, 3}, Pad: []int{1, 1}},
	{N: 1, Cin: 4, Cout: 3, In: []int{5, 1}, Kernel: []int{3, 3}, Pad: []int{2, 2}},
	{N: 2, Cin: 2, Cout: 9, In: []int{4, 6, 16}, Kernel: []int{3, 3, 3}},
	{N: 1, Cin: 1, Cout: 4, In: []int{9, 5, 17}, Kernel: []int{3, 3, 3}, Pad: []int{2, 1, 1}, Dilation: []int{2, 1, 1}},
	{N: 2, Cin: 2, Cout: 1, In: []int{12, 15}, Kernel: []int{3, 3}, Pad: []int{1, 3}},
	// The few-channel forward (convFwd6x64AVX512): a ragged last block
	// of channels and a last chunk of 5 vectors, and 15 vectors in 3D.
	{N: 2, Cin: 1, Cout: 13, In: []int{7, 48}, Kernel: []int{3, 3}, Pad: []int{1, 1}},
	{N: 1, Cin: 2, Cout: 6, In: []int{3, 5, 16}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
	// ... and a backward-data through it: two output channels, so the
	// equivalent forward has two input channels and flipped weights.
	{N: 2, Cin: 24, Cout: 2, In: []int{6, 32}, Kernel: []int{3, 3}, Pad: []int{1, 1}},
	// Fewer output positions an image than a GEMM panel (convcols_amd64.go):
	// taps that read only the padding along an axis of size 1, a stride
	// onto a 3×3×1 output, no tap dropped, a dilated 2D kernel, and images
	// in several groups of the column matrix.
	{N: 4, Cin: 20, Cout: 24, In: []int{3, 3, 1}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
	{N: 5, Cin: 6, Cout: 10, In: []int{6, 6, 2}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}, Stride: []int{2, 2, 2}},
	{N: 3, Cin: 9, Cout: 17, In: []int{3, 3, 3}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
	{N: 2, Cin: 7, Cout: 9, In: []int{2, 5}, Kernel: []int{3, 3}, Pad: []int{1, 2}, Dilation: []int{1, 2}},
	{N: 9, Cin: 300, Cout: 5, In: []int{3, 3, 3}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
	// 1×1 output heads, whose weight gradient is dot products
	// (pointwiseWeightGradient) up to 4 output channels, and 5 past it.
	{N: 2, Cin: 16, Cout: 1, In: []int{5, 6, 37}, Kernel: []int{1, 1, 1}},
	{N: 3, Cin: 7, Cout: 4, In: []int{9, 33}, Kernel: []int{1, 1}},
	{N: 1, Cin: 3, Cout: 5, In: []int{4, 33}, Kernel: []int{1, 1}},
}

func TestConvTiers(t *testing.T) {
	forEachTier(t, func(t *testing.T, tr tier) {
		checkConvAll(t, rand.New(rand.NewPCG(5, uint64(tr))))
	})
}

// checkConvAll runs the convolution cases with the installed kernels.
func checkConvAll(t *testing.T, rng *rand.Rand) {
	for ci, p := range convTierCases {
		name := fmt.Sprintf("case %d %+v", ci, p)
		kvol, inVol, outVol := prod(p.Kernel), prod(p.In), prod(p.Out())
		x := make([]float32, p.N*p.Cin*inVol)
		w := make([]float32, p.Cout*p.Cin*kvol)
		dy := make([]float32, p.N*p.Cout*outVol)
		bias := make([]float32, p.Cout)
		for _, s := range [][]float32{x, w, dy, bias} {
			for i := range s {
				s[i] = float32(rng.NormFloat64())
			}
		}
		scale := float64(p.Cin*kvol) + float64(p.N*outVol)

		y, checkY := guarded(len(dy), ci%16)
		ConvForward(p, x, w, bias, y)
		y64 := make([]float64, len(dy))
		ConvForward(p, tierTo64(x), tierTo64(w), tierTo64(bias), y64)
		closeTo(t, name+" forward", y, y64, scale)
		checkY(t, name+" forward")

		dx, checkDX := guarded(len(x), (ci+5)%16)
		ConvBackwardData(p, dy, w, dx)
		dx64 := make([]float64, len(x))
		ConvBackwardData(p, tierTo64(dy), tierTo64(w), dx64)
		closeTo(t, name+" backward data", dx, dx64, scale)
		checkDX(t, name+" backward data")

		dw, checkDW := guarded(len(w), (ci+9)%16)
		db, checkDB := guarded(p.Cout, ci%3)
		ConvBackwardWeight(p, x, dy, dw, db)
		dw64, db64 := make([]float64, len(w)), make([]float64, p.Cout)
		ConvBackwardWeight(p, tierTo64(x), tierTo64(dy), dw64, db64)
		closeTo(t, name+" backward weight", dw, dw64, scale)
		closeTo(t, name+" backward bias", db, db64, scale)
		checkDW(t, name+" backward weight")
		checkDB(t, name+" backward bias")
	}
}
