//go:build !purego

package kernels

// packA12AVX512 packs a full 12-row panel of a non-transposed A; the
// caller guarantees 12 rows of kc values at stride lda exist in a, and
// that 11·lda fits in an int32 gather index.
//
//go:noescape
func packA12AVX512(dst, a []float32, lda, kc int, alpha float32)

// gatherRows32AVX512 copies k rows of 32 floats, row p from b[off[p]:],
// into dst (k×32). The caller guarantees the rows lie inside b.
//
//go:noescape
func gatherRows32AVX512(dst, b []float32, off []int32, k int)

// gatherCols16AVX512 sets dst[q*dstStride+j] = src[idx[j]+q] for q < n and
// j < lanes (at most 16). The caller guarantees every index is inside src
// and dst.
//
//go:noescape
func gatherCols16AVX512(dst, src []float32, idx *[16]int32, lanes, n, dstStride int)
