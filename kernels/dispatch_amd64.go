//go:build !purego

package kernels

// installTier points the float32 fast paths at the kernels of tier t.
func installTier(t tier) {
	sgemmKernel, convKern = nil, nil
	convForwardF32, convBackwardDataF32 = nil, nil
	switch t {
	case tierAVX512:
		sgemmKernel = kernelAVX512
		convKern = convKernAVX512
		convForwardF32 = convForwardDirect
		convBackwardDataF32 = convBackwardDataDirect
	case tierAVX2:
		sgemmKernel = kernelAVX2
	}
}
