//go:build !purego

package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// The stride-1 single-group cases of TestConvTiers must take the direct
// path on the AVX-512 tier, or that test would not be testing it.
func TestDirectConvApplies(t *testing.T) {
	for i, p := range convTierCases {
		_, ok := newDirectGeom(p, 32)
		want := p.Stride == nil
		if ok != want {
			t.Errorf("case %d %+v: direct path applies = %v, want %v", i, p, ok, want)
		}
	}
}

// The 8×48 kernel, which only the convolutions pick, runs the whole GEMM
// test too, and both convolution kernels run the convolution test.
func TestAltKernels(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	defer setTier(tierAVX512)()
	defer func(old int) { sgemmMinWork = old }(sgemmMinWork)
	sgemmMinWork = 0
	saved := sgemmKernel
	sgemmKernel = kernel8x48AVX512
	t.Run("gemm8x48", func(t *testing.T) { checkGemmAll(t, rand.New(rand.NewPCG(14, 14))) })
	sgemmKernel = saved
	for _, k := range []*convKernel{convKernAVX512, convKernAVX512.alt} {
		old := convKern
		only := *k
		only.alt = nil
		convKern = &only
		t.Run(fmt.Sprintf("conv%dx%d", k.mk.mr, k.mk.nr), func(t *testing.T) { checkConvAll(t, rand.New(rand.NewPCG(15, 15))) })
		convKern = old
	}
}

func TestPickConvKernel(t *testing.T) {
	for _, c := range []struct{ m, mr int }{{16, 8}, {32, 8}, {64, 8}, {12, 12}, {24, 12}, {36, 12}, {5, 8}, {1, 8}, {13, 8}} {
		if got := convKernAVX512.pick(c.m).mk.mr; got != c.mr {
			t.Errorf("pick(%d) chose %d-row tiles, want %d", c.m, got, c.mr)
		}
	}
}
