//go:build !purego

package kernels

import "github.com/klauspost/cpuid/v2"

// The FMA instructions of the AVX2 tier are only reachable when the CPU
// reports FMA3 next to AVX2; the AVX-512 tier needs AVX-512F, whose
// 512-bit FMAs are part of the foundation set (FMA3 is required too, as
// every AVX-512 CPU has it). cpuid checks that the OS saves the wide
// registers (XGETBV) before reporting AVX/AVX-512.
var (
	hasAVX2FMA = cpuid.CPU.Supports(cpuid.AVX, cpuid.AVX2, cpuid.FMA3)
	hasAVX512  = hasAVX2FMA && cpuid.CPU.Supports(cpuid.AVX512F)
)

func init() {
	t := tierGeneric
	switch {
	case hasAVX512:
		t = tierAVX512
	case hasAVX2FMA:
		t = tierAVX2
	}
	installTier(t)
	curTier = t
}

// availableTiers lists the tiers this CPU can run, generic first.
func availableTiers() []tier {
	ts := []tier{tierGeneric}
	if hasAVX2FMA {
		ts = append(ts, tierAVX2)
	}
	if hasAVX512 {
		ts = append(ts, tierAVX512)
	}
	return ts
}

// cacheSizes reports the per-core L1 data and L2 cache sizes in bytes:
// cpuid's, or 32 KB and 1 MB where it cannot tell.
func cacheSizes() (l1d, l2 int) {
	l1d, l2 = cpuid.CPU.Cache.L1D, cpuid.CPU.Cache.L2
	if l1d <= 0 {
		l1d = 32 << 10
	}
	if l2 <= 0 {
		l2 = 1 << 20
	}
	return l1d, l2
}
