//go:build !purego

package kernels

// The streaming kernels of mem_amd64.s (AVX-512), mem_avx2_amd64.s
// (AVX2+FMA), act_amd64.s and adam_amd64.s. Lengths are taken from the
// first input (param for Adam); the caller guarantees the other slices
// are as long.

//go:noescape
func reluAVX512(dst, x []float32)

//go:noescape
func reluBackwardAVX512(dx, y, dy []float32)

//go:noescape
func sumSqAVX512(x []float32) (sum, sumsq float64)

//go:noescape
func sumDotAVX512(a, b []float32) (sa, sab float64)

//go:noescape
func axpbAVX512(y, x []float32, a, b, slope float32)

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

//go:noescape
func leakyReluAVX512(dst, x []float32, slope float32)

//go:noescape
func leakyReluBackwardAVX512(dx, x, dy []float32, slope float32)

// addLeakyReluAVX512 sets dst = LeakyRelu(a + b) over len(a), with
// Add's and leakyReluAVX512's bits; dst may be a.
//
//go:noescape
func addLeakyReluAVX512(dst, a, b []float32, slope float32)

// adamCoefs32 is the coefficient block the Adam kernels read.
type adamCoefs32 = adamCoefs[float32]

//go:noescape
func adamAVX512(c *adamCoefs32, param, grad, m, v []float32)

//go:noescape
func reluAVX2(dst, x []float32)

//go:noescape
func reluBackwardAVX2(dx, y, dy []float32)

//go:noescape
func sumSqAVX2(x []float32) (sum, sumsq float64)

//go:noescape
func sumDotAVX2(a, b []float32) (sa, sab float64)

//go:noescape
func axpbAVX2(y, x []float32, a, b float32)

//go:noescape
func axpbycAVX2(dst, u, v []float32, a, b, c float32)

//go:noescape
func addAVX2(dst, a, b []float32)

//go:noescape
func subAVX2(dst, a, b []float32)

//go:noescape
func mulAVX2(dst, a, b []float32)

//go:noescape
func leakyReluAVX2(dst, x []float32, slope float32)

//go:noescape
func leakyReluBackwardAVX2(dx, x, dy []float32, slope float32)

// addLeakyReluAVX2 is addLeakyReluAVX512 for AVX2.
//
//go:noescape
func addLeakyReluAVX2(dst, a, b []float32, slope float32)

//go:noescape
func adamAVX2(c *adamCoefs32, param, grad, m, v []float32)

// reluNTAVX512 is reluAVX512 with dst stored non-temporally: for outputs
// of 4 L2s or more (normNTBytes), which leave the caches before they are
// read again and which stores through the cache would read first.
//
//go:noescape
func reluNTAVX512(dst, x []float32)

// reluBackwardNTAVX512 is reluBackwardAVX512 with dx stored
// non-temporally.
//
//go:noescape
func reluBackwardNTAVX512(dx, y, dy []float32)

// split2RowsAVX512 and merge2RowsAVX512 are split2RowsGo and
// merge2RowsGo; the caller guarantees every row lies inside its slice.
//
//go:noescape
func split2RowsAVX512(a, b, src []float32, n, rows, dstStride, srcStride int)

//go:noescape
func merge2RowsAVX512(dst, a, b []float32, n, rows, dstStride, srcStride int)

// pairSumRowsAVX512 and the other row kernels of pool2_amd64.s take n a
// multiple of the vector width; the caller guarantees every
// x[offs[r] : offs[r]+2n] (pairSum) or y[offs[r] : offs[r]+2n] (dup) is
// inside its slice.
//
//go:noescape
func pairSumRowsAVX512(y, x []float32, offs []int64, n int, scale float32)

//go:noescape
func dupRowsAVX512(y []float32, offs []int64, x []float32, n int, scale float32)

// maxPool2RowsAVX2 is maxPool2RowsAVX512 for n a multiple of 8.
//
//go:noescape
func maxPool2RowsAVX2(y []float32, idx []int32, x []float32, offs []int64, n int)

//go:noescape
func pairSumRowsAVX2(y, x []float32, offs []int64, n int, scale float32)

//go:noescape
func dupRowsAVX2(y []float32, offs []int64, x []float32, n int, scale float32)

// sumSqAxpbAVX512 sets y = x·a + b and returns the sums of xn, as
// sumSqAVX512(xn) does, in one loop; len(xn) = len(x).
//
//go:noescape
func sumSqAxpbAVX512(y, x []float32, a, b float32, xn []float32, slope float32) (sum, sumsq float64)

// sumDotAxpbycAVX512 sets dst = u·a + v·b + c and returns the sums of un
// and un·vn, as sumDotAVX512(un, vn) does, in one loop; all are len(u).
//
//go:noescape
func sumDotAxpbycAVX512(dst, u, v []float32, a, b, c float32, un, vn []float32) (sa, sab float64)

//go:noescape
func sumSqAxpbAVX2(y, x []float32, a, b float32, xn []float32) (sum, sumsq float64)

//go:noescape
func sumDotAxpbycAVX2(dst, u, v []float32, a, b, c float32, un, vn []float32) (sa, sab float64)

// memKernels are the leaf kernels of one tier that the memory-bound
// hooks of dispatch_mem_amd64.go split over the workers.
type memKernels struct {
	relu          func(dst, x []float32)
	add, sub, mul func(dst, a, b []float32)
	reluBackward  func(dx, y, dy []float32)
	sumSq         func(x []float32) (sum, sumsq float64)
	sumDot        func(a, b []float32) (sa, sab float64)
	// axpb and sumSqAxpb apply max(t, slope·t) to their outputs t:
	// slope 1 leaves them, a LeakyReLU slope fuses one in.
	axpb              func(y, x []float32, a, b, slope float32)
	axpbyc            func(dst, u, v []float32, a, b, c float32)
	leakyRelu         func(dst, x []float32, slope float32)
	leakyReluBackward func(dx, x, dy []float32, slope float32)
	addLeakyRelu      func(dst, a, b []float32, slope float32)
	adam              func(c *adamCoefs32, param, grad, m, v []float32)
	// sumSqAxpb and sumDotAxpbyc: axpb and axpbyc on one unit while the
	// next unit is summed, results identical to sumSq and sumDot.
	sumSqAxpb    func(y, x []float32, a, b float32, xn []float32, slope float32) (sum, sumsq float64)
	sumDotAxpbyc func(dst, u, v []float32, a, b, c float32, un, vn []float32) (sa, sab float64)
	// vec is the vector width of pairSumRows and dupRows, which take
	// whole vectors only.
	vec          int
	pairSumRows  func(y, x []float32, offs []int64, n int, scale float32)
	dupRows      func(y []float32, offs []int64, x []float32, n int, scale float32)
	maxPool2Rows func(y []float32, idx []int32, x []float32, offs []int64, n int)
	// reluNT and reluBackwardNT, when set, are relu and reluBackward
	// with non-temporal stores, for large outputs (reluHook).
	reluNT         func(dst, x []float32)
	reluBackwardNT func(dx, y, dy []float32)
}

var (
	memAVX512 = memKernels{
		relu:         reluAVX512,
		add:          addAVX512,
		sub:          subAVX512,
		mul:          mulAVX512,
		reluBackward: reluBackwardAVX512,
		sumSq:        sumSqAVX512, sumDot: sumDotAVX512,
		axpb: axpbAVX512, axpbyc: axpbycAVX512,
		leakyRelu: leakyReluAVX512, leakyReluBackward: leakyReluBackwardAVX512, addLeakyRelu: addLeakyReluAVX512,
		adam:      adamAVX512,
		sumSqAxpb: sumSqAxpbAVX512, sumDotAxpbyc: sumDotAxpbycAVX512,
		vec: 16, pairSumRows: pairSumRowsAVX512, dupRows: dupRowsAVX512,
		maxPool2Rows: maxPool2RowsAVX512,
		reluNT:       reluNTAVX512, reluBackwardNT: reluBackwardNTAVX512,
	}
	memAVX2 = memKernels{
		relu:         reluAVX2,
		add:          addAVX2,
		sub:          subAVX2,
		mul:          mulAVX2,
		reluBackward: reluBackwardAVX2,
		sumSq:        sumSqAVX2, sumDot: sumDotAVX2,
		axpb: axpbSlopeAVX2Go, axpbyc: axpbycAVX2,
		leakyRelu: leakyReluAVX2, leakyReluBackward: leakyReluBackwardAVX2, addLeakyRelu: addLeakyReluAVX2,
		adam:      adamAVX2,
		sumSqAxpb: sumSqAxpbSlopeAVX2Go, sumDotAxpbyc: sumDotAxpbycAVX2,
		vec: 8, pairSumRows: pairSumRowsAVX2, dupRows: dupRowsAVX2,
		maxPool2Rows: maxPool2RowsAVX2Tail,
	}
)

// The AVX2 tier's axpb and sumSqAxpb with the AVX-512 ones' slope, which
// its kernels lack: a slope other than 1 is a second pass over the
// output, which the kernel has just left in cache (after a non-temporal
// one, in memory).

func axpbSlopeAVX2Go(y, x []float32, a, b, slope float32) {
	axpbAVX2(y, x, a, b)
	slopeAVX2(y, slope)
}

func axpbNTSlopeAVX2Go(y, x []float32, a, b, slope float32) {
	axpbNTAVX2(y, x, a, b)
	slopeAVX2(y, slope)
}

func sumSqAxpbSlopeAVX2Go(y, x []float32, a, b float32, xn []float32, slope float32) (sum, sumsq float64) {
	sum, sumsq = sumSqAxpbAVX2(y, x, a, b, xn)
	slopeAVX2(y, slope)
	return
}

func sumSqAxpbNTSlopeAVX2Go(y, x []float32, a, b float32, xn []float32, slope float32) (sum, sumsq float64) {
	sum, sumsq = sumSqAxpbNTAVX2(y, x, a, b, xn)
	slopeAVX2(y, slope)
	return
}

func slopeAVX2(y []float32, slope float32) {
	if slope != 1 {
		leakyReluAVX2(y, y, slope)
	}
}

// split2RowsChecked checks the rows split2RowsGo would read and write and
// runs split2RowsAVX512.
func split2RowsChecked(a, b, src []float32, n, rows, dstStride, srcStride int) {
	if checkRows(n, rows, dstStride, srcStride, len(a), len(b), len(src)) {
		split2RowsAVX512(a, b, src, n, rows, dstStride, srcStride)
	}
}

// merge2RowsChecked checks the rows merge2RowsGo would read and write and
// runs merge2RowsAVX512.
func merge2RowsChecked(dst, a, b []float32, n, rows, dstStride, srcStride int) {
	if checkRows(n, rows, srcStride, dstStride, len(a), len(b), len(dst)) {
		merge2RowsAVX512(dst, a, b, n, rows, dstStride, srcStride)
	}
}

// checkRows panics unless rows rows of n pairs, the halves' rows
// halfStride apart in slices of lengths la and lb and the whole rows
// pairStride apart in one of length lp, lie inside them; it reports
// whether there is anything to do.
func checkRows(n, rows, halfStride, pairStride, la, lb, lp int) bool {
	if n <= 0 || rows <= 0 {
		return false
	}
	if halfStride < 0 || pairStride < 0 || (rows-1)*halfStride+n > min(la, lb) || (rows-1)*pairStride+2*n > lp {
		panic("kernels: pair rows out of range")
	}
	return true
}
