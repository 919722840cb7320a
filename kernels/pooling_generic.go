package kernels

// axisWindows returns the clipped windows [lo[o], hi[o]) of every output
// position along axis a, and the divisors of average pooling.
func (g *poolGeom) axisWindows(a int) (lo, hi, div []int) {
	n := g.out[a]
	buf := make([]int, 3*n)
	lo, hi, div = buf[:n], buf[n:2*n], buf[2*n:]
	for o := 0; o < n; o++ {
		lo[o], hi[o], div[o] = g.window(a, o)
	}
	return
}

// maxPoolForwardGeneric works one output row at a time: the window rows
// (d, h) of that output row are visited in order and folded into running
// maxima per output position, which is the row-major scan PyTorch makes
// within each window (strict >, so the first maximum wins; a NaN always
// wins, so the last NaN does).
func maxPoolForwardGeneric[T Float](g *poolGeom, x, y []T, idx []int32) {
	dlo, dhi, _ := g.axisWindows(0)
	hlo, hhi, _ := g.axisWindows(1)
	wlo, whi, _ := g.axisWindows(2)
	H, W, OW := g.in[1], g.in[2], g.out[2]
	Parallel(g.planes, 1, func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			xp := x[pl*g.inVol : (pl+1)*g.inVol]
			j := pl * g.outVol
			for od := 0; od < g.out[0]; od++ {
				for oh := 0; oh < g.out[1]; oh++ {
					yr, ir := y[j:j+OW], idx[j:j+OW]
					first := true
					for id := dlo[od]; id < dhi[od]; id++ {
						for ih := hlo[oh]; ih < hhi[oh]; ih++ {
							base := (id*H + ih) * W
							row := xp[base : base+W]
							for ow := range yr {
								w0, w1 := wlo[ow], whi[ow]
								bv, bi := yr[ow], ir[ow]
								if first {
									bv, bi = row[w0], int32(base+w0)
									w0++
								}
								for iw := w0; iw < w1; iw++ {
									if v := row[iw]; v > bv || v != v {
										bv, bi = v, int32(base+iw)
									}
								}
								yr[ow], ir[ow] = bv, bi
							}
							first = false
						}
					}
					j += OW
				}
			}
		}
	})
}

// avgPoolGeneric runs average pooling forward (a is x, b is y) or, when
// backward is set, its adjoint (a is dx, b is dy), one output row at a
// time like maxPoolForwardGeneric.
func avgPoolGeneric[T Float](g *poolGeom, a, b []T, backward bool) {
	dlo, dhi, ddiv := g.axisWindows(0)
	hlo, hhi, hdiv := g.axisWindows(1)
	wlo, whi, wdiv := g.axisWindows(2)
	H, W, OW := g.in[1], g.in[2], g.out[2]
	Parallel(g.planes, 1, func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			ap := a[pl*g.inVol : (pl+1)*g.inVol]
			if backward {
				clear(ap)
			}
			j := pl * g.outVol
			for od := 0; od < g.out[0]; od++ {
				for oh := 0; oh < g.out[1]; oh++ {
					br := b[j : j+OW]
					dh := T(ddiv[od] * hdiv[oh])
					if !backward {
						clear(br)
					}
					for id := dlo[od]; id < dhi[od]; id++ {
						for ih := hlo[oh]; ih < hhi[oh]; ih++ {
							row := ap[(id*H+ih)*W : (id*H+ih+1)*W]
							for ow := range br {
								if backward {
									v := br[ow] / (dh * T(wdiv[ow]))
									for iw := wlo[ow]; iw < whi[ow]; iw++ {
										row[iw] += v
									}
								} else {
									var s T
									for _, v := range row[wlo[ow]:whi[ow]] {
										s += v
									}
									br[ow] += s
								}
							}
						}
					}
					if !backward {
						for ow := range br {
							br[ow] /= dh * T(wdiv[ow])
						}
					}
					j += OW
				}
			}
		}
	})
}
