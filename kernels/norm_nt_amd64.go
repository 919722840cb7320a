//go:build !purego

package kernels

// The AVX-512 norm output kernels with non-temporal stores
// (norm_nt_amd64.s). Each computes exactly what its twin without "NT"
// computes (the Go twins are axpb, axpbyc and the fused pair in
// norm_generic.go's terms); the output must start on a 64-byte line.

// sumSqAxpbNTAVX512 is sumSqAxpbAVX512 with y stored non-temporally.
//
//go:noescape
func sumSqAxpbNTAVX512(y, x []float32, a, b float32, xn []float32) (sum, sumsq float64)

// sumDotAxpbycNTAVX512 is sumDotAxpbycAVX512 with dst stored
// non-temporally.
//
//go:noescape
func sumDotAxpbycNTAVX512(dst, u, v []float32, a, b, c float32, un, vn []float32) (sa, sab float64)

// axpbNTAVX512 is axpbAVX512 with y stored non-temporally.
//
//go:noescape
func axpbNTAVX512(y, x []float32, a, b float32)

// axpbycNTAVX512 is axpbycAVX512 with dst stored non-temporally.
//
//go:noescape
func axpbycNTAVX512(dst, u, v []float32, a, b, c float32)
