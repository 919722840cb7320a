//go:build !purego

package kernels

import "testing"

// TestBatchNormSplitNonTemporal: the split batch norm also equals the
// fused one where BatchNormForward stores its output non-temporally.
func TestBatchNormSplitNonTemporal(t *testing.T) {
	defer func(old int) { normNTMin = old }(normNTMin)
	normNTMin = 256
	forEachTier(t, func(t *testing.T, _ tier) {
		for _, sh := range [][3]int{{2, 3, 64}, {8, 4, 4096}} {
			checkBatchNormSplit(t, sh[0], sh[1], sh[2])
		}
	})
}
