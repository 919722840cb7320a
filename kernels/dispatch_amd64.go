//go:build !purego

package kernels

// installTier points the float32 fast paths at the kernels of tier t.
func installTier(t tier) {
	switch t {
	case tierAVX512:
		sgemmKernel = kernelAVX512
	case tierAVX2:
		sgemmKernel = kernelAVX2
	default:
		sgemmKernel = nil
	}
}
