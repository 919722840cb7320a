package kernels

// Fast float32 implementations, installed once at start-up by the
// assembly tiers (the *_amd64.go files). The generic kernels call a hook
// for float32 arguments when it is set; a hook returns false when it does
// not handle the shape it was given, and the generic kernel runs instead.
// Tests save and restore these to compare every tier with the generic code.
var (
	convForwardF32        func(p ConvParams, x, w, bias, y []float32) bool
	convBackwardDataF32   func(p ConvParams, dy, w, dx []float32) bool
	convBackwardWeightF32 func(p ConvParams, x, dy, dw, dbias []float32) bool
	// ConvForwardConcat's, ConvBackwardDataConcat's and
	// ConvBackwardWeightConcat's: parts checked.
	convForwardConcatF32        func(p ConvParams, parts [][]float32, w, bias, y []float32) bool
	convBackwardDataConcatF32   func(p ConvParams, dy, w []float32, parts [][]float32) bool
	convBackwardWeightConcatF32 func(p ConvParams, parts [][]float32, dy, dw, dbias []float32) bool
	// ConvForwardLeaky's and ConvBackwardWeightLeaky's.
	convForwardLeakyF32        func(p ConvParams, x []float32, slope float32, w, bias, y []float32) bool
	convBackwardWeightLeakyF32 func(p ConvParams, x []float32, slope float32, dy, dw, dbias []float32) bool
	// leakyReluLeafF32 is the tier's LeakyRelu on one worker's range.
	leakyReluLeafF32 func(dst, x []float32, slope float32)
	// split2RowsF32 and merge2RowsF32 are the tier's split2RowsGo and
	// merge2RowsGo: the phases of an upsampled convolution
	// (ConvForwardUpsampled) and the column phases of a stride-2
	// convolution's input (splitRows).
	split2RowsF32, merge2RowsF32 func(x, y, z []float32, n, rows, dstStride, srcStride int)

	maxPoolForwardF32  func(p PoolParams, x, y []float32, idx []int32) bool
	maxPoolBackwardF32 func(p PoolParams, dy []float32, idx []int32, dx []float32) bool

	batchNormForwardF32  func(n, c, s int, x, gamma, beta []float32, eps float32, y, mean, invstd []float32) bool
	batchNormBackwardF32 func(n, c, s int, x, dy, gamma, mean, invstd, dx, dgamma, dbeta []float32) bool
	groupNormForwardF32  func(n, c, s, groups int, x, gamma, beta []float32, eps, slope float32, y, mean, invstd []float32) bool
	// groupNormBackwardF32 is GroupNormLeakyReluBackward's (y nil: GroupNormBackward's).
	groupNormBackwardF32 func(n, c, s, groups int, x, y, dy, gamma, mean, invstd []float32, slope float32, dx, dgamma, dbeta []float32) bool
	groupNormMixF32      func(n, c, s, groups int, x, gamma, beta []float32, eps, slope float32, cout int, w, bias, out, mean, invstd []float32) bool
	// groupNormMixBackwardF32 is GroupNormLeakyReluMixBackward's but for
	// dw and dbias: it leaves Σ y·dout per (sample, channel, output) in
	// dots and, where sums is not nil, Σ dout per (sample, output) in sums.
	groupNormMixBackwardF32 func(n, c, s, groups int, x, gamma, beta, mean, invstd []float32, slope float32, cout int, w, dout, dx, dgamma, dbeta []float32, dots, sums []float64) bool

	interpForwardF32  func(p InterpParams, x, y []float32) bool
	interpBackwardF32 func(p InterpParams, dy, dx []float32) bool
)

// Hooks for kernels added after the first set; same convention.
var (
	avgPoolForwardF32  func(p PoolParams, x, y []float32) bool
	avgPoolBackwardF32 func(p PoolParams, dy, dx []float32) bool
)

var batchNormInferenceF32 func(n, c, s int, x, gamma, beta, runMean, runVar []float32, eps float32, y []float32) bool

// Elementwise and reduction hooks: whole-slice, same convention (the hook
// may call Parallel itself).
var (
	addF32          func(dst, a, b []float32) bool
	addLeakyReluF32 func(dst, a, b []float32, slope float32) bool
	subF32          func(dst, a, b []float32) bool
	mulF32          func(dst, a, b []float32) bool
	scaleF32        func(dst []float32, alpha float32, x []float32) bool
	axpyF32         func(alpha float32, x, y []float32) bool
	reluF32         func(dst, x []float32) bool
	reluBackwardF32 func(dx, y, dy []float32) bool
	sumF32          func(x []float32) (float32, bool)
	dotF32          func(a, b []float32) (float32, bool)
	sumSquaresF32   func(x []float32) (float32, bool)
	adamF32         func(p AdamParams, param, grad, m, v []float32) bool
)

// LeakyReLU (every layer of the Modified 3D U-Net) and the softmax family.
var (
	leakyReluF32         func(dst, x []float32, slope float32) bool
	sigmoidF32           func(dst, x []float32) // a range of Sigmoid
	leakyReluBackwardF32 func(dx, x, dy []float32, slope float32) bool
	softmaxF32           func(outer, n, inner int, x, y []float32, log bool) bool
	softmaxBackwardF32   func(outer, n, inner int, y, dy, dx []float32, log bool) bool
)
