package kernels

import "fmt"

// BatchNormStats computes what BatchNormForward computes besides its
// output: mean and invstd per channel of x, viewed as [n, c, s], and the
// factors scale and shift with which BatchNormForward writes
//
//	y[b,ch,i] = x[b,ch,i]·scale[ch] + shift[ch]
//
// all bit for bit as BatchNormForward does on the same tier. With
// BatchNormApply it splits BatchNormForward in two, so that a caller can
// recompute y later from x and 2·c numbers instead of keeping it: the
// U-Net's batch norm output is rebuilt in the backward pass for the
// next convolution's weight gradient.
func BatchNormStats[T Float](n, c, s int, x, gamma, beta []T, eps T, mean, invstd, scale, shift []T) {
	checkNorm("BatchNormStats", n, c, s, c, len(x), len(gamma), len(beta), len(mean), len(invstd), gamma != nil, beta != nil)
	mustLen("BatchNormStats", "scale", len(scale), c)
	mustLen("BatchNormStats", "shift", len(shift), c)
	if xf, ok := any(x).([]float32); ok && batchNormStatsFast(n, c, s, xf, any(gamma).([]float32), any(beta).([]float32), float32(eps),
		any(mean).([]float32), any(invstd).([]float32), any(scale).([]float32), any(shift).([]float32)) {
		return
	}
	// BatchNormForward's generic statistics.
	Parallel(c, 1, func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			m, is := channelMoments(n, c, s, x, eps, ch)
			mean[ch], invstd[ch] = T(m), T(is)
			scale[ch], shift[ch] = affine(gamma, beta, ch, m, is)
		}
	})
}

// BatchNormInferenceAffine computes the factors with which
// BatchNormInference writes y = x·scale[ch] + shift[ch] from the running
// statistics, bit for bit as it does on the same tier, so that
// BatchNormApply can write or rewrite its output.
func BatchNormInferenceAffine[T Float](c int, gamma, beta, runMean, runVar []T, eps T, scale, shift []T) {
	checkNorm("BatchNormInferenceAffine", 1, c, 0, c, 0, len(gamma), len(beta), len(runMean), len(runVar), gamma != nil, beta != nil)
	mustLen("BatchNormInferenceAffine", "scale", len(scale), c)
	mustLen("BatchNormInferenceAffine", "shift", len(shift), c)
	if gf, ok := any(runMean).([]float32); ok && batchNormInferenceAffineFast(c, any(gamma).([]float32), any(beta).([]float32), gf, any(runVar).([]float32),
		float32(eps), any(scale).([]float32), any(shift).([]float32)) {
		return
	}
	for ch := range c {
		scale[ch], shift[ch] = affine(gamma, beta, ch, float64(runMean[ch]), 1/sqrt64(float64(runVar[ch])+float64(eps)))
	}
}

// BatchNormApply writes BatchNormForward's output from BatchNormStats'
// factors (or BatchNormInference's from BatchNormInferenceAffine's), each (sample, channel) plane then multiplied by its factor in
// planeScale (length n·c; nil for none), as ScalePlanes would:
//
//	y[b,ch,i] = (x[b,ch,i]·scale[ch] + shift[ch])·planeScale[b·c+ch]
//
// The result is bit for bit BatchNormForward's y followed by ScalePlanes:
// batch norm and channel dropout recomputed from the norm's input. y may
// not be x.
func BatchNormApply[T Float](n, c, s int, x, scale, shift, planeScale, y []T) {
	if n < 0 || c < 1 || s < 0 {
		panic(fmt.Sprintf("kernels: BatchNormApply: invalid shape n=%d c=%d s=%d", n, c, s))
	}
	mustLen("BatchNormApply", "x", len(x), n*c*s)
	mustLen("BatchNormApply", "y", len(y), n*c*s)
	mustLen("BatchNormApply", "scale", len(scale), c)
	mustLen("BatchNormApply", "shift", len(shift), c)
	if planeScale != nil {
		mustLen("BatchNormApply", "planeScale", len(planeScale), n*c)
	}
	Parallel(n*c, max(1, memGrainApply/max(s, 1)), func(lo, hi int) {
		for p := lo; p < hi; p++ {
			ch := p % c
			yp, xp := y[p*s:(p+1)*s], x[p*s:(p+1)*s]
			if !axpbFast(yp, xp, scale[ch], shift[ch]) {
				scaleShift(yp, xp, scale[ch], shift[ch])
			}
			if planeScale != nil {
				// ScalePlanes' own per-plane step, so that a zero factor
				// clears the plane exactly as it does.
				scalePlanes(yp, yp, s, planeScale[p:p+1], 0, s)
			}
		}
	})
}

// memGrainApply is the fewest elements a BatchNormApply worker is given.
const memGrainApply = 1 << 15

// axpbFast runs the tier's y = a·x + b kernel, the one batch norm writes
// its output with, when the batch norm hooks are installed for float32.
func axpbFast[T Float](y, x []T, a, b T) bool {
	yf, ok := any(y).([]float32)
	return ok && axpbF32(yf, any(x).([]float32), float32(a), float32(b))
}
