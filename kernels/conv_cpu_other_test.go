//go:build !linux

package kernels

// processCPU is not measured outside Linux.
func processCPU() float64 { return 0 }
