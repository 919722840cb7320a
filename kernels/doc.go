// Package kernels holds ivadogo's hot loops: GEMM, convolution, pooling,
// interpolation, normalisation, elementwise maths and reductions, written
// on raw slices with explicit shapes and no tensor type.
//
// Every kernel has a pure-Go version, generic over float32 and float64 so
// that gradient checks can run in double precision. On amd64, float32
// calls go to assembly where it exists; the tier (AVX-512, AVX2+FMA or
// pure Go) is chosen once at start-up. The build tag purego forces the
// pure-Go kernels everywhere.
//
// Kernels write their outputs; they never accumulate into them unless the
// doc comment says so (GEMM's beta does). Work is spread over a small pool
// of worker goroutines owned by this package; see Parallel.
package kernels

// Float is the set of element types the kernels are written for.
type Float interface {
	~float32 | ~float64
}
