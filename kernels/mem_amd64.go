//go:build !purego

package kernels

// AVX-512 streaming kernels (mem_amd64.s). Lengths are taken from the
// first input; the caller guarantees the other slices are as long.

//go:noescape
func reluAVX512(dst, x []float32)

//go:noescape
func reluBackwardAVX512(dx, y, dy []float32)

//go:noescape
func sumSqAVX512(x []float32) (sum, sumsq float64)

//go:noescape
func sumDotAVX512(a, b []float32) (sa, sab float64)

//go:noescape
func axpbAVX512(y, x []float32, a, b float32)

//go:noescape
func axpbycAVX512(dst, u, v []float32, a, b, c float32)

// maxPool2RowsAVX512 pools n outputs of one output row from the input
// rows starting at offs (2 rows in 2D, 4 in 3D); the caller guarantees
// every x[offs[r] : offs[r]+2n] is inside x.
//
//go:noescape
func maxPool2RowsAVX512(y []float32, idx []int32, x []float32, offs []int64, n int)

// dst = a + b, a − b, a·b over len(a).

//go:noescape
func addAVX512(dst, a, b []float32)

//go:noescape
func subAVX512(dst, a, b []float32)

//go:noescape
func mulAVX512(dst, a, b []float32)
