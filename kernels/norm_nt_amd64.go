//go:build !purego

package kernels

// The norm output kernels with non-temporal stores (norm_nt_amd64.s).
// Each computes exactly what its twin without "NT" computes, and so what
// that twin's Go twin computes; the output must start on a vector (64
// bytes for AVX-512, 32 for AVX2).

// sumSqAxpbNTAVX512 is sumSqAxpbAVX512 with y stored non-temporally.
//
//go:noescape
func sumSqAxpbNTAVX512(y, x []float32, a, b float32, xn []float32, slope float32) (sum, sumsq float64)

// sumDotAxpbycNTAVX512 is sumDotAxpbycAVX512 with dst stored
// non-temporally.
//
//go:noescape
func sumDotAxpbycNTAVX512(dst, u, v []float32, a, b, c float32, un, vn []float32) (sa, sab float64)

// axpbNTAVX512 is axpbAVX512 with y stored non-temporally.
//
//go:noescape
func axpbNTAVX512(y, x []float32, a, b, slope float32)

// axpbycNTAVX512 is axpbycAVX512 with dst stored non-temporally.
//
//go:noescape
func axpbycNTAVX512(dst, u, v []float32, a, b, c float32)

// sumSqAxpbNTAVX2 is sumSqAxpbAVX2 with y stored non-temporally.
//
//go:noescape
func sumSqAxpbNTAVX2(y, x []float32, a, b float32, xn []float32) (sum, sumsq float64)

// sumDotAxpbycNTAVX2 is sumDotAxpbycAVX2 with dst stored non-temporally.
//
//go:noescape
func sumDotAxpbycNTAVX2(dst, u, v []float32, a, b, c float32, un, vn []float32) (sa, sab float64)

// axpbNTAVX2 is axpbAVX2 with y stored non-temporally.
//
//go:noescape
func axpbNTAVX2(y, x []float32, a, b float32)

// axpbycNTAVX2 is axpbycAVX2 with dst stored non-temporally.
//
//go:noescape
func axpbycNTAVX2(dst, u, v []float32, a, b, c float32)
