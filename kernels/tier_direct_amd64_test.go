//go:build !purego

package kernels

import "testing"

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
