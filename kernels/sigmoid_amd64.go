//go:build !purego

package kernels

// sigmoidAVX512 is sigmoid32 for any length (see sigmoid_amd64.s).
//
//go:noescape
func sigmoidAVX512(dst, x []float32)
