//go:build !purego

package kernels

import "fmt"

// Average pooling with kernel 2 and stride 2 and nearest upsampling ×2,
// forward and backward, on the row kernels of pool2_amd64.s: each output
// row of a pooling (or each input row of an upsampling) pairs with the 2
// (2D) or 4 (3D) rows of the other side, so both directions are one
// streaming pass.

// pairSumRows sets y[o] = scale·Σ_r (x[offs[r]+2o] + x[offs[r]+2o+1]) for
// o < len(y): the whole vectors in assembly, the rest here, with the same
// operations in the same order.
func pairSumRows(y, x []float32, offs []int64, scale float32) {
	n := len(y)
	for _, off := range offs {
		if off < 0 || off+2*int64(n) > int64(len(x)) {
			panic(fmt.Sprintf("kernels: pairSumRows: row at %d of %d outputs outside x of %d", off, n, len(x)))
		}
	}
	nv := n &^ (mk.vec - 1)
	if nv > 0 {
		mk.pairSumRows(y, x, offs, nv, scale)
	}
	if mk.vec > 8 && n-nv >= 8 {
		// Eight more outputs with the AVX2 kernel (every AVX-512 tier CPU
		// has AVX2): 24- and 40-wide rows are common.
		var sh [4]int64
		for r, off := range offs {
			sh[r] = off + 2*int64(nv)
		}
		pairSumRowsAVX2(y[nv:], x, sh[:len(offs)], 8, scale)
		nv += 8
	}
	for o := nv; o < n; o++ {
		var s float32
		for r, off := range offs {
			i := int(off) + 2*o
			if p := x[i] + x[i+1]; r == 0 {
				s = p
			} else {
				s += p
			}
		}
		y[o] = s * scale
	}
}

// dupRows sets y[offs[r]+2o] = y[offs[r]+2o+1] = scale·x[o] for every r
// and o < len(x).
func dupRows(y []float32, offs []int64, x []float32, scale float32) {
	n := len(x)
	for _, off := range offs {
		if off < 0 || off+2*int64(n) > int64(len(y)) {
			panic(fmt.Sprintf("kernels: dupRows: row at %d of %d inputs outside y of %d", off, n, len(y)))
		}
	}
	nv := n &^ (mk.vec - 1)
	if nv > 0 {
		mk.dupRows(y, offs, x, nv, scale)
	}
	if mk.vec > 8 && n-nv >= 8 {
		var sh [4]int64
		for r, off := range offs {
			sh[r] = off + 2*int64(nv)
		}
		dupRowsAVX2(y, sh[:len(offs)], x[nv:], 8, scale)
		nv += 8
	}
	for o := nv; o < n; o++ {
		v := scale * x[o]
		for _, off := range offs {
			i := int(off) + 2*o
			y[i], y[i+1] = v, v
		}
	}
}

// pairRows calls f with the offsets of the 2 (2D) or 4 (3D) rows of the
// fine grid (spatial sizes in, zero-padded to 3D) that pair with each row
// of the coarse grid (sizes out), and the index of that coarse row.
func pairRows(in, out [3]int, f func(j int, rows []int64)) {
	H, W := in[1], in[2]
	var offs [4]int64
	rows := offs[:2]
	if out[0] > 1 || in[0] > 1 {
		rows = offs[:4]
	}
	j := 0
	for od := 0; od < out[0]; od++ {
		for oh := 0; oh < out[1]; oh++ {
			b0 := int64((2*od*H + 2*oh) * W)
			offs[0], offs[1] = b0, b0+int64(W)
			offs[2], offs[3] = b0+int64(H*W), b0+int64(H*W+W)
			f(j, rows)
			j++
		}
	}
}

// avgPool2ForwardHook: y = the mean of each 2×2(×2) window, the window's
// pair sums added row by row as avgPoolGeneric adds them.
func avgPool2ForwardHook(p PoolParams, x, y []float32) bool {
	in, out, ok := pool2(p)
	if !ok {
		return false
	}
	scale := float32(0.25)
	if len(p.In) == 3 {
		scale = 0.125
	} else {
		in[0], out[0] = 1, 1
	}
	inVol, outVol, OW := in[0]*in[1]*in[2], out[0]*out[1]*out[2], out[2]
	Parallel(p.N*p.C, 1, func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			xp, yp := x[pl*inVol:(pl+1)*inVol], y[pl*outVol:(pl+1)*outVol]
			pairRows(in, out, func(j int, rows []int64) { pairSumRows(yp[j*OW:(j+1)*OW], xp, rows, scale) })
		}
	})
	return true
}

// avgPool2BackwardHook: each dy/4 (or /8) written to its window; the
// input positions no window covers (odd sizes) are zero.
func avgPool2BackwardHook(p PoolParams, dy, dx []float32) bool {
	in, out, ok := pool2(p)
	if !ok {
		return false
	}
	scale := float32(0.25)
	if len(p.In) == 3 {
		scale = 0.125
	} else {
		in[0], out[0] = 1, 1
	}
	inVol, outVol, OW := in[0]*in[1]*in[2], out[0]*out[1]*out[2], out[2]
	covered := in[0] == 2*out[0] || len(p.In) == 2
	covered = covered && in[1] == 2*out[1] && in[2] == 2*out[2]
	Parallel(p.N*p.C, 1, func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			dxp, dyp := dx[pl*inVol:(pl+1)*inVol], dy[pl*outVol:(pl+1)*outVol]
			if !covered {
				clear(dxp)
			}
			pairRows(in, out, func(j int, rows []int64) { dupRows(dxp, rows, dyp[j*OW:(j+1)*OW], scale) })
		}
	})
	return true
}

// nearest2 reports whether p is a nearest upsampling by exactly 2 along
// every axis (1 to 3 of them), and its sizes zero-padded to 3D.
func nearest2(p InterpParams) (in, out [3]int, ok bool) {
	nd := len(p.In)
	if p.Mode != Nearest || nd < 1 || nd > 3 || len(p.Out) != nd {
		return in, out, false
	}
	in, out = [3]int{1, 1, 1}, [3]int{1, 1, 1}
	for i := 0; i < nd; i++ {
		if p.Out[i] != 2*p.In[i] {
			return in, out, false
		}
		in[3-nd+i], out[3-nd+i] = p.In[i], p.Out[i]
	}
	return in, out, true
}

// interpNearest2ForwardHook: every input row copied, each value twice,
// to its 2 (2D) or 4 (3D) output rows; 1D is one row per plane.
func interpNearest2ForwardHook(p InterpParams, x, y []float32) bool {
	in, out, ok := nearest2(p)
	if !ok {
		return false
	}
	inVol, outVol, W := in[0]*in[1]*in[2], out[0]*out[1]*out[2], in[2]
	oneRow := []int64{0}
	Parallel(p.N*p.C, 1, func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			xp, yp := x[pl*inVol:(pl+1)*inVol], y[pl*outVol:(pl+1)*outVol]
			if len(p.In) == 1 {
				dupRows(yp, oneRow, xp, 1)
				continue
			}
			pairRows(out, in, func(j int, rows []int64) { dupRows(yp, rows, xp[j*W:(j+1)*W], 1) })
		}
	})
	return true
}

// interpNearest2BackwardHook: every dx the sum of the 4 (2D) or 8 (3D)
// dy it was copied to, pair sums added row by row.
func interpNearest2BackwardHook(p InterpParams, dy, dx []float32) bool {
	in, out, ok := nearest2(p)
	if !ok {
		return false
	}
	inVol, outVol, W := in[0]*in[1]*in[2], out[0]*out[1]*out[2], in[2]
	oneRow := []int64{0}
	Parallel(p.N*p.C, 1, func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			dxp, dyp := dx[pl*inVol:(pl+1)*inVol], dy[pl*outVol:(pl+1)*outVol]
			if len(p.In) == 1 {
				pairSumRows(dxp, dyp, oneRow, 1)
				continue
			}
			pairRows(out, in, func(j int, rows []int64) { pairSumRows(dxp[j*W:(j+1)*W], dyp, rows, 1) })
		}
	})
	return true
}

// maxPool2RowsAVX2Tail runs maxPool2RowsAVX2 on the whole vectors of n
// and the rest here, with the same scan order and NaN rule.
func maxPool2RowsAVX2Tail(y []float32, idx []int32, x []float32, offs []int64, n int) {
	for _, off := range offs {
		if off < 0 || off+2*int64(n) > int64(len(x)) || n > len(y) || n > len(idx) {
			panic(fmt.Sprintf("kernels: maxPool2Rows: row at %d of %d outputs outside x of %d", off, n, len(x)))
		}
	}
	nv := n &^ 7
	if nv > 0 {
		maxPool2RowsAVX2(y, idx, x, offs, nv)
	}
	for o := nv; o < n; o++ {
		bi := int(offs[0]) + 2*o
		bv := x[bi]
		for r, off := range offs {
			for p := 0; p < 2; p++ {
				i := int(off) + 2*o + p
				if r == 0 && p == 0 {
					continue
				}
				if v := x[i]; v > bv || v != v {
					bv, bi = v, i
				}
			}
		}
		y[o], idx[o] = bv, int32(bi)
	}
}
