//go:build !purego

package kernels

// packAAVX512 packs an h-row (h <= mr <= 16) panel of a non-transposed
// A, zero-filling it to mr rows; the caller guarantees h rows of kc values
// at stride lda exist in a, and that 15·lda fits in an int32 gather index.
//
//go:noescape
func packAAVX512(dst, a []float32, lda, kc, h, mr int, alpha float32)

func packA12AVX512(dst, a []float32, lda, kc, h int, alpha float32) {
	packAAVX512(dst, a, lda, kc, h, 12, alpha)
}

func packA8AVX512(dst, a []float32, lda, kc, h int, alpha float32) {
	packAAVX512(dst, a, lda, kc, h, 8, alpha)
}

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

// convRowAVX512 sets c[j] = Σ_{p<k} a[p]·b[off[p]+j] for j < len(c). The
// caller guarantees every b[off[p] : off[p]+len(c)] is inside b.
//
//go:noescape
func convRowAVX512(k int, a, b []float32, off []int32, c []float32)

// packBRows32AVX512 packs np full 32-column panels of a non-transposed B;
// the caller guarantees kc rows of 32·np values at stride ldb exist in b
// and np panels of kc·32 values in dst.
//
//go:noescape
func packBRows32AVX512(dst, b []float32, ldb, kc, np int)

// gatherRows48AVX512 is gatherRows32AVX512 for 48-wide panels.
//
//go:noescape
func gatherRows48AVX512(dst, b []float32, off []int32, k int)

// gatherSegsAVX512 is gatherSegsGo in whole 16-element vectors: each run
// may read and write up to 15 elements past its end (see convseg_amd64.s),
// so the caller leaves that much room after b's runs and after dst's k
// rows.
//
//go:noescape
func gatherSegsAVX512(dst, b []float32, off []int32, k, nr int, segs []int32)

// convDW4x4AVX512 is convDW4x4Go: the caller guarantees 4 rows of n
// values at stride ldd in dy, x[off[j] : off[j]+n] inside x for every j,
// and 4 rows of 4 values at stride ldc in c.
//
//go:noescape
func convDW4x4AVX512(n int, dy []float32, ldd int, x []float32, off *[4]int32, c []float32, ldc int)

// convBcast16AVX512 is convBcast16Go: the caller guarantees x[off[p] :
// off[p]+16] inside x for p < k, 16·k values in w, and rows (1 to 16)
// rows of 16 values at stride ldy in y.
//
//go:noescape
func convBcast16AVX512(k int, x []float32, off []int32, w []float32, y []float32, ldy, rows int)

// packBPanelAVX512 packs one full panel of 16·nv (nv 2 or 3) columns of
// a non-transposed B; the caller guarantees kc rows of 16·nv values at
// stride ldb in b and kc·16·nv values in dst.
//
//go:noescape
func packBPanelAVX512(dst, b []float32, ldb, kc, nv int)

// packBPanel16AVX2 is packBPanelAVX512 for 16 columns, in AVX2.
//
//go:noescape
func packBPanel16AVX2(dst, b []float32, ldb, kc int)

func packBPanel32AVX512(dst, b []float32, ldb, kc int) { packBPanelAVX512(dst, b, ldb, kc, 2) }

func packBPanel48AVX512(dst, b []float32, ldb, kc int) { packBPanelAVX512(dst, b, ldb, kc, 3) }

// packATAVX512 packs an h-row (h <= mr <= 16) panel of a transposed A
// (stored k×m), zero-filling it to mr rows; the caller guarantees kc rows
// of h values at stride lda in a and kc·mr values in dst.
//
//go:noescape
func packATAVX512(dst, a []float32, lda, kc, h, mr int, alpha float32)

func packAT12AVX512(dst, a []float32, lda, kc, h int, alpha float32) {
	packATAVX512(dst, a, lda, kc, h, 12, alpha)
}

func packAT8AVX512(dst, a []float32, lda, kc, h int, alpha float32) {
	packATAVX512(dst, a, lda, kc, h, 8, alpha)
}
