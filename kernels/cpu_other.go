//go:build purego || !amd64

package kernels

// Without assembly only the generic tier exists.

func availableTiers() []tier { return []tier{tierGeneric} }

func installTier(t tier) {}

// cacheSizes reports cacheSizes' defaults where there is no cpuid: 32 KB
// and 1 MB.
func cacheSizes() (l1d, l2 int) { return 32 << 10, 1 << 20 }
