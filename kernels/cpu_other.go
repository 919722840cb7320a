//go:build purego || !amd64

package kernels

// Without assembly only the generic tier exists.

func availableTiers() []tier { return []tier{tierGeneric} }

func installTier(t tier) {}

func cacheSizes() (l1d, l2 int) { return 0, 0 }
