//go:build !purego

package kernels

// Go versions of the panel gathers, so that the AVX2 tier runs the same
// implicit-GEMM convolution with its 6×16 kernel.

// gatherRows16Go sets dst[p*16+j] = b[off[p]+j] for p < k, j < 16.
func gatherRows16Go(dst, b []float32, off []int32, k int) {
	dst = dst[:k*16]
	for p, o := range off[:k] {
		copy(dst[p*16:p*16+16], b[o:int(o)+16])
	}
}

// gatherColsGo sets dst[q*dstStride+j] = src[idx[j]+q] for q < n,
// j < lanes.
func gatherColsGo(dst, src []float32, idx *[16]int32, lanes, n, dstStride int) {
	for j := 0; j < lanes; j++ {
		s := src[idx[j] : int(idx[j])+n]
		for q, v := range s {
			dst[q*dstStride+j] = v
		}
	}
}

var convKernAVX2 = &convKernel{mk: kernelAVX2, gather: gatherRows16Go, gatherCols: gatherColsGo}

// gatherSegsGo sets dst[p*nr+col+j] = b[off[p]+src+j] for p < k, j < n
// and every segment (src, col, n) of segs, a list of int32 triples: it
// packs a B panel whose columns are runs of valid output positions, each
// run contiguous in the padded image.
func gatherSegsGo(dst, b []float32, off []int32, k, nr int, segs []int32) {
	for p, o := range off[:k] {
		row := dst[p*nr : (p+1)*nr]
		for s := 0; s+2 < len(segs); s += 3 {
			src, col, n := int(o)+int(segs[s]), int(segs[s+1]), int(segs[s+2])
			copy(row[col:col+n], b[src:src+n])
		}
	}
}

// convDW4x4Go adds to c[i*ldc+j], for i, j < 4, the dot product of row i
// of dy (stride ldd) with x[off[j] : off[j]+n]: a 4×4 tile of the weight
// gradient of a convolution, tap j's im2col row being x from off[j] on.
func convDW4x4Go(n int, dy []float32, ldd int, x []float32, off *[4]int32, c []float32, ldc int) {
	for i := 0; i < 4; i++ {
		d := dy[i*ldd : i*ldd+n]
		for j := 0; j < 4; j++ {
			xs := x[off[j] : int(off[j])+n]
			var s float32
			for q, v := range d {
				s += v * xs[q]
			}
			c[i*ldc+j] += s
		}
	}
}

// convBcast16Go sets y[j*ldy+i] = Σ_{p<k} x[off[p]+i]·w[p*16+j] for
// i < 16 and j < rows: 16 consecutive output positions of up to 16
// channels, tap p's im2col row being x from off[p] on and w the weights
// packed tap-major, 16 channels per tap.
func convBcast16Go(k int, x []float32, off []int32, w []float32, y []float32, ldy, rows int) {
	var acc [16][16]float32
	for p, o := range off[:k] {
		wp := w[p*16 : p*16+16]
		for i, xv := range x[o : o+16] {
			for j, wv := range wp {
				acc[j][i] += xv * wv
			}
		}
	}
	for j := 0; j < rows; j++ {
		copy(y[j*ldy:j*ldy+16], acc[j][:])
	}
}
