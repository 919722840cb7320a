//go:build !purego

package kernels

// Convolutions whose output has fewer positions per image than a panel of
// the micro-kernel (the deepest levels of a 3D U-Net: 3×3×1 or 3³ per
// patch) waste most of the direct path's GEMM, where each image fills
// panels of its own: 9 columns of 48 at 3×3×1. Here the images of a
// group share the panels: an explicit column matrix of all their output
// positions goes through one Gemm, and the backward-data pass is that
// Gemm transposed followed by the column matrix's scatter (col2im). The
// forward leaves out the taps that read only the padding (two of three
// along an axis of size 1).
//
// Both GEMMs put the positions on the rows of their result (yᵀ and the
// column matrix's gradient transposed), so that they stream the weights,
// the large operand, once.
//
// Measured against the direct path (2 workers, medians; Modified3DUNet's
// deepest layers):
//   - 128→128 at 3×3×1, batch 4 (the 3D reference config's 48×48×16
//     patches): forward 0.83 → 0.28 ms, backward-data 0.85 → 0.23 ms;
//   - its stride-2 64→128 onto 3×3×1: 0.52 → 0.19 ms, 0.56 → 0.12 ms;
//   - 256→256 at 3³, batch 2 (f16 on 48³): 2.06 → 1.24 ms, 2.0 → 1.05 ms.
//
// The weight gradient as dy times the column matrix's transpose was
// slower than the direct path's (0.40 → 0.48 ms at 3×3×1), and images of
// 72 positions (6×6×2) gained in some layers and lost in others, so
// neither is taken here.

// colsMaxOut bounds the output positions of an image that the column path
// takes: fewer than a panel of the AVX-512 micro-kernel.
const colsMaxOut = 48

// colsMaxFloats bounds the column matrix of one group of images.
const colsMaxFloats = 1 << 20

// colsFits reports whether the column path computes g.
func colsFits(g *convGeom) bool {
	return g.groups == 1 && g.outVol() < colsMaxOut
}

// colsTable sets at[t·outVol + o], for every kernel tap t and output
// position o of g, to the index in a channel's input plane that the tap
// reads there, or −1 where it reads the padding.
func colsTable(g *convGeom, at []int32) {
	outVol := g.outVol()
	for t := range g.kVol() {
		k := [3]int{t / (g.k[1] * g.k[2]), t / g.k[2] % g.k[1], t % g.k[2]}
		for o := range outVol {
			oc := [3]int{o / (g.out[1] * g.out[2]), o / g.out[2] % g.out[1], o % g.out[2]}
			i := int32(0)
			for a := range 3 {
				c := oc[a]*g.s[a] - g.p[a] + k[a]*g.d[a]
				if c < 0 || c >= g.in[a] {
					i = -1
					break
				}
				i = i*int32(g.in[a]) + int32(c)
			}
			at[t*outVol+o] = i
		}
	}
}

var colsJobs jobList

// colsJob holds the arguments of the column path's parallel loops.
type colsJob struct {
	g      convGeom
	x, col []float32 // input (or dx) of a group of images, column matrix
	w, a   []float32 // the weights, and those of the kept taps
	at     []int32   // colsTable
	taps   []int32   // the forward's kept taps
	images int
}

// colsStart takes a job from the free list with g's table, which it keeps
// in buf; the caller puts both back.
func colsStart(g *convGeom, buf *offsetBuf) *colsJob {
	n := g.kVol() * g.outVol()
	if cap(buf.s) < n {
		buf.s = make([]int32, n)
	}
	j := getJob[colsJob](&colsJobs)
	*j = colsJob{g: *g, at: buf.s[:n]}
	colsTable(g, j.at)
	return j
}

// keepTaps sets j.taps, in buf, to the taps that read inside the image for
// some output position.
func (j *colsJob) keepTaps(buf *offsetBuf) {
	outVol := j.g.outVol()
	j.taps = buf.s[:0]
	for t := range j.g.kVol() {
		for _, i := range j.at[t*outVol : (t+1)*outVol] {
			if i >= 0 {
				j.taps = append(j.taps, int32(t))
				break
			}
		}
	}
	buf.s = j.taps
}

// buffers returns the images per group for a column matrix of rows rows,
// and scratch for that matrix and for cout values a position of a group;
// the caller puts both back.
func (j *colsJob) buffers(rows int) (nb int, col, ch *[]float32) {
	outVol := j.g.outVol()
	nb = max(1, min(j.g.n, colsMaxFloats/max(1, rows*outVol)))
	return nb, getPack(rows * nb * outVol), getPack(j.g.cout * nb * outVol)
}

// convColsForward computes the forward convolution of a geometry that
// colsFits. Taps that read only the padding are left out of the column
// matrix and the weights: two of three along an axis of size 1.
func convColsForward(g *convGeom, x, w, bias, y []float32) {
	buf := getJob[offsetBuf](&offsetBufs)
	defer keepJob(&offsetBufs, buf)
	j := colsStart(g, buf)
	defer putJob(&colsJobs, j)
	outVol, inVol, kvol := g.outVol(), g.inVol(), g.kVol()
	tb := getJob[offsetBuf](&offsetBufs)
	defer keepJob(&offsetBufs, tb)
	j.keepTaps(tb)
	K := g.cin * len(j.taps)
	a := w
	if len(j.taps) < kvol {
		ab := getPack(g.cout * K)
		defer putPack(ab)
		j.w, j.a = w, (*ab)[:g.cout*K]
		parallelJob(g.cout, 1, (*colsWeightsJob)(j))
		a = j.a
	}
	nb, colb, cb := j.buffers(K)
	defer putPack(colb)
	defer putPack(cb)
	for n0 := 0; n0 < g.n; n0 += nb {
		m := min(nb, g.n-n0)
		nt := m * outVol
		j.x = x[n0*g.cin*inVol : (n0+m)*g.cin*inVol]
		j.col, j.images = (*colb)[:K*nt], m
		parallelJob(K, 1, (*colsFillJob)(j))
		// yᵀ = colᵀ·wᵀ: the GEMM streams the weights once, where y =
		// w·col streamed them once per panel of positions (256→256 at
		// 3³, batch 2: 1.75 → 1.24 ms; 128→128 at 3×3×1, batch 4:
		// 0.37 → 0.28).
		c := (*cb)[:g.cout*nt]
		Gemm(true, true, nt, g.cout, K, 1, j.col, nt, a, K, 0, c, g.cout)
		for b := range m {
			yb := y[(n0+b)*g.cout*outVol : (n0+b+1)*g.cout*outVol]
			cb := c[b*outVol*g.cout : (b+1)*outVol*g.cout]
			for co := range g.cout {
				dst := yb[co*outVol : (co+1)*outVol]
				var bv float32
				if bias != nil {
					bv = bias[co]
				}
				for i := range dst {
					dst[i] = cb[i*g.cout+co] + bv
				}
			}
		}
	}
}

// convColsBackwardData computes the backward-data pass of a geometry that
// colsFits: the column matrix's gradient wᵀ·dy, scattered into dx.
func convColsBackwardData(g *convGeom, dy, w, dx []float32) {
	buf := getJob[offsetBuf](&offsetBufs)
	defer keepJob(&offsetBufs, buf)
	j := colsStart(g, buf)
	defer putJob(&colsJobs, j)
	outVol, inVol := g.outVol(), g.inVol()
	K := g.cin * g.kVol()
	nb, colb, db := j.buffers(K)
	defer putPack(colb)
	defer putPack(db)
	for n0 := 0; n0 < g.n; n0 += nb {
		m := min(nb, g.n-n0)
		nt := m * outVol
		d := (*db)[:g.cout*nt]
		for b := range m {
			for co := range g.cout {
				copy(d[co*nt+b*outVol:co*nt+(b+1)*outVol], dy[((n0+b)*g.cout+co)*outVol:])
			}
		}
		// The column matrix's gradient transposed, colᵀ = dyᵀ·w, streams
		// the weights once, as they lie (256→256 at 3³, batch 2: 1.43 →
		// 1.05 ms; 128→128 at 3×3×1, batch 4: 0.44 → 0.23).
		j.col, j.images = (*colb)[:K*nt], m
		Gemm(true, false, nt, K, g.cout, 1, d, nt, w, K, 0, j.col, K)
		j.x = dx[n0*g.cin*inVol : (n0+m)*g.cin*inVol]
		parallelJob(g.cin, 1, (*colsScatterJob)(j))
	}
}

type colsFillJob colsJob

// run fills the rows [lo, hi) of the column matrix: row ci·kt + t holds,
// for every image and output position, the input that kept tap taps[t] of
// channel ci reads, 0 in the padding.
func (j *colsFillJob) run(lo, hi int) {
	g := &j.g
	kt, outVol, inVol := len(j.taps), g.outVol(), g.inVol()
	nt := j.images * outVol
	for r := lo; r < hi; r++ {
		ci, tap := r/kt, int(j.taps[r%kt])
		at := j.at[tap*outVol : (tap+1)*outVol]
		row := j.col[r*nt : (r+1)*nt]
		for b := range j.images {
			src := j.x[(b*g.cin+ci)*inVol : (b*g.cin+ci+1)*inVol]
			dst := row[b*outVol : (b+1)*outVol]
			for o, i := range at {
				if i < 0 {
					dst[o] = 0
				} else {
					dst[o] = src[i]
				}
			}
		}
	}
}

type colsWeightsJob colsJob

// run copies the weights of the kept taps of the output channels [lo, hi)
// into the weight matrix, each filter read where it lies.
func (j *colsWeightsJob) run(lo, hi int) {
	g := &j.g
	kvol, kt := g.kVol(), len(j.taps)
	for co := lo; co < hi; co++ {
		for ci := range g.cin {
			src := j.w[(co*g.cin+ci)*kvol : (co*g.cin+ci+1)*kvol]
			dst := j.a[(co*g.cin+ci)*kt : (co*g.cin+ci+1)*kt]
			for t, tap := range j.taps {
				dst[t] = src[tap]
			}
		}
	}
}

type colsScatterJob colsJob

// run writes dx of the input channels [lo, hi) from the column matrix's
// gradient, transposed (a row per output position): each position's tap
// values added, in position and then tap order, where they read.
func (j *colsScatterJob) run(lo, hi int) {
	g := &j.g
	kvol, outVol, inVol := g.kVol(), g.outVol(), g.inVol()
	K := g.cin * kvol
	for ci := lo; ci < hi; ci++ {
		for b := range j.images {
			dst := j.x[(b*g.cin+ci)*inVol : (b*g.cin+ci+1)*inVol]
			clear(dst)
			for o := range outVol {
				src := j.col[(b*outVol+o)*K+ci*kvol:][:kvol]
				for t, v := range src {
					if i := j.at[t*outVol+o]; i >= 0 {
						dst[i] += v
					}
				}
			}
		}
	}
}
