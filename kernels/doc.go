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
// Tensors are flat slices in PyTorch's contiguous layout: N, C, then one to
// three spatial axes (NCW, NCHW, NCDHW). Shapes travel in small parameter
// structs (ConvParams, PoolParams, InterpParams, ...) or as explicit
// sizes, and each kernel's doc comment states the exact sum it computes,
// with PyTorch's conventions for padding, output sizes, align_corners and
// statistics. A slice whose length does not match its shape is a
// programming error and panics with the shapes.
//
// Kernels write their outputs; they never accumulate into them unless the
// doc comment says so (GEMM's beta and Axpy do). Work is spread over a
// small pool of worker goroutines owned by this package; see Parallel.
// Results do not depend on how many workers there are (SetWorkers) nor on
// which worker ran what: every reduction is cut into pieces fixed by the
// problem size and added in a fixed order (TestWorkerCountInvariance), so
// a seed reproduces a training run on any number of cores.
// Scratch memory (im2col columns, partial sums) is kept in free lists
// keyed by size class (eight per doubling), so a training loop that
// repeats the same shapes does not allocate it again. What the lists keep
// is capped (DefaultScratchLimit, changed with SetScratchLimit;
// ScratchBytes reports it), the oldest buffers dropped first. Float32
// buffers over 64 KiB come from SetScratchSource's source when one is
// installed (the tensor package installs its buffer pool).
package kernels

// Float is the set of element types the kernels are written for.
type Float interface {
	~float32 | ~float64
}
