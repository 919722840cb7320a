//go:build !purego

package kernels

// (Bi/tri)linear interpolation, forward and backward, as separable
// passes: along the width a gather of two inputs per output, then along
// the height and the depth whole rows blended with the streaming axpbyc
// kernel. The generic kernel gathers four (2D) or eight (3D) inputs per
// output; this does one gather per row of the narrower intermediate and
// the rest at memory speed, with the same weights in the same nesting
// wd·(wh·(ww·x)) (the row blends round once, as an FMA).

// interpForwardHook: nearest ×2 and linear interpolation; other nearest
// sizes go to the generic kernel.
func interpForwardHook(p InterpParams, x, y []float32) bool {
	if interpNearest2ForwardHook(p, x, y) {
		return true
	}
	if p.Mode != Linear {
		return false
	}
	g := p.geom("InterpForward")
	ax := linearAxes(p, g)
	D, H, W := g.in[0], g.in[1], g.in[2]
	OD, OH, OW := g.out[0], g.out[1], g.out[2]
	flat := D == 1 && OD == 1
	Parallel(g.planes, 1, func(lo, hi int) {
		tw := getScratch[float32](D * H * OW)
		th := getScratch[float32](D * OH * OW)
		defer putScratch(tw)
		defer putScratch(th)
		for pl := lo; pl < hi; pl++ {
			xp, yp := x[pl*g.inVol:(pl+1)*g.inVol], y[pl*g.outVol:(pl+1)*g.outVol]
			interpRowsW(*tw, xp, D*H, W, OW, &ax[2])
			hb := *th
			if flat {
				hb = yp
			}
			for d := 0; d < D; d++ {
				blendRows(hb[d*OH*OW:(d+1)*OH*OW], (*tw)[d*H*OW:(d+1)*H*OW], OW, &ax[1])
			}
			if !flat {
				blendRows(yp, hb, OH*OW, &ax[0])
			}
		}
	})
	return true
}

// linearAxes are the source indices and weights along depth, height and
// width that the forward pass and its adjoint share.
func linearAxes(p InterpParams, g interpGeom) (ax [3]interpAxis[float32]) {
	for i := range ax {
		ax[i] = newInterpAxis[float32](g.in[i], g.out[i], p.Mode, p.AlignCorners)
	}
	return ax
}

// interpRowsW sets t[r][o] = w0[o]·x[r][i0[o]] + w1[o]·x[r][i1[o]] for
// the rows r < rows of x (width w) and t (width ow).
func interpRowsW(t, x []float32, rows, w, ow int, a *interpAxis[float32]) {
	i0, i1, w0, w1 := a.i0[:ow], a.i1[:ow], a.w0[:ow], a.w1[:ow]
	for r := 0; r < rows; r++ {
		xr, tr := x[r*w:(r+1)*w], t[r*ow:(r+1)*ow]
		for o := range tr {
			tr[o] = w0[o]*xr[i0[o]] + w1[o]*xr[i1[o]]
		}
	}
}

// blendRows sets each row o (len n) of dst to w0[o]·src[i0[o]] +
// w1[o]·src[i1[o]], rows of src taken along axis a.
func blendRows(dst, src []float32, n int, a *interpAxis[float32]) {
	for o := range a.i0 {
		d := dst[o*n : (o+1)*n]
		s0, s1 := src[a.i0[o]*n:(a.i0[o]+1)*n], src[a.i1[o]*n:(a.i1[o]+1)*n]
		mk.axpbyc(d, s0, s1, a.w0[o], a.w1[o], 0)
	}
}

// interpBackwardHook: the adjoint passes in the reverse order, each row
// or element of dy added, times its weights, to the rows or elements it
// was blended from.
func interpBackwardHook(p InterpParams, dy, dx []float32) bool {
	if interpNearest2BackwardHook(p, dy, dx) {
		return true
	}
	if p.Mode != Linear {
		return false
	}
	g := p.geom("InterpBackward")
	ax := linearAxes(p, g)
	D, H, W := g.in[0], g.in[1], g.in[2]
	OD, OH, OW := g.out[0], g.out[1], g.out[2]
	flat := D == 1 && OD == 1
	Parallel(g.planes, 1, func(lo, hi int) {
		tw := getScratch[float32](D * H * OW)
		th := getScratch[float32](D * OH * OW)
		defer putScratch(tw)
		defer putScratch(th)
		for pl := lo; pl < hi; pl++ {
			dyp, dxp := dy[pl*g.outVol:(pl+1)*g.outVol], dx[pl*g.inVol:(pl+1)*g.inVol]
			hb := dyp
			if !flat {
				hb = (*th)[:D*OH*OW]
				clear(hb)
				scatterRows(hb, dyp, OH*OW, &ax[0])
			}
			clear(*tw)
			for d := 0; d < D; d++ {
				scatterRows((*tw)[d*H*OW:(d+1)*H*OW], hb[d*OH*OW:(d+1)*OH*OW], OW, &ax[1])
			}
			clear(dxp)
			i0, i1, w0, w1 := ax[2].i0[:OW], ax[2].i1[:OW], ax[2].w0[:OW], ax[2].w1[:OW]
			for r := 0; r < D*H; r++ {
				xr, tr := dxp[r*W:(r+1)*W], (*tw)[r*OW:(r+1)*OW]
				for o, v := range tr {
					xr[i0[o]] += w0[o] * v
					xr[i1[o]] += w1[o] * v
				}
			}
		}
	})
	return true
}

// scatterRows adds w0[o]·src[o] to dst row i0[o] and w1[o]·src[o] to row
// i1[o], for the rows o (len n) of src along axis a, in order.
func scatterRows(dst, src []float32, n int, a *interpAxis[float32]) {
	for o := range a.i0 {
		s := src[o*n : (o+1)*n]
		d0, d1 := dst[a.i0[o]*n:(a.i0[o]+1)*n], dst[a.i1[o]*n:(a.i1[o]+1)*n]
		mk.axpbyc(d0, s, d0, a.w0[o], 1, 0)
		mk.axpbyc(d1, s, d1, a.w1[o], 1, 0)
	}
}
