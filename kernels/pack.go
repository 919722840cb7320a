package kernels

// getPack returns a float32 buffer of length n (contents undefined) for
// packed panels and padded images; give it back with putPack. The buffers
// come from the scratch free lists, which survive garbage collections, so
// the multi-megabyte padded images are not page-faulted in again after
// every GC cycle.
func getPack(n int) *[]float32 { return getScratch[float32](n) }

func putPack(b *[]float32) { putScratch(b) }

// bSource is the right-hand operand op(B) (k×n) of a packed GEMM. packB
// writes rows p0..p0+kc of columns j0..j0+w (w <= nr) into dst as kc rows
// of nr values, zero-filling columns w..nr. Dense matrices implement it, and
// so do the convolutions, which pack image patches straight from the input
// without forming the im2col matrix.
type bSource interface {
	packB(dst []float32, nr, p0, kc, j0, w int)
}

// denseB is a stored matrix used as op(B).
type denseB struct {
	b     []float32
	ld    int
	trans bool // stored n×k
}

func (s *denseB) packB(dst []float32, nr, p0, kc, j0, w int) {
	dst = dst[:kc*nr]
	if !s.trans {
		for p := 0; p < kc; p++ {
			d := dst[p*nr : p*nr+nr]
			row := s.b[(p0+p)*s.ld+j0:]
			copy(d[:w], row[:w])
			clear(d[w:])
		}
		return
	}
	if w < nr {
		clear(dst)
	}
	for jj := 0; jj < w; jj++ {
		col := s.b[(j0+jj)*s.ld+p0:]
		col = col[:kc]
		for p, v := range col {
			dst[p*nr+jj] = v
		}
	}
}

// packA writes rows i0..i0+h (h <= mr) and columns p0..p0+kc of alpha·op(A)
// into dst as kc groups of mr values, zero-filling rows h..mr.
func packA(dst []float32, mr int, a []float32, lda int, trans bool, alpha float32, i0, h, p0, kc int) {
	dst = dst[:kc*mr]
	if trans {
		for p := 0; p < kc; p++ {
			d := dst[p*mr : p*mr+mr]
			src := a[(p0+p)*lda+i0:]
			src = src[:h]
			for i, v := range src {
				d[i] = alpha * v
			}
			clear(d[h:])
		}
		return
	}
	if h < mr {
		clear(dst)
	}
	for i := 0; i < h; i++ {
		row := a[(i0+i)*lda+p0:]
		row = row[:kc]
		for p, v := range row {
			dst[p*mr+i] = alpha * v
		}
	}
}
