package kernels

import (
	"fmt"
	"math"
	"testing"
)

// checkBatchNormSplit checks on the installed tier that BatchNormStats
// and BatchNormApply give, bit for bit, BatchNormForward's mean, invstd
// and output followed by ScalePlanes, on non-negative inputs (the ReLU
// outputs the U-Net normalises) with an offset, with and without affine
// parameters and plane factors.
func checkBatchNormSplit(t *testing.T, n, c, s int) {
	rng := newRNG(uint64(n*1000 + c*10 + s))
	x := randF32(rng, n*c*s)
	for i := range x {
		x[i] = max(x[i], 0) + 0.25
	}
	gamma, beta := randF32(rng, c), randF32(rng, c)
	planes := make([]float32, n*c)
	for i := range planes {
		if rng.Float64() < 0.3 {
			planes[i] = 0
		} else {
			planes[i] = 1 / 0.7
		}
	}
	for _, affineOn := range []bool{true, false} {
		g, b := gamma, beta
		if !affineOn {
			g, b = nil, nil
		}
		for _, ps := range [][]float32{planes, nil} {
			y, mean, invstd := make([]float32, len(x)), make([]float32, c), make([]float32, c)
			BatchNormForward(n, c, s, x, g, b, 1e-5, y, mean, invstd)
			if ps != nil {
				ScalePlanes(y, y, s, ps)
			}
			m2, is2, sc, sh := make([]float32, c), make([]float32, c), make([]float32, c), make([]float32, c)
			BatchNormStats(n, c, s, x, g, b, 1e-5, m2, is2, sc, sh)
			y2 := make([]float32, len(x)+1)
			y2[len(x)] = guard
			BatchNormApply(n, c, s, x, sc, sh, ps, y2[:len(x)])
			what := fmt.Sprintf("n=%d c=%d s=%d affine=%v planes=%v", n, c, s, affineOn, ps != nil)
			sameBits32(t, what+" mean", m2, mean)
			sameBits32(t, what+" invstd", is2, invstd)
			sameBits32(t, what+" y", y2[:len(x)], y)
			if y2[len(x)] != guard {
				t.Fatalf("%s: BatchNormApply wrote past y", what)
			}
		}
	}
}

// checkBatchNormInferenceSplit: BatchNormInferenceAffine and
// BatchNormApply give BatchNormInference's output bit for bit.
func checkBatchNormInferenceSplit(t *testing.T, n, c, s int) {
	rng := newRNG(uint64(n*1000 + c*10 + s + 7))
	x := randF32(rng, n*c*s)
	gamma, beta, rm, rv := randF32(rng, c), randF32(rng, c), randF32(rng, c), randF32(rng, c)
	for i := range rv {
		rv[i] = rv[i]*rv[i] + 0.1
	}
	for _, affineOn := range []bool{true, false} {
		g, b := gamma, beta
		if !affineOn {
			g, b = nil, nil
		}
		y := make([]float32, len(x))
		BatchNormInference(n, c, s, x, g, b, rm, rv, 1e-5, y)
		sc, sh := make([]float32, c), make([]float32, c)
		BatchNormInferenceAffine(c, g, b, rm, rv, 1e-5, sc, sh)
		y2 := make([]float32, len(x))
		BatchNormApply(n, c, s, x, sc, sh, nil, y2)
		sameBits32(t, fmt.Sprintf("inference n=%d c=%d s=%d affine=%v", n, c, s, affineOn), y2, y)
	}
}

func sameBits32(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s: element %d is %v (%#x), want %v (%#x)", what, i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
		}
	}
}

// TestBatchNormSplitTiers: the split batch norm equals the fused one on
// every tier, at odd and vector-multiple plane sizes.
func TestBatchNormSplitTiers(t *testing.T) {
	forEachTier(t, func(t *testing.T, _ tier) {
		for _, sh := range [][3]int{{2, 3, 1}, {1, 1, 37}, {3, 5, 17}, {4, 8, 64}, {2, 16, 1024}, {8, 4, 4096}} {
			checkBatchNormSplit(t, sh[0], sh[1], sh[2])
			checkBatchNormInferenceSplit(t, sh[0], sh[1], sh[2])
		}
	})
}
