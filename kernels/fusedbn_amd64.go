//go:build !purego

package kernels

import "math"

// batchNormStatsFast is BatchNormStats on the tier that batchNormForwardHook
// runs: the same float64 sums per plane in the same order (sumSqAxpb's
// sums are sumSq's), meanInvStdF64 and affineF32.
func batchNormStatsFast(n, c, s int, x, gamma, beta []float32, eps float32, mean, invstd, scale, shift []float32) bool {
	if batchNormForwardF32 == nil || mk == nil || n*s == 0 {
		return false
	}
	Parallel(c, normGrain(c), func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			var sum, sq float64
			for i := 0; i < n; i++ {
				a, b := mk.sumSq(x[(i*c+ch)*s : (i*c+ch+1)*s])
				sum += a
				sq += b
			}
			mu, is := meanInvStdF64(sum, sq, n*s, eps)
			mean[ch], invstd[ch] = float32(mu), float32(is)
			scale[ch], shift[ch] = affineF32(gamma, beta, ch, mu, is)
		}
	})
	return true
}

// batchNormInferenceAffineFast is BatchNormInferenceAffine on the tier
// that batchNormInferenceHook runs: its affineF32 of the running
// statistics.
func batchNormInferenceAffineFast(c int, gamma, beta, runMean, runVar []float32, eps float32, scale, shift []float32) bool {
	if batchNormInferenceF32 == nil || mk == nil {
		return false
	}
	for ch := range c {
		scale[ch], shift[ch] = affineF32(gamma, beta, ch, float64(runMean[ch]), 1/math.Sqrt(float64(runVar[ch])+float64(eps)))
	}
	return true
}

// axpbF32 is the tier's axpb (called from a worker: serial), when the
// batch norm hook that writes its output with it is installed.
func axpbF32(y, x []float32, a, b float32) bool {
	if (batchNormForwardF32 == nil && batchNormInferenceF32 == nil) || mk == nil {
		return false
	}
	mk.axpb(y, x, a, b, 1)
	return true
}
