//go:build !purego

package kernels

// packA12AVX512 packs a full 12-row panel of a non-transposed A; the
// caller guarantees 12 rows of kc values at stride lda exist in a, and
// that 11·lda fits in an int32 gather index.
//
//go:noescape
func packA12AVX512(dst, a []float32, lda, kc int, alpha float32)
