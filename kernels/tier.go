package kernels

import "sync"

// tier is a level of SIMD support that the float32 kernels are built for.
// The best tier the CPU supports is chosen once at start-up; tests switch
// tiers with setTier so that every tier the machine can run is checked
// against the generic code.
type tier int

const (
	tierGeneric tier = iota // pure Go
	tierAVX2                // AVX2 and FMA3, 256-bit vectors
	tierAVX512              // AVX-512F, 512-bit vectors
)

func (t tier) String() string {
	switch t {
	case tierGeneric:
		return "generic"
	case tierAVX2:
		return "avx2"
	case tierAVX512:
		return "avx512"
	}
	return "tier?"
}

var (
	tierMu  sync.Mutex
	curTier = tierGeneric
)

// setTier installs the kernels of tier t (which must be one of
// availableTiers) and returns a function that restores the previous tier.
// It is not safe to call while kernels run in other goroutines; tests use it
// sequentially.
func setTier(t tier) (restore func()) {
	tierMu.Lock()
	defer tierMu.Unlock()
	old := curTier
	installTier(t)
	curTier = t
	return func() {
		tierMu.Lock()
		defer tierMu.Unlock()
		installTier(old)
		curTier = old
	}
}

// Tier names the SIMD instruction set the float32 kernels use on this
// machine: "avx512", "avx2" or "generic" (pure Go, also forced by the
// purego build tag).
func Tier() string {
	tierMu.Lock()
	defer tierMu.Unlock()
	return curTier.String()
}
