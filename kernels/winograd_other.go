//go:build !amd64 || purego

package kernels

// winoTier returns the Winograd tile transforms of the current tier: the
// Go twins where there is no assembly.
func winoTier() winoKernels { return winoGo }
