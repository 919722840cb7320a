package kernels

func maxPoolForwardGeneric[T Float](g *poolGeom, x, y []T, idx []int32) {
	Parallel(g.planes, 1, func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			xp := x[pl*g.inVol : (pl+1)*g.inVol]
			j := pl * g.outVol
			for od := 0; od < g.out[0]; od++ {
				d0, d1, _ := g.window(0, od)
				for oh := 0; oh < g.out[1]; oh++ {
					h0, h1, _ := g.window(1, oh)
					for ow := 0; ow < g.out[2]; ow++ {
						w0, w1, _ := g.window(2, ow)
						best := (d0*g.in[1]+h0)*g.in[2] + w0
						bv := xp[best]
						for id := d0; id < d1; id++ {
							for ih := h0; ih < h1; ih++ {
								base := (id*g.in[1] + ih) * g.in[2]
								for iw := w0; iw < w1; iw++ {
									v := xp[base+iw]
									// PyTorch's test: a NaN always wins, so the last NaN is chosen.
									if v > bv || v != v {
										bv, best = v, base+iw
									}
								}
							}
						}
						y[j], idx[j] = bv, int32(best)
						j++
					}
				}
			}
		}
	})
}

// avgPoolGeneric runs average pooling forward (a is x, b is y) or, when
// backward is set, its adjoint (a is dx, b is dy).
func avgPoolGeneric[T Float](g *poolGeom, a, b []T, backward bool) {
	Parallel(g.planes, 1, func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			ap := a[pl*g.inVol : (pl+1)*g.inVol]
			if backward {
				clear(ap)
			}
			j := pl * g.outVol
			for od := 0; od < g.out[0]; od++ {
				d0, d1, pd := g.window(0, od)
				for oh := 0; oh < g.out[1]; oh++ {
					h0, h1, ph := g.window(1, oh)
					for ow := 0; ow < g.out[2]; ow++ {
						w0, w1, pw := g.window(2, ow)
						div := T(pd * ph * pw)
						if backward {
							v := b[j] / div
							for id := d0; id < d1; id++ {
								for ih := h0; ih < h1; ih++ {
									row := ap[(id*g.in[1]+ih)*g.in[2]:]
									for iw := w0; iw < w1; iw++ {
										row[iw] += v
									}
								}
							}
						} else {
							var s T
							for id := d0; id < d1; id++ {
								for ih := h0; ih < h1; ih++ {
									for _, v := range ap[(id*g.in[1]+ih)*g.in[2]+w0 : (id*g.in[1]+ih)*g.in[2]+w1] {
										s += v
									}
								}
							}
							b[j] = s / div
						}
						j++
					}
				}
			}
		}
	})
}
