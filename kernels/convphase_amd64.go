//go:build !purego

package kernels

// The backward-data pass of a strided convolution, split by the phases of
// the input gradient: with stride s, the input positions i ≡ r (mod s)
// receive only the taps k ≡ r + pad (mod s), each from the output
// gradient at (i + pad − k)/s, so the phase is a stride-1 convolution of
// the output gradient with that sub-kernel (flipped), run on the direct
// path and scattered into its positions. It replaces im2col's GEMM of
// depth Cout and the col2im scatter-add where the phases are large (see
// phaseMinVol): 16→32 3×3×3 stride 2 at 48³ ran at 24 GFLOP/s on them at
// one thread.

var phaseScatterJobs jobList

// phaseMinVol is the least mean number of input positions per phase for
// the phase split: below it each phase convolution has too few positions
// to fill its tiles (1 thread, CPU, 3 paired rounds against im2col and
// col2im, 3×3×3 stride 2: 16→32 at 48³ 30.5 → 17.5 ms and 8→16 at 48³
// 10.4 → 7.6, but 32→64 at 24³ 7.2 → 8.4, 64→128 at 12³ 3.3 → 5.4 and
// 128→256 at 6³ 2.3 → 11.1).
var phaseMinVol = 4096

// phaseDims is one phase's sub-convolution along the three axes: m taps
// from k0 on (every s-th), the stride-1 convolution's padding pad and
// output size o, its first output used (first), and the phase's number of
// input positions j.
type phaseDims struct {
	m, k0, pad, o, first, j [3]int
}

// convBackwardDataPhases computes ConvBackwardData for a convolution with
// a stride above 1 and dilation 1 by phases; false when it does not apply
// (other dilations, or phases smaller than phaseMinVol).
func convBackwardDataPhases(p ConvParams, dy, w, dx []float32) bool {
	nd := len(p.In)
	if nd < 1 || nd > 3 || len(p.Kernel) != nd {
		return false
	}
	var in, k, s, pd, out [3]int
	for d := 0; d < 3; d++ {
		in[d], k[d], s[d], out[d] = 1, 1, 1, 1
	}
	for i := 0; i < nd; i++ {
		d := 3 - nd + i
		if at(p.Dilation, i, 1) != 1 {
			return false
		}
		in[d], k[d], s[d], pd[d] = p.In[i], p.Kernel[i], at(p.Stride, i, 1), at(p.Pad, i, 0)
		if s[d] < 1 || pd[d] < 0 || k[d] < 1 {
			return false
		}
		out[d] = (in[d]+2*pd[d]-k[d])/s[d] + 1
		if out[d] < 1 {
			return false
		}
	}
	inVol := in[0] * in[1] * in[2]
	if inVol < phaseMinVol*s[0]*s[1]*s[2] {
		return false
	}
	ck := convKern.pick(p.Cin)
	kvol := k[0] * k[1] * k[2]
	for r0 := 0; r0 < s[0]; r0++ {
		for r1 := 0; r1 < s[1]; r1++ {
			for r2 := 0; r2 < s[2]; r2++ {
				r := [3]int{r0, r1, r2}
				var ph phaseDims
				empty, none := false, false
				for d := 0; d < 3; d++ {
					k0 := (r[d] + pd[d]) % s[d]
					if in[d] <= r[d] {
						none = true
						break
					}
					ph.j[d] = (in[d] - r[d] + s[d] - 1) / s[d]
					if k0 >= k[d] {
						empty = true
						continue
					}
					m := (k[d] - k0 + s[d] - 1) / s[d]
					b := (r[d]+pd[d]-k0)/s[d] - (m - 1)
					ph.m[d], ph.k0[d] = m, k0
					ph.pad[d] = max(0, -b, ph.j[d]+b+m-1-out[d])
					ph.o[d] = out[d] + 2*ph.pad[d] - m + 1
					ph.first[d] = b + ph.pad[d]
				}
				if none {
					continue
				}
				if empty {
					// No tap reaches these positions.
					scatterPhase(p.N*p.Cin, ph, r, s, in, nil, dx[:p.N*p.Cin*inVol])
					continue
				}
				if !phaseConv(ck, p, nd, ph, r, s, k, kvol, in, out, dy, w, dx) {
					return false
				}
			}
		}
	}
	return true
}

// phaseConv computes phase r of the input gradient: the stride-1
// convolution of dy with the phase's sub-kernel into scratch, scattered
// into dx.
func phaseConv(ck *convKernel, p ConvParams, nd int, ph phaseDims, r, s, k [3]int, kvol int, in, out [3]int, dy, w, dx []float32) bool {
	var qin, qk, qpad [3]int
	q := ConvParams{N: p.N, Cin: p.Cout, Cout: p.Cin, In: qin[:nd], Kernel: qk[:nd], Pad: qpad[:nd]}
	for i := 0; i < nd; i++ {
		d := 3 - nd + i
		q.In[i], q.Kernel[i], q.Pad[i] = out[d], ph.m[d], ph.pad[d]
	}
	g, ok := newDirectGeom(q, ck.mk.nr)
	if !ok {
		return false
	}
	mvol := ph.m[0] * ph.m[1] * ph.m[2]
	// The sub-kernel, as a forward weight [Cin][Cout][m…], tap u taking
	// the forward's tap k0 + s·(m−1−u) along each axis.
	wb := getPack(p.Cin * p.Cout * mvol)
	defer putPack(wb)
	wph := (*wb)[:p.Cin*p.Cout*mvol]
	for ci := 0; ci < p.Cin; ci++ {
		for co := 0; co < p.Cout; co++ {
			src := w[(co*p.Cin+ci)*kvol : (co*p.Cin+ci+1)*kvol]
			dst := wph[(ci*p.Cout+co)*mvol : (ci*p.Cout+co+1)*mvol]
			u := 0
			for u0 := 0; u0 < ph.m[0]; u0++ {
				t0 := ph.k0[0] + s[0]*(ph.m[0]-1-u0)
				for u1 := 0; u1 < ph.m[1]; u1++ {
					t1 := ph.k0[1] + s[1]*(ph.m[1]-1-u1)
					for u2 := 0; u2 < ph.m[2]; u2++ {
						t2 := ph.k0[2] + s[2]*(ph.m[2]-1-u2)
						dst[u] = src[(t0*k[1]+t1)*k[2]+t2]
						u++
					}
				}
			}
		}
	}
	oVol := ph.o[0] * ph.o[1] * ph.o[2]
	yb := getPack(p.N * p.Cin * oVol)
	defer putPack(yb)
	yph := (*yb)[:p.N*p.Cin*oVol]
	convDirectForward(ck, &g, dy, wph, nil, yph, 0)
	scatterPhase(p.N*p.Cin, ph, r, s, in, yph, dx)
	return true
}

// scatterPhase writes phase r of dx (planes images×channels of in) from
// the phase convolution's output y (planes of ph.o, its used part from
// ph.first on), or zero when y is nil, by planes shared out among the
// workers.
func scatterPhase(planes int, ph phaseDims, r, s, in [3]int, y, dx []float32) {
	j := getJob[phaseScatterJob](&phaseScatterJobs)
	*j = phaseScatterJob{ph: ph, r: r, s: s, in: in, y: y, dx: dx}
	parallelJob(planes, 1, j)
	putJob(&phaseScatterJobs, j)
}

type phaseScatterJob struct {
	ph       phaseDims
	r, s, in [3]int
	y, dx    []float32
}

func (t *phaseScatterJob) run(lo, hi int) {
	ph, r, s, in := &t.ph, t.r, t.s, t.in
	inVol := in[0] * in[1] * in[2]
	oVol := ph.o[0] * ph.o[1] * ph.o[2]
	for pl := lo; pl < hi; pl++ {
		dst := t.dx[pl*inVol : (pl+1)*inVol]
		for j0 := 0; j0 < ph.j[0]; j0++ {
			for j1 := 0; j1 < ph.j[1]; j1++ {
				drow := dst[((s[0]*j0+r[0])*in[1]+s[1]*j1+r[1])*in[2]:]
				if t.y == nil {
					for j2 := 0; j2 < ph.j[2]; j2++ {
						drow[s[2]*j2+r[2]] = 0
					}
					continue
				}
				srow := t.y[pl*oVol+((j0+ph.first[0])*ph.o[1]+j1+ph.first[1])*ph.o[2]+ph.first[2]:]
				srow = srow[:ph.j[2]]
				for j2, v := range srow {
					drow[s[2]*j2+r[2]] = v
				}
			}
		}
	}
}
