//go:build !purego

package kernels

// The transposed weight gradient: for kernels whose rows are 3 taps wide
// (stride and dilation 1 along the row), dWᵀ[p][co] = Σ_q x[off[p]+q] ·
// dyᵀ[q][co] over the virtual positions q, with the output gradient
// transposed block by block (positions × channels, zero at the padded
// plane's surplus positions) and each tap's input value broadcast. A tile
// of 32 channels × 12 taps (or 16 × 24) stays in registers over a whole
// block of positions, and neither operand is gathered or packed: the
// 4 (or 8) kernel rows of a tile are read from 4 (or 8) pointers into the
// padded image, their 3 taps at consecutive addresses. Against the dot
// products of convDW4x4AVX512 this trades a horizontal sum per tile and
// 2 loads per FMA for one broadcast per 2 (or 1) FMAs.

// convDWT32x12AVX512 is convDWTGo with 4 kernel rows of 32 channels: the
// caller guarantees n rows of 32 values at stride ldd in dyT,
// x[rows[r] : rows[r]+n+2] inside x, and 12 rows of 32 at stride ldc in c.
//
//go:noescape
func convDWT32x12AVX512(n int, dyT []float32, ldd int, x []float32, rows *[4]int32, c []float32, ldc int)

// convDWT16x24AVX512 is convDWT32x12AVX512 for 8 kernel rows of 16
// channels.
//
//go:noescape
func convDWT16x24AVX512(n int, dyT []float32, ldd int, x []float32, rows *[8]int32, c []float32, ldc int)

// convDWTGo adds to c[(3r+t)*ldc+i] the sum over q < n of
// dyT[q*ldd+i]·x[rows[r]+t+q], for r < len(rows), t < 3 and i < width: the
// weight gradient of width output channels (dyT holding their output
// gradient position-major) for the 3 taps of each kernel row that starts
// at rows[r] in the padded image x.
func convDWTGo(width, n int, dyT []float32, ldd int, x []float32, rows []int32, c []float32, ldc int) {
	for r, o := range rows {
		for t := 0; t < 3; t++ {
			xs := x[int(o)+t : int(o)+t+n]
			cr := c[(3*r+t)*ldc : (3*r+t)*ldc+width]
			for i := range cr {
				var s float32
				for q, xv := range xs {
					s += dyT[q*ldd+i] * xv
				}
				cr[i] += s
			}
		}
	}
}

// dwtBlock is the number of virtual positions per transposed block of
// the output gradient: up to 256 channels of it (256 KB) stay in L2 while
// every tile of taps passes over it.
const dwtBlock = 256

// dwtShape returns the tile width (channels) and height (kernel rows) of
// the transposed weight gradient for g, or 0, 0 when it does not apply.
func (j *directBwdWeightJob) dwtShape() (width, rows int) {
	g := &j.g
	if !j.ck.dwt || g.k[2] != 3 || g.dil[2] != 1 || g.s[2] != 1 || !j.dot() {
		return 0, 0
	}
	width, rows = 32, 4
	if g.cout <= 16 {
		width, rows = 16, 8
	}
	// Measured against the dot products, whose place it takes: faster
	// for 16–64 channels (1.15–1.35× in 16→16 3D and 64→64 2D), slower
	// where the last tile of kernel rows is mostly padding (1→16 3D), and
	// slower than the GEMM (0.9×) where that is chosen (128 channels and
	// up, or a large surplus).
	if kr := g.cin * g.k[0] * g.k[1]; 8*kr < 7*ceilDiv(kr, rows)*rows {
		return 0, 0
	}
	return width, rows
}

// backwardWeightDWT computes the weight gradient into j.dw with the
// transposed tile kernels: the images cut into j.pieces fixed pieces, each
// summing its images in order into its own transposed accumulator, the
// pieces then added in order while transposing back.
func (j *directBwdWeightJob) backwardWeightDWT() {
	g := &j.g
	w, rb := j.dwtShape()
	j.dwtW, j.dwtRB = w, rb
	j.mpad = ceilDiv(g.cout, w) * w
	j.rows = g.cin * g.k[0] * g.k[1]
	j.rpad = ceilDiv(j.rows, rb) * rb
	size := 3 * j.rpad * j.mpad
	ab := getPack(j.pieces * size)
	defer putPack(ab)
	j.parts = (*ab)[:j.pieces*size]
	clear(j.parts)
	if j.pieces < Workers() {
		// Too few pieces to share out: each block's tiles are.
		for p := 0; p < j.pieces; p++ {
			j.dwtPiece(p, true)
		}
	} else {
		parallelJob(j.pieces, 1, (*dwtPieceJob)(j))
	}
	K := g.kdim
	for co := 0; co < g.cout; co++ {
		d := j.dw[co*K : (co+1)*K]
		for p := range d {
			s := j.parts[p*j.mpad+co]
			for pc := 1; pc < j.pieces; pc++ {
				s += j.parts[pc*size+p*j.mpad+co]
			}
			d[p] = s
		}
	}
}

type dwtPieceJob directBwdWeightJob

func (t *dwtPieceJob) run(lo, hi int) {
	for p := lo; p < hi; p++ {
		(*directBwdWeightJob)(t).dwtPiece(p, false)
	}
}

// dwtPiece sums the weight gradients of piece p's images into its
// accumulator, block by block of virtual positions; split shares each
// block's tap tiles out among the workers (each tile's sums run in the
// same order whoever computes it).
func (j *directBwdWeightJob) dwtPiece(p int, split bool) {
	g := &j.g
	outVol := g.out[0] * g.out[1] * g.out[2]
	size := 3 * j.rpad * j.mpad
	acc := j.parts[p*size : (p+1)*size]
	db := getPack(dwtBlock * j.mpad)
	defer putPack(db)
	dyT := (*db)[:dwtBlock*j.mpad]
	for n := p * g.n / j.pieces; n < (p+1)*g.n/j.pieces; n++ {
		dyn := j.dy[n*g.cout*outVol : (n+1)*g.cout*outVol]
		xn := j.xp[n*g.stride : (n+1)*g.stride]
		for q0 := 0; q0 < g.qv; q0 += dwtBlock {
			nq := min(dwtBlock, g.qv-q0)
			g.transposeOutputBlock(dyn, dyT, j.mpad, q0, nq)
			tiles := j.mpad / j.dwtW * (j.rpad / j.dwtRB)
			if !split {
				for u := 0; u < tiles; u++ {
					j.dwtTile(u, nq, dyT, xn[q0:], acc)
				}
				continue
			}
			t := getJob[dwtTilesJob](&dwtTilesJobs)
			*t = dwtTilesJob{j: j, nq: nq, dyT: dyT, xq: xn[q0:], acc: acc}
			parallelJob(tiles, 1, t)
			*t = dwtTilesJob{}
			putJob(&dwtTilesJobs, t)
		}
	}
}

var dwtTilesJobs jobList

// dwtTilesJob is one block of dwtPiece shared out by tiles.
type dwtTilesJob struct {
	j            *directBwdWeightJob
	nq           int
	dyT, xq, acc []float32
}

func (t *dwtTilesJob) run(lo, hi int) {
	for u := lo; u < hi; u++ {
		t.j.dwtTile(u, t.nq, t.dyT, t.xq, t.acc)
	}
}

// dwtTile adds tile u to acc, over the nq positions of the transposed
// block dyT and the input from the block's first position on, xq. Tiles
// are numbered channel block by channel block, so that one block's
// channels of dyT (32 KB) stay in L1 while the kernel rows stream past.
// The last block of kernel rows repeats its last row where rows are
// missing, into accumulator rows past the weight's, which are not read.
func (j *directBwdWeightJob) dwtTile(u, nq int, dyT, xq, acc []float32) {
	nb := j.rpad / j.dwtRB
	co, b := u/nb*j.dwtW, u%nb
	var rows [8]int32
	for i := 0; i < j.dwtRB; i++ {
		rows[i] = j.off[3*min(b*j.dwtRB+i, j.rows-1)]
	}
	c := acc[3*b*j.dwtRB*j.mpad+co:]
	switch {
	case !j.ck.dwtAsm:
		convDWTGo(j.dwtW, nq, dyT[co:], j.mpad, xq, rows[:j.dwtRB], c, j.mpad)
	case j.dwtW == 32:
		convDWT32x12AVX512(nq, dyT[co:], j.mpad, xq, (*[4]int32)(rows[:4]), c, j.mpad)
	default:
		convDWT16x24AVX512(nq, dyT[co:], j.mpad, xq, &rows, c, j.mpad)
	}
}

// transposeOutputBlock writes the virtual positions [q0, q0+nq) of the
// output gradient dy of one image into dyT position-major (row q−q0 holds
// the ldt channels of position q): dy's values at valid positions, zero
// elsewhere and in the channels past cout.
func (g *directGeom) transposeOutputBlock(dy, dyT []float32, ldt, q0, nq int) {
	outVol := g.out[0] * g.out[1] * g.out[2]
	clear(dyT[:nq*ldt])
	for od := q0 / g.plane; od < g.out[0] && od*g.plane < q0+nq; od++ {
		for oh := 0; oh < g.out[1]; oh++ {
			q := od*g.plane + oh*g.pa[2]
			if q+g.out[2] <= q0 {
				continue
			}
			if q >= q0+nq {
				break
			}
			lo, hi := max(q, q0), min(q+g.out[2], q0+nq)
			s := (od*g.out[1]+oh)*g.out[2] + lo - q
			for co := 0; co < g.cout; co++ {
				src := dy[co*outVol+s : co*outVol+s+hi-lo]
				d := dyT[(lo-q0)*ldt+co : (hi-q0-1)*ldt+co+1]
				for i, v := range src {
					d[i*ldt] = v
				}
			}
		}
	}
}
