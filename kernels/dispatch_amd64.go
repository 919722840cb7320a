//go:build !purego

package kernels

// installTier points the float32 fast paths at the kernels of tier t.
func installTier(t tier) {
	sgemmKernel, convKern = nil, nil
	reluF32, reluBackwardF32 = nil, nil
	addF32, subF32, mulF32, scaleF32, axpyF32 = nil, nil, nil, nil, nil
	sumF32, dotF32, sumSquaresF32 = nil, nil, nil
	batchNormForwardF32, batchNormBackwardF32 = nil, nil
	groupNormForwardF32, groupNormBackwardF32 = nil, nil
	maxPoolForwardF32, maxPoolBackwardF32 = nil, nil
	convForwardF32, convBackwardDataF32, convBackwardWeightF32 = nil, nil, nil
	convForwardConcatF32, convBackwardDataConcatF32, convBackwardWeightConcatF32 = nil, nil, nil
	convForwardLeakyF32, convBackwardWeightLeakyF32 = nil, nil
	switch t {
	case tierAVX512:
		sgemmKernel = kernelAVX512
		convKern = convKernAVX512
		convForwardF32 = convForwardWino
		convForwardConcatF32 = convForwardConcatWino
		convBackwardDataConcatF32 = convBackwardDataConcatWino
		convBackwardWeightConcatF32 = convBackwardWeightConcatWino
		convForwardLeakyF32, convBackwardWeightLeakyF32 = convForwardLeakyWino, convBackwardWeightLeakyWino
		convBackwardDataF32 = convBackwardDataWino
		convBackwardWeightF32 = convBackwardWeightWino
		reluF32, reluBackwardF32 = reluHook, reluBackwardHook
		addF32, subF32, mulF32, scaleF32, axpyF32 = addHook, subHook, mulHook, scaleHook, axpyHook
		sumF32, dotF32, sumSquaresF32 = sumHook, dotHook, sumSquaresHook
		batchNormForwardF32, batchNormBackwardF32 = batchNormForwardHook, batchNormBackwardHook
		groupNormForwardF32, groupNormBackwardF32 = groupNormForwardHook, groupNormBackwardHook
		maxPoolForwardF32, maxPoolBackwardF32 = maxPool2ForwardHook, maxPool2BackwardHook
	case tierAVX2:
		sgemmKernel = kernelAVX2
		convKern = convKernAVX2
		convForwardF32 = convForwardDirect
		convBackwardDataF32 = convBackwardDataDirect
		convBackwardWeightF32 = convBackwardWeightDirect
	}
	installMemTier(t)
}
