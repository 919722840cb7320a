//go:build !purego

package kernels

// The transposed weight gradient: for kernels whose rows are 3 taps wide
// (stride and dilation 1 along the row), dWᵀ[p][co] = Σ_o
// x[off[p]+q(o)] · dyᵀ[o][co] over the output positions o (q(o) being o's
// virtual position), with the output gradient transposed block by block
// (positions × channels) and each tap's input value broadcast. The
// kernels walk a block as its runs of positions along output rows, which
// are contiguous in the padded image, so the plane's surplus positions
// cost nothing. A tile of 32 channels × 12 taps (or 16 × 24) stays in
// registers over a whole block of positions, and neither operand is
// gathered or packed: the 4 (or 8) kernel rows of a tile are read from 4
// (or 8) pointers into the padded image, their 3 taps at consecutive
// addresses. Against the dot
// products of convDW4x4AVX512 this trades a horizontal sum per tile and
// 2 loads per FMA for one broadcast per 2 (or 1) FMAs.

// convDWT32x12AVX512 is convDWTGo with 4 kernel rows of 32 channels: the
// caller guarantees, for every segment (q, col, n) of segs, n ≥ 1 rows of
// 32 values at stride ldd from dyT[col*ldd] on and x[rows[r]+q :
// rows[r]+q+n+2] inside x, and 12 rows of 32 at stride ldc in c.
//
//go:noescape
func convDWT32x12AVX512(segs []int32, dyT []float32, ldd int, x []float32, rows *[4]int32, c []float32, ldc int)

// convDWT16x24AVX512 is convDWT32x12AVX512 for 8 kernel rows of 16
// channels.
//
//go:noescape
func convDWT16x24AVX512(segs []int32, dyT []float32, ldd int, x []float32, rows *[8]int32, c []float32, ldc int)

// convTranspose16AVX512 sets dst[i*ldd+c] = src[c*lds+i] for c, i < 16.
//
//go:noescape
func convTranspose16AVX512(dst []float32, ldd int, src []float32, lds int)

// convTranspose16Go is convTranspose16AVX512's Go twin.
func convTranspose16Go(dst []float32, ldd int, src []float32, lds int) {
	for c := 0; c < 16; c++ {
		for i, v := range src[c*lds : c*lds+16] {
			dst[i*ldd+c] = v
		}
	}
}

// convDWTGo adds to c[(3r+t)*ldc+i], for r < len(rows), t < 3 and
// i < width, the sum over the segments (q, col, n) of segs (int32
// triples) and m < n of dyT[(col+m)*ldd+i]·x[rows[r]+t+q+m]: the weight
// gradient of width output channels (dyT holding their output gradient
// position-major) for the 3 taps of each kernel row that starts at
// rows[r] in the padded image x, over runs of output positions that are
// contiguous there from virtual position q on.
func convDWTGo(width int, segs []int32, dyT []float32, ldd int, x []float32, rows []int32, c []float32, ldc int) {
	for r, o := range rows {
		for t := 0; t < 3; t++ {
			cr := c[(3*r+t)*ldc : (3*r+t)*ldc+width]
			for i := range cr {
				var s float32
				for k := 0; k+2 < len(segs); k += 3 {
					q, col, n := int(segs[k]), int(segs[k+1]), int(segs[k+2])
					for m, xv := range x[int(o)+t+q : int(o)+t+q+n] {
						s += dyT[(col+m)*ldd+i] * xv
					}
				}
				cr[i] += s
			}
		}
	}
}

// dwtBlock is the number of output positions per transposed block of
// the output gradient: up to 256 channels of it (256 KB) stay in L2 while
// every tile of taps passes over it.
const dwtBlock = 256

// dwtShape returns the tile width (channels) and height (kernel rows) of
// the transposed weight gradient for g, or 0, 0 when it does not apply.
func (j *directBwdWeightJob) dwtShape() (width, rows int) {
	g := &j.g
	if !j.ck.dwt || g.k[2] != 3 || g.dil[2] != 1 || g.s[2] != 1 || g.cin*g.cout > 64*64 && g.cout > 64 {
		// Above 64×64 channels only up to 64 output channels, as in a
		// U-Net decoder's first conv after a concatenation (1 thread,
		// CPU, 7 paired rounds, twice, against the GEMM: 192→64 2D at
		// 64² 1.12–1.24×, 128→64 3D at 12³ 1.2×, 96→32 at 128²
		// 0.96–1.0×; with 128 output channels 0.9–1.05×).
		return 0, 0
	}
	width, rows = 32, 4
	if g.cout <= 16 {
		width, rows = 16, 8
	}
	if 4*g.cout <= 3*width && width == 16 {
		// A quarter or more of the 16-channel tile's lanes would be
		// padding: the dot products (or the GEMM) measured faster, 1.5–2.8×
		// for 8 output channels (8→8, 16→8, 32→8 3D at 48³ and 24³;
		// 1 thread, CPU, paired rounds), 1.2× for 12, the widths of a
		// Modified3DUNet of 8 base filters.
		return 0, 0
	}
	// Measured (process CPU, interleaved, loaded machine) against what
	// it replaces up to 64×64 channels: 1.2× the GEMM for 64→64 3D at
	// 12³ and 1.4× the dot products for 32→32 3D at 24³, where the
	// padded plane's surplus is large; 1.0–1.08× for 32→32 and 64→64 2D
	// and 16→16 3D. Slower than the GEMM above 64×64 (0.9× for 128 and
	// 256 channels), and where the last tile of kernel rows is mostly
	// padding (1→16 3D).
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
	if j.pieces < Workers() {
		// Too few pieces to share out: each block's tiles are.
		for p := 0; p < j.pieces; p++ {
			j.dwtPiece(p, true)
		}
	} else {
		parallelJob(j.pieces, 1, (*dwtPieceJob)(j))
	}
	j.sumDWT()
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
	// Cleared here, by the worker that fills it, rather than all the
	// pieces' accumulators on the calling goroutine.
	clear(acc)
	db := getPack(dwtBlock * j.mpad)
	defer putPack(db)
	dyT := (*db)[:dwtBlock*j.mpad]
	// Channels past cout stay zero.
	clear(dyT)
	sb := getJob[offsetBuf](&offsetBufs)
	defer keepJob(&offsetBufs, sb)
	if cap(sb.s) < 3*dwtBlock {
		sb.s = make([]int32, 3*dwtBlock)
	}
	xb := getPack(g.stride)
	defer putPack(xb)
	for n := p * g.n / j.pieces; n < (p+1)*g.n/j.pieces; n++ {
		dyn := j.dy[n*g.cout*outVol : (n+1)*g.cout*outVol]
		xn := j.padImage(n, *xb)
		for o0 := 0; o0 < outVol; o0 += dwtBlock {
			nb := min(dwtBlock, outVol-o0)
			transposeBlock(dyn, dyT, g.cout, outVol, j.dwtW, o0, nb, j.ck.dwtAsm)
			segs := g.segments(o0, nb, sb.s[:3*dwtBlock])
			tiles := j.mpad / j.dwtW * (j.rpad / j.dwtRB)
			if !split {
				for u := 0; u < tiles; u++ {
					j.dwtTile(u, segs, dyT, xn, acc)
				}
				continue
			}
			t := getJob[dwtTilesJob](&dwtTilesJobs)
			*t = dwtTilesJob{j: j, segs: segs, dyT: dyT, xn: xn, acc: acc}
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
	segs         []int32
	dyT, xn, acc []float32
}

func (t *dwtTilesJob) run(lo, hi int) {
	for u := lo; u < hi; u++ {
		t.j.dwtTile(u, t.segs, t.dyT, t.xn, t.acc)
	}
}

// dwtTile adds tile u to acc, over the runs segs of the transposed block
// dyT (see directGeom.segments) in the padded image xn. Tiles
// are numbered channel block by channel block, so that one block's
// channels of dyT (32 KB) stay in L1 while the kernel rows stream past.
// The last block of kernel rows repeats its last row where rows are
// missing, into accumulator rows past the weight's, which are not read.
func (j *directBwdWeightJob) dwtTile(u int, segs []int32, dyT, xn, acc []float32) {
	nb := j.rpad / j.dwtRB
	co, b := u/nb*j.dwtW, u%nb
	var rows [8]int32
	for i := 0; i < j.dwtRB; i++ {
		rows[i] = j.off[3*min(b*j.dwtRB+i, j.rows-1)]
	}
	c := acc[3*b*j.dwtRB*j.mpad+co:]
	d := dyT[co*dwtBlock:]
	switch {
	case !j.ck.dwtAsm:
		convDWTGo(j.dwtW, segs, d, j.dwtW, xn, rows[:j.dwtRB], c, j.mpad)
	case j.dwtW == 32:
		convDWT32x12AVX512(segs, d, j.dwtW, xn, (*[4]int32)(rows[:4]), c, j.mpad)
	default:
		convDWT16x24AVX512(segs, d, j.dwtW, xn, &rows, c, j.mpad)
	}
}

// transposeBlock writes the output positions [o0, o0+nb) of the output
// gradient dy of one image (cout channels of outVol) into dyT
// position-major by blocks of w channels: block b holds dwtBlock rows of
// w, row o−o0 the channels bw to bw+w−1 of position o. (With all the
// channels in one row, a block's 128 bytes of a row sat at a stride of
// the whole row, and for 128 channels and more its 32 KB mapped onto a
// few L1 sets: 0.85× the GEMM's speed instead of 1.05×.) asm selects
// convTranspose16AVX512 for the 16×16 blocks, which measured ten times
// faster than the loop over single values that was a tenth of a 32→32
// weight gradient.
func transposeBlock(dy, dyT []float32, cout, outVol, w, o0, nb int, asm bool) {
	// Whole 16×16 blocks in registers, the edges one value at a time.
	c16, n16 := cout/16*16, nb/16*16
	for c0 := 0; c0 < c16; c0 += 16 {
		for i0 := 0; i0 < n16; i0 += 16 {
			dst := dyT[c0/w*dwtBlock*w+i0*w+c0%w:]
			src := dy[c0*outVol+o0+i0:]
			if asm {
				convTranspose16AVX512(dst, w, src, outVol)
			} else {
				convTranspose16Go(dst, w, src, outVol)
			}
		}
	}
	for co := 0; co < cout; co++ {
		lo := n16
		if co >= c16 {
			lo = 0
		}
		src := dy[co*outVol+o0 : co*outVol+o0+nb]
		base := co/w*dwtBlock*w + co%w
		d := dyT[base : base+(nb-1)*w+1]
		for i := lo; i < nb; i++ {
			d[i*w] = src[i]
		}
	}
}
