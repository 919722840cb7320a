//go:build !purego

package kernels

import (
	"slices"
	"unsafe"
)

// Implicit-GEMM convolution on the GEMM micro-kernel, without an im2col
// matrix (strides above 1 are brought back to stride 1 by splitting the
// input into its phases; see directGeom). The input image is copied once into a zero-padded buffer;
// then, numbering output positions q in the padded plane's coordinates
// (q = od·Hp·Wp + oh·Wp + ow), the im2col matrix is Toeplitz: its row for
// kernel tap (ci, kd, kh, kw) is the padded image read from the constant
// offset ci·Vp + kd·dd·Hp·Wp + kh·dh·Wp + kw·dw onward. Each kc×nr panel of
// B is gathered from those offsets straight into the packed layout (one
// vector copy per row). The micro-kernel computes only valid output
// positions: a panel's columns are nr consecutive positions of the
// output, gathered as runs (one per output row they touch) of the padded
// image, so the tile is stored straight into y, and the only other copy
// is the padding (input-sized). (The row kernel for 1–3 output channels
// still runs over the padded plane's virtual positions and compacts.)
//
// Three kernels skip the packing where it costs most: with a multiple of
// 8 output channels and output rows that fill windows of 16 positions
// (a multiple of 16, or 24), the forward reads windows straight from the
// padded image and stores them straight into y (convTile8x48AVX512, see
// convtile_amd64.go); with at most 32 output channels and output rows of
// a multiple of 16 otherwise,
// it broadcasts the input straight from the padded image against packed
// weights (convBcast16AVX512); and up to 64×64 channels the weight
// gradient is computed as dot products along the positions
// (convDW4x4AVX512), both operands contiguous there, or, for kernel rows
// of 3 taps and enough input channels, as register tiles of the
// transposed gradient (convDWT32x12AVX512, see convdwt_amd64.go).
//
// Layers with 1 to 4 input channels and 3×3(×3) kernels (a network's
// first) have kernels of their own (convsmall_amd64.go): the forward
// without the broadcast kernel's transpose (convFwd6x64AVX512), and both
// backward passes straight from dy, which is 16 to 32 times the input
// there and which the paths above copy into padded buffers.

// convKernel is a GEMM micro-kernel with the row gather that packs its B
// panels from a padded image.
type convKernel struct {
	mk     *microKernel
	gather func(dst, b []float32, off []int32, k int) // nr floats per row
	// gatherCols packs transposed panels (see gatherCols16AVX512).
	gatherCols func(dst, src []float32, idx *[16]int32, lanes, n, dstStride int)
	// row computes one output channel straight from the padded image
	// (see convRowAVX512), for convolutions with too few output channels
	// to fill the micro-kernel's rows.
	row func(k int, a, b []float32, off []int32, c []float32)
	// alt is a kernel with another tile height, taken when it pads the
	// output channels less (see pick).
	alt *convKernel
	// colsAsm says that gatherCols is gatherCols16AVX512 (otherwise
	// gatherColsGo): convBT calls it directly, so that its index array,
	// not escaping through a function value, stays on the stack.
	colsAsm bool
	// segsAsm selects gatherSegsAVX512 over gatherSegsGo for the panels
	// of valid output positions, called directly for the same reason.
	segsAsm bool
	// dwAsm says that the weight gradient runs on convDW4x4AVX512 (see
	// directBwdWeightJob.imageDot) rather than on the GEMM.
	dwAsm bool
	// bcast says that convBcast16AVX512 computes forwards with few output
	// channels (see directBcastJob).
	bcast bool
	// tiled says that forwards with a multiple of 8 output channels and
	// output rows that fill its windows run on the tiled kernel (see
	// tileFits), the AVX-512 one when tileAsm.
	tiled, tileAsm bool
	// dwt says that weight gradients with 3-tap kernel rows run on the
	// transposed tile kernels (see backwardWeightDWT), the AVX-512 ones
	// when dwtAsm.
	dwt, dwtAsm bool
	// small says that the backward passes of convolutions with few input
	// channels run on the few-channel kernels (see convsmall_amd64.go),
	// the AVX-512 ones when smallAsm.
	small, smallAsm bool
}

var convKernAVX512 = &convKernel{mk: kernelAVX512, gather: gatherRows32AVX512, gatherCols: gatherCols16AVX512, row: convRowAVX512, colsAsm: true, segsAsm: true, dwAsm: true, bcast: true, tiled: true, tileAsm: true, dwt: true, dwtAsm: true, small: true, smallAsm: true,
	alt: &convKernel{mk: kernel8x48AVX512, gather: gatherRows48AVX512, gatherCols: gatherCols16AVX512, row: convRowAVX512, colsAsm: true, segsAsm: true, dwAsm: true, bcast: true, tiled: true, tileAsm: true, dwt: true, dwtAsm: true, small: true, smallAsm: true}}

// pick returns the kernel whose tile height pads m rows (output channels)
// the least: 16, 32 or 64 channels fill 8-row tiles exactly but leave a
// third, a ninth or a ninth of 12-row tiles empty.
func (ck *convKernel) pick(m int) *convKernel {
	if ck.alt == nil {
		return ck
	}
	waste := func(k *convKernel) int { return ceilDiv(m, k.mk.mr)*k.mk.mr - m }
	if waste(ck.alt) < waste(ck) {
		return ck.alt
	}
	return ck
}

// convKern is the direct-convolution kernel of the current tier (nil: the
// generic im2col path).
var convKern *convKernel

// directGeom is a single-group convolution seen in 3D.
//
// With a stride s > 1 the padded input is split into its s0·s1·s2 phases
// (the elements whose padded coordinates have the same residues mod s),
// each phase a dense image of size pa = ceil(pin/s). Tap k of output o
// reads phase (k·dil mod s) at o + k·dil div s, so in phase coordinates
// the convolution has stride 1 again and the stride-1 machinery (offsets,
// virtual positions, runs) applies unchanged, with pa for the padded size.
type directGeom struct {
	n, cin, cout  int
	in, out, k    [3]int
	pad, dil, pin [3]int
	s, pa         [3]int // stride; addressed (phase) image size, pin when s is 1
	phases        int    // s0·s1·s2
	plane, vp     int    // addressed plane; volume per channel, all phases
	qv            int    // virtual positions: one past the last valid output
	kvol, kdim    int    // taps per channel; GEMM depth cin·kvol
	stride        int    // elements of one padded image (with a zero tail)
}

// newDirectGeom returns the geometry of p, or false when the direct path
// does not apply (stride or groups other than 1, or sizes out of range).
func newDirectGeom(p ConvParams, nr int) (directGeom, bool) {
	var g directGeom
	nd := len(p.In)
	if nd < 1 || nd > 3 || len(p.Kernel) != nd || p.Groups > 1 {
		return g, false
	}
	g.n, g.cin, g.cout = p.N, p.Cin, p.Cout
	for i := 0; i < 3; i++ {
		g.in[i], g.k[i], g.dil[i], g.s[i] = 1, 1, 1, 1
	}
	for i := 0; i < nd; i++ {
		j := 3 - nd + i
		g.in[j], g.k[j], g.s[j] = p.In[i], p.Kernel[i], at(p.Stride, i, 1)
		g.pad[j], g.dil[j] = at(p.Pad, i, 0), at(p.Dilation, i, 1)
	}
	g.phases = 1
	for j := 0; j < 3; j++ {
		if g.k[j] <= 0 || g.pad[j] < 0 || g.dil[j] <= 0 || g.s[j] <= 0 {
			return g, false
		}
		g.pin[j] = g.in[j] + 2*g.pad[j]
		if g.pin[j]-g.dil[j]*(g.k[j]-1) <= 0 {
			return g, false
		}
		g.out[j] = (g.pin[j]-g.dil[j]*(g.k[j]-1)-1)/g.s[j] + 1
		g.pa[j] = ceilDiv(g.pin[j], g.s[j])
		g.phases *= g.s[j]
	}
	g.plane = g.pa[1] * g.pa[2]
	g.vp = g.phases * g.pa[0] * g.plane
	g.qv = (g.out[0]-1)*g.plane + (g.out[1]-1)*g.pa[2] + g.out[2]
	g.kvol = g.k[0] * g.k[1] * g.k[2]
	g.kdim = g.cin * g.kvol
	g.stride = g.cin*g.vp + 2*nr
	if g.n*g.stride >= 1<<31 || g.kdim == 0 || g.cout == 0 || g.n == 0 {
		return g, false
	}
	return g, true
}

// padInput copies x (n×cin×in) into xp (n images of g.stride elements),
// zeroing the borders and the tail, writing every element once.
func (g *directGeom) padInput(x, xp []float32) {
	j := getJob[padJob](&padJobs)
	*j = padJob{g: *g, x: x, xp: xp}
	parallelJob(g.n*g.cin, 1, j)
	putJob(&padJobs, j)
}

var padJobs jobList

type padJob struct {
	g     directGeom
	x, xp []float32
}

func (j *padJob) run(lo, hi int) {
	g, x, xp := &j.g, j.x, j.xp
	inVol := g.in[0] * g.in[1] * g.in[2]
	if g.phases > 1 {
		j.runPhases(lo, hi)
		return
	}
	{
		for u := lo; u < hi; u++ {
			n, ci := u/g.cin, u%g.cin
			dst := xp[n*g.stride+ci*g.vp : n*g.stride+(ci+1)*g.vp]
			src := x[u*inVol : (u+1)*inVol]
			for d := 0; d < g.pin[0]; d++ {
				pl := dst[d*g.plane : (d+1)*g.plane]
				sd := d - g.pad[0]
				if sd < 0 || sd >= g.in[0] {
					clear(pl)
					continue
				}
				clear(pl[:g.pad[1]*g.pin[2]])
				clear(pl[(g.pad[1]+g.in[1])*g.pin[2]:])
				padRows(pl[g.pad[1]*g.pin[2]:(g.pad[1]+g.in[1])*g.pin[2]], src[sd*g.in[1]*g.in[2]:(sd+1)*g.in[1]*g.in[2]], g.in[2], g.pad[2])
			}
			if ci == g.cin-1 {
				clear(xp[n*g.stride+g.cin*g.vp : (n+1)*g.stride])
			}
		}
	}
}

// padRows copies the rows of w values of src into dst, each between p
// zeros on the left and the rest of its row of len(dst)/(len(src)/w) on
// the right. The borders are stored one value at a time: as clear calls
// they cost more than the copy for rows as short as a 3D U-Net's
// (12 to 48 values).
func padRows(dst, src []float32, w, p int) {
	rows := len(src) / w
	if rows == 0 {
		return
	}
	pw := len(dst) / rows
	for h := 0; h < rows; h++ {
		row := dst[h*pw : (h+1)*pw]
		for i := range row[:p] {
			row[i] = 0
		}
		copy(row[p:p+w], src[h*w:(h+1)*w])
		for i := p + w; i < len(row); i++ {
			row[i] = 0
		}
	}
}

// runPhases is run for a stride above 1: every element of the phase
// images, padding included, is written once from x or as zero. The
// source rows of one depth slice that land in one row phase are split
// among the column phases in one call (see splitRows).
func (j *padJob) runPhases(lo, hi int) {
	g, x, xp := &j.g, j.x, j.xp
	inVol := g.in[0] * g.in[1] * g.in[2]
	phVol := g.pa[0] * g.plane
	s1, s2 := g.s[1], g.s[2]
	for u := lo; u < hi; u++ {
		n, ci := u/g.cin, u%g.cin
		src := x[u*inVol : (u+1)*inVol]
		base := n*g.stride + ci*g.vp
		for ph := 0; ph < g.phases; ph += s2 {
			rd, rh := ph/(s1*s2), ph/s2%s1
			// Phase rows h read source rows h·s1 + rh − pad, inside the
			// image for h in [h0, h1).
			h0 := min(ceilDiv(max(g.pad[1]-rh, 0), s1), g.pa[1])
			h1 := min(max(ceilDiv(g.in[1]+g.pad[1]-rh, s1), h0), g.pa[1])
			for d := 0; d < g.pa[0]; d++ {
				sd := d*g.s[0] + rd - g.pad[0]
				at := base + ph*phVol + d*g.pa[1]*g.pa[2]
				if sd < 0 || sd >= g.in[0] {
					for rw := 0; rw < s2; rw++ {
						clear(xp[at+rw*phVol:][:g.pa[1]*g.pa[2]])
					}
					continue
				}
				for rw := 0; rw < s2; rw++ {
					clear(xp[at+rw*phVol:][:h0*g.pa[2]])
					clear(xp[at+rw*phVol+h1*g.pa[2]:][:(g.pa[1]-h1)*g.pa[2]])
				}
				if h1 > h0 {
					first := at + h0*g.pa[2]
					splitRows(xp[first:], phVol, g.pa[2], s2, src[(sd*g.in[1]+h0*s1+rh-g.pad[1])*g.in[2]:], h1-h0, g.in[2], s1*g.in[2], g.pad[2])
				}
			}
		}
		if ci == g.cin-1 {
			clear(xp[n*g.stride+g.cin*g.vp : (n+1)*g.stride])
		}
	}
}

// splitRows writes the column phases of rows source rows of w values,
// srcStride apart in src and padded by p zeros on the left, into rows of
// pa values, pa apart, of the s phase images that start phVol apart in
// dst: phase r's row i, column c is padded column c·s + r of source row
// i, zero outside it. With s = 2 all the rows are one split2Rows call
// (the padding of a 3×3×3 stride-2 convolution, 16 channels at 48³,
// batch 2: one call per row cost a third of the forward pass).
func splitRows(dst []float32, phVol, pa, s int, src []float32, rows, w, srcStride, p int) {
	if s != 2 {
		splitRowsAny(dst, phVol, pa, s, src, rows, w, srcStride, p)
		return
	}
	// Padded columns [0, p) and [p+w, 2·pa) are zero.
	for col := range 2 * pa {
		if col >= p && col < p+w {
			continue
		}
		z := dst[col&1*phVol+col>>1:]
		for i := range rows {
			z[i*pa] = 0
		}
	}
	// Source value k lands at padded column k+p.
	a, b := dst[p&1*phVol+p>>1:], dst[(p+1)&1*phVol+(p+1)>>1:]
	split2Rows(a, b, src, w/2, rows, pa, srcStride)
	if w%2 == 1 {
		col := p + w - 1
		for i := range rows {
			dst[col&1*phVol+i*pa+col>>1] = src[i*srcStride+w-1]
		}
	}
}

// splitRowsAny is splitRows for any stride s, a value at a time.
func splitRowsAny(dst []float32, phVol, pa, s int, src []float32, rows, w, srcStride, p int) {
	for i := range rows {
		for col := 0; col < s*pa; col++ {
			v := float32(0)
			if k := col - p; k >= 0 && k < w {
				v = src[i*srcStride+k]
			}
			dst[col%s*phVol+i*pa+col/s] = v
		}
	}
}

// offsetBuf is a reusable buffer for offsets.
type offsetBuf struct{ s []int32 }

var offsetBufs jobList

// getOffsets returns the im2col row offsets of g in a buffer from a free
// list; give it back with keepJob(&offsetBufs, b).
func (g *directGeom) getOffsets() (*offsetBuf, []int32) {
	b := getJob[offsetBuf](&offsetBufs)
	if cap(b.s) < g.kdim {
		b.s = make([]int32, g.kdim)
	}
	off := b.s[:g.kdim]
	g.offsets(off)
	return b, off
}

// offsets returns the start of each im2col row in a padded image.
func (g *directGeom) offsets(off []int32) {
	p := 0
	for ci := 0; ci < g.cin; ci++ {
		for kd := 0; kd < g.k[0]; kd++ {
			for kh := 0; kh < g.k[1]; kh++ {
				for kw := 0; kw < g.k[2]; kw++ {
					a, b, c := kd*g.dil[0], kh*g.dil[1], kw*g.dil[2]
					ph := ((a%g.s[0])*g.s[1]+b%g.s[1])*g.s[2] + c%g.s[2]
					off[p] = int32(ci*g.vp + ph*g.pa[0]*g.plane + a/g.s[0]*g.plane + b/g.s[1]*g.pa[2] + c/g.s[2])
					p++
				}
			}
		}
	}
}

// convDirectForward computes y = conv(x, w) (+ bias) for a geometry that
// newDirectGeom accepted. A flip above 0 says that w holds backward-data's
// weights unflipped (see convBackwardDataDirect): [g.cin][g.cout][flip],
// to be read transposed over channels and flipped in space, which the
// weight packing of the tiled and GEMM paths does as it packs.
func convDirectForward(ck *convKernel, g *directGeom, x, w, bias, y []float32, flip int) {
	mk := ck.mk
	mr, nr := mk.mr, mk.nr
	_, kc, _ := blockSizes(mk)
	K := g.kdim
	kc = ceilDiv(K, ceilDiv(K, kc))
	mpad := ceilDiv(g.cout, mr) * mr

	ob, offb := g.getOffsets()
	defer keepJob(&offsetBufs, ob)
	tiled := ck.tiled && tileFits(g)
	outVol := g.out[0] * g.out[1] * g.out[2]
	path := fwdGemm
	switch {
	case ck.row != nil && 4*g.cout <= mr:
		// One or a few output channels: a 12-row tile would be mostly
		// padding, so each channel is computed on its own.
		path = fwdRow
	case tiled:
		path = fwdTiled
	case ck.bcast && g.out[2]%16 == 0 && g.cout <= bcastMaxCout:
		// Runs of 16 positions never cross an output row: no panel
		// gathers (see directBcastJob).
		path = fwdBcast
		if ck.small && g.cin <= smallMaxCin {
			// Few taps: the broadcast kernel's transpose would cost a
			// third of its FMAs (see directSmallFwdJob).
			path = fwdSmall
		}
	}
	if flip > 0 && (path == fwdRow || path == fwdBcast || path == fwdSmall) {
		// The row and broadcast paths read w as it is: flip it first.
		wtb := getPack(len(w))
		defer putPack(wtb)
		wt := (*wtb)[:len(w)]
		flipWeights(g.cout, g.cin, flip, w, wt)
		w, flip = wt, 0
	}
	if flip > 0 {
		// The weights stay unflipped (see packFlipped): the taps are
		// flipped instead, each channel's offsets reversed.
		for c0 := 0; c0+flip <= len(offb); c0 += flip {
			slices.Reverse(offb[c0 : c0+flip])
		}
	}
	j := getJob[directFwdJob](&directFwdJobs)
	defer putJob(&directFwdJobs, j)
	*j = directFwdJob{ck: ck, g: *g, w: w, bias: bias, off: offb, kc: kc, mpad: mpad, flip: flip}

	switch path {
	case fwdRow:
		j.chunk = min(2048, g.qv)
		j.chunks = ceilDiv(g.qv, j.chunk)
	case fwdTiled:
		// Weights packed in 8-row panels per depth block of tileKC
		// taps, and the windows of one image.
		j.kc = ceilDiv(K, ceilDiv(K, tileKC))
		j.mpad = g.cout
		wpb := getPack(g.cout * K)
		defer putPack(wpb)
		j.wp = (*wpb)[:g.cout*K]
		asm := j.ck.tileAsm
		j.ck = tileKernGo
		if asm {
			j.ck = tileKernAsm
		}
		parallelJob(ceilDiv(K, j.kc)*(g.cout/8), 1, (*directPackJob)(j))
		nw := g.countWindows()
		wb := getJob[offsetBuf](&offsetBufs)
		defer keepJob(&offsetBufs, wb)
		if cap(wb.s) < 4*nw {
			wb.s = make([]int32, 4*nw)
		}
		j.win = wb.s[:4*nw]
		g.tileWindows(j.win)
	case fwdBcast:
		blocks := ceilDiv(g.cout, 16)
		wpb := getPack(blocks * K * 16)
		defer putPack(wpb)
		j.wp = (*wpb)[:blocks*K*16]
		clear(j.wp)
		for co := 0; co < g.cout; co++ {
			b, jj := co/16, co%16
			for p, v := range w[co*K : (co+1)*K] {
				j.wp[(b*K+p)*16+jj] = v
			}
		}
		j.chunk = min(256, outVol)
		j.chunks = ceilDiv(outVol, j.chunk)
	case fwdSmall:
		rows := smallFwdRows(g.cout, K)
		j.rows = rows
		blocks := ceilDiv(g.cout, rows)
		wpb := getPack(blocks * K * rows)
		defer putPack(wpb)
		j.wp = (*wpb)[:blocks*K*rows]
		packSmallFwd(j.wp, w, g.cout, K, rows)
		if bias != nil || rows == 6 {
			bpb := getPack(blocks * rows)
			defer putPack(bpb)
			j.bp = (*bpb)[:blocks*rows]
			clear(j.bp)
			copy(j.bp, bias)
		}
		// Whole calls of 64 or 48 positions.
		j.chunk = min(256, outVol)
		if rows == 8 {
			j.chunk = min(240, outVol)
		}
		j.chunks = ceilDiv(outVol, j.chunk)
		j.nt = j.ck.smallAsm && smallNT(y)
	default:
		// Pack the weights once: for each depth block, mpad/mr panels.
		wpb := getPack(mpad * K)
		defer putPack(wpb)
		j.wp = *wpb
		parallelJob(ceilDiv(K, kc)*(mpad/mr), 1, (*directPackJob)(j))
		// Up to 8 panels a unit, fewer where a group of images would
		// make fewer than fwdMinUnits units: with 10 units (12³, batch
		// 2) over two workers one could take 6.
		per := ceilDiv(ceilDiv(g.padGroup(1)*outVol, fwdMinUnits), nr) * nr
		j.chunk = min(8*nr, ceilDiv(outVol, nr)*nr, max(nr, per))
		j.chunks = ceilDiv(outVol, j.chunk)
	}

	// The images are padded and computed a group at a time, so that a
	// group's padded input is still in cache when it is read (see
	// padGroupBytes).
	// Enough images a group for fwdMinUnits units where the images are
	// small (the GEMM path shrinks its units instead).
	least := 1
	switch path {
	case fwdTiled:
		least = ceilDiv(fwdMinUnits*tileWins, len(j.win)/4)
	case fwdRow, fwdBcast, fwdSmall:
		least = ceilDiv(fwdMinUnits, j.chunks)
	}
	nb := g.padGroup(least)
	xpb := getPack(nb * g.stride)
	defer putPack(xpb)
	inVol := g.in[0] * g.in[1] * g.in[2]
	for n0 := 0; n0 < g.n; n0 += nb {
		m := min(nb, g.n-n0)
		j.g.n = m
		j.xp = (*xpb)[:m*g.stride]
		j.y = y[n0*g.cout*outVol : (n0+m)*g.cout*outVol]
		j.g.padInput(x[n0*g.cin*inVol:(n0+m)*g.cin*inVol], j.xp)
		switch path {
		case fwdRow:
			parallelJob(m*j.chunks, 1, (*directRowJob)(j))
		case fwdTiled:
			parallelJob(ceilDiv(m*len(j.win)/4, tileWins), 1, (*directTileJob)(j))
		case fwdBcast:
			parallelJob(m*j.chunks, 1, (*directBcastJob)(j))
		case fwdSmall:
			parallelJob(m*j.chunks, 1, (*directSmallFwdJob)(j))
		default:
			parallelJob(m*j.chunks, 1, j)
		}
	}
}

// The paths of convDirectForward.
const (
	fwdGemm = iota
	fwdRow
	fwdTiled
	fwdBcast
	fwdSmall
)

// fwdMinUnits is the fewest units of work the direct forward aims for per
// group of images, so that dynamic scheduling can balance two or
// three workers to within a few percent. It depends on the problem only,
// as the results must not depend on the worker count (they do not on the
// chunking either: each output's sum runs in the same order).
const fwdMinUnits = 16

// padGroupBytes bounds the padded input of one group of images that
// convDirectForward pads and then computes: about the two cores' L2, so
// that the kernels read the padding's output from cache rather than
// after a round trip through memory, which two workers share.
var padGroupBytes = 2 << 20

// padGroup returns the number of images per group: as many as fit
// padGroupBytes, at least least (and one), the batch cut into groups of
// equal size.
func (g *directGeom) padGroup(least int) int {
	most := max(1, least, padGroupBytes/(4*g.stride))
	groups := ceilDiv(g.n, most)
	return ceilDiv(g.n, groups)
}

var directFwdJobs jobList

// directFwdJob holds the arguments of convDirectForward.
type directFwdJob struct {
	ck                 *convKernel
	g                  directGeom
	xp, w, bias, y, wp []float32
	off                []int32
	kc, mpad           int
	chunk, chunks      int
	flip               int     // see convDirectForward
	win                []int32 // the tiled forward's windows (see tileWindows)
	// bp is the few-channel path's bias, padded with zeros to whole
	// blocks of rows channels (nil without a bias for blocks of 8); nt
	// has that path store y non-temporally.
	bp   []float32
	rows int
	nt   bool
}

type directRowJob directFwdJob

// run computes the chunks [lo, hi) one output channel at a time.
func (j *directRowJob) run(lo, hi int) {
	ck, g, xp, w, bias, y, offb, chunk, chunks := j.ck, &j.g, j.xp, j.w, j.bias, j.y, j.off, j.chunk, j.chunks
	K, outVol := g.kdim, g.out[0]*g.out[1]*g.out[2]
	tb := getPack(g.cout * chunk)
	defer putPack(tb)
	t := *tb
	for u := lo; u < hi; u++ {
		n, q0 := u/chunks, u%chunks*chunk
		wq := min(chunk, g.qv-q0)
		xn := xp[n*g.stride : (n+1)*g.stride]
		for co := 0; co < g.cout; co++ {
			ck.row(K, w[co*K:(co+1)*K], xn[q0:], offb, t[co*chunk:co*chunk+wq])
		}
		g.compact(t, chunk, q0, wq, bias, y[n*g.cout*outVol:(n+1)*g.cout*outVol])
	}
}

type directPackJob directFwdJob

// run packs the weight panels [lo, hi), with the kernel's vector packer
// where it has one (the Go packA was half of a 256→256 forward at 3³,
// where the weights outweigh the positions).
func (j *directPackJob) run(lo, hi int) {
	g, w, wp, kc, mpad, mr := &j.g, j.w, j.wp, j.kc, j.mpad, j.ck.mk.mr
	pk := j.ck.mk.packA
	K := g.kdim
	for u := lo; u < hi; u++ {
		b, ir := u/(mpad/mr), u%(mpad/mr)*mr
		pc := b * kc
		kcur := min(kc, K-pc)
		h := min(mr, g.cout-ir)
		dst := wp[pc*mpad+ir*kcur:]
		switch {
		case j.flip > 0:
			packFlipped(dst, pk, mr, w, g.cout, j.flip, ir, h, pc, kcur)
		case pk != nil && K < 1<<26:
			pk(dst[:kcur*mr], w[ir*K+pc:(ir+h-1)*K+pc+kcur], K, kcur, h, 1)
		default:
			packA(dst, mr, w, K, false, 1, ir, h, pc, kcur)
		}
	}
}

// packFlipped is packA of rows i0 to i0+h−1 and columns p0 to p0+kc−1 of
// the matrix A[i][q] = w[((q/kvol)·m + i)·kvol + q%kvol]: the
// backward-data weights of m output channels (the forward's input
// channels) read from the forward's weights w, transposed over channels,
// without a transposed copy of w. The flip in space is not done here:
// convDirectForward reverses the taps' offsets within each channel
// instead, so that each channel's block of A is a plain row-major
// matrix (m×kvol) that pk (the kernel's vector packer, nil for packA)
// packs directly.
func packFlipped(dst []float32, pk func(dst, a []float32, lda, kc, h int, alpha float32), mr int, w []float32, m, kvol, i0, h, p0, kc int) {
	for q := p0; q < p0+kc; {
		co, t := q/kvol, q%kvol
		n := min(kvol-t, p0+kc-q)
		a := w[(co*m+i0)*kvol+t:]
		d := dst[(q-p0)*mr : (q-p0+n)*mr]
		if pk != nil {
			pk(d, a[:(h-1)*kvol+n], kvol, n, h, 1)
		} else {
			packA(d, mr, a, kvol, false, 1, 0, h, 0, n)
		}
		q += n
	}
}

// run computes the chunks [lo, hi) of output positions.
func (j *directFwdJob) run(lo, hi int) {
	ck, g, xp, bias, y, offb, wp, kc, mpad, chunk, chunks := j.ck, &j.g, j.xp, j.bias, j.y, j.off, j.wp, j.kc, j.mpad, j.chunk, j.chunks
	mk := ck.mk
	mr, nr := mk.mr, mk.nr
	K, outVol := g.kdim, g.out[0]*g.out[1]*g.out[2]
	// The gathered panel, with the 16 elements of room gatherSegsAVX512
	// may write past it, and a tile for the ragged edges.
	tb := getPack(kc*nr + 16 + mr*nr)
	defer putPack(tb)
	bp, tile := (*tb)[:kc*nr+16], (*tb)[kc*nr+16:kc*nr+16+mr*nr]
	var segBuf [3 * 64]int32
	for u := lo; u < hi; u++ {
		n, o0 := u/chunks, u%chunks*chunk
		wq := min(chunk, outVol-o0)
		xn := xp[n*g.stride : (n+1)*g.stride]
		yn := y[n*g.cout*outVol : (n+1)*g.cout*outVol]
		for pc := 0; pc < K; pc += kc {
			kcur := min(kc, K-pc)
			beta := float32(1)
			if pc == 0 {
				beta = 0
			}
			off := offb[pc : pc+kcur]
			wblk := wp[pc*mpad : pc*mpad+mpad*kcur]
			for jr := 0; jr < wq; jr += nr {
				w := min(nr, wq-jr)
				segs := g.segments(o0+jr, w, segBuf[:])
				if ck.segsAsm {
					gatherSegsAVX512(bp, xn, off, kcur, nr, segs)
				} else {
					gatherSegsGo(bp, xn, off, kcur, nr, segs)
				}
				b := bp[:kcur*nr]
				for ir := 0; ir < g.cout; ir += mr {
					h := min(mr, g.cout-ir)
					a := wblk[ir*kcur : (ir+mr)*kcur]
					ci := ir*outVol + o0 + jr
					if h == mr && w == nr {
						mk.fn(kcur, a, b, yn[ci:ci+(mr-1)*outVol+nr], outVol, beta)
						continue
					}
					mk.fn(kcur, a, b, tile, nr, 0)
					for i := 0; i < h; i++ {
						cr := yn[ci+i*outVol : ci+i*outVol+w]
						tr := tile[i*nr : i*nr+w]
						if beta == 0 {
							copy(cr, tr)
						} else {
							for jj, v := range tr {
								cr[jj] += v
							}
						}
					}
				}
			}
		}
		addBias(yn, bias, outVol, o0, wq)
	}
}

// smallNT reports whether the few-channel forward stores y non-temporally
// (convFwd6x64NTAVX512): an output of several L2s has left the caches
// before the next layer reads it, and storing it through them would read
// every line first. The vectors stored start on lines when y does, as its
// planes hold whole vectors on that path (outVol%16 == 0).
func smallNT(y []float32) bool {
	return 4*len(y) >= normNTBytes() && uintptr(unsafe.Pointer(unsafe.SliceData(y)))%64 == 0
}

// addBias adds bias[co] to the positions [o0, o0+w) of every channel co
// of one image's output yn (nothing for a nil bias).
func addBias(yn, bias []float32, outVol, o0, w int) {
	for co, bv := range bias {
		y := yn[co*outVol+o0 : co*outVol+o0+w]
		for i := range y {
			y[i] += bv
		}
	}
}

// bcastMaxCout is the most output channels for which the forward runs on
// convBcast16AVX512, which reads each input value once per 16 channels.
const bcastMaxCout = 32

type directBcastJob directFwdJob

// run computes the chunks [lo, hi) of output positions 16 at a time,
// 16 channels per kernel call, the weights packed tap-major in j.wp.
func (j *directBcastJob) run(lo, hi int) {
	g, xp, y, chunk, chunks := &j.g, j.xp, j.y, j.chunk, j.chunks
	K, outVol := g.kdim, g.out[0]*g.out[1]*g.out[2]
	for u := lo; u < hi; u++ {
		n, o0 := u/chunks, u%chunks*chunk
		wq := min(chunk, outVol-o0)
		xn := xp[n*g.stride : (n+1)*g.stride]
		yn := y[n*g.cout*outVol : (n+1)*g.cout*outVol]
		for o := o0; o < o0+wq; o += 16 {
			q, _ := g.run(o, 16)
			for b := 0; b*16 < g.cout; b++ {
				convBcast16AVX512(K, xn[q:], j.off, j.wp[b*K*16:(b+1)*K*16], yn[b*16*outVol+o:], outVol, min(16, g.cout-b*16))
			}
		}
		addBias(yn, j.bias, outVol, o0, wq)
	}
}

// segments lists the runs of the output positions [o, o+w) of one image
// in segs as (src, col, n) triples: n positions from the virtual position
// src of the padded image onward fill panel columns col to col+n−1. It
// returns the filled part of segs, which must hold 3·w values.
func (g *directGeom) segments(o, w int, segs []int32) []int32 {
	s := segs[:0]
	for col := 0; col < w; {
		q, n := g.run(o, w-col)
		s = append(s, int32(q), int32(col), int32(n))
		col += n
		o += n
	}
	return s
}

// run returns the virtual position q of output position o and the number
// n ≤ most of positions from o on that lie in the same output row.
func (g *directGeom) run(o, most int) (q, n int) {
	hw := g.out[1] * g.out[2]
	od, r := o/hw, o%hw
	oh, ow := r/g.out[2], r%g.out[2]
	return od*g.plane + oh*g.pa[2] + ow, min(g.out[2]-ow, most)
}

// compact copies the valid positions among the virtual positions
// [q0, q0+wq) of every output channel, held in t with row stride ldt, into
// the image's output yn, adding the bias.
func (g *directGeom) compact(t []float32, ldt, q0, wq int, bias, yn []float32) {
	outVol := g.out[0] * g.out[1] * g.out[2]
	for q := q0; q < q0+wq; {
		od, r := q/g.plane, q%g.plane
		oh, ow := r/g.pa[2], r%g.pa[2]
		if oh >= g.out[1] || ow >= g.out[2] {
			// Skip to the next row (or plane) start.
			if oh >= g.out[1] {
				q = (od + 1) * g.plane
			} else {
				q += g.pa[2] - ow
			}
			continue
		}
		run := min(g.out[2]-ow, q0+wq-q)
		yo := (od*g.out[1]+oh)*g.out[2] + ow
		for co := 0; co < g.cout; co++ {
			src := t[co*ldt+q-q0 : co*ldt+q-q0+run]
			dst := yn[co*outVol+yo : co*outVol+yo+run]
			if bias == nil {
				copy(dst, src)
			} else {
				bv := bias[co]
				for i, v := range src {
					dst[i] = v + bv
				}
			}
		}
		q += run
	}
}

// pointwiseParams reports whether p is a 1×1(×1) convolution with stride 1
// and no padding, which the direct hooks leave to the generic path: there
// the input is the GEMM's operand as it is, while the direct path would
// copy it into a padded image for a few FLOPs per value. Measured (1
// thread, CPU, 7 paired rounds, the 1×1 convolutions of Modified3DUNet
// f8 and f16, fwd / bwd-data / bwd-weight): 32→1 at 48³ 7.7 → 3.3,
// 4.0 → 3.3, 8.7 → 6.3 ms; 64→32 at 24³ 3.8 → 1.8, 2.5 → 1.6,
// 3.7 → 2.8; 128→64 at 12³ 1.2 → 0.6, 0.7 → 0.5, 1.5 → 0.8; only two
// weight gradients slower (16→1 at 48³ 4.1 → 4.8, 32→16 at 24³
// 1.2 → 1.5).
func pointwiseParams(p ConvParams) bool {
	for i, k := range p.Kernel {
		if k != 1 || at(p.Stride, i, 1) != 1 || at(p.Pad, i, 0) != 0 {
			return false
		}
	}
	return p.Groups <= 1
}

// convForwardDirect is the convForwardF32 hook.
func convForwardDirect(p ConvParams, x, w, bias, y []float32) bool {
	if convKern == nil {
		return false
	}
	if pointwiseParams(p) {
		if !pointwiseByChannel(p) {
			return false
		}
		pointwiseMix(p.N, p.Cin, p.Cout, prod(p.In), x, w, p.Cin, 1, bias, y)
		return true
	}
	if ocTakes(p, passForward) {
		convOCForward(p, x, w, bias, y)
		return true
	}
	if cg := p.geom("ConvForward"); colsFits(&cg) {
		convColsForward(&cg, x, w, bias, y)
		return true
	}
	ck := convKern.pick(p.Cout)
	g, ok := newDirectGeom(p, ck.mk.nr)
	if !ok {
		return false
	}
	convDirectForward(ck, &g, x, w, bias, y, 0)
	return true
}

// convBackwardDataDirect is the convBackwardDataF32 hook: for stride 1 the
// input gradient is the convolution of dy with the weights transposed over
// channels and flipped in space, padded by dil·(k−1) − pad.
func convBackwardDataDirect(p ConvParams, dy, w, dx []float32) bool {
	if convKern == nil || p.Groups > 1 {
		return false
	}
	if pointwiseParams(p) {
		if !pointwiseByChannel(p) {
			return false
		}
		pointwiseMix(p.N, p.Cout, p.Cin, prod(p.In), dy, w, 1, p.Cin, nil, dx)
		return true
	}
	if ocTakes(p, passData) {
		convOCData(p, dy, w, dx)
		return true
	}
	if cg := p.geom("ConvBackwardData"); colsFits(&cg) {
		convColsBackwardData(&cg, dy, w, dx)
		return true
	}
	if g, ok := smallGeom(p); ok {
		convBackwardDataSmall(&g, dy, w, dx)
		return true
	}
	ck := convKern.pick(p.Cin)
	nd := len(p.In)
	if nd > 3 {
		return false
	}
	for i := 0; i < nd; i++ {
		if at(p.Stride, i, 1) != 1 {
			return convBackwardDataPhases(p, dy, w, dx)
		}
	}
	// The equivalent convolution's sizes live on the stack (p.Out would
	// allocate); with stride 1 the output size is in + 2·pad − dil·(k−1).
	var in, pad [3]int
	q := ConvParams{N: p.N, Cin: p.Cout, Cout: p.Cin, In: in[:nd], Kernel: p.Kernel,
		Pad: pad[:nd], Dilation: p.Dilation}
	for i := 0; i < nd; i++ {
		if at(p.Stride, i, 1) != 1 {
			return false
		}
		q.In[i] = p.In[i] + 2*at(p.Pad, i, 0) - at(p.Dilation, i, 1)*(p.Kernel[i]-1)
		q.Pad[i] = at(p.Dilation, i, 1)*(p.Kernel[i]-1) - at(p.Pad, i, 0)
		if q.Pad[i] < 0 {
			return false
		}
	}
	g, ok := newDirectGeom(q, ck.mk.nr)
	if !ok {
		return false
	}
	convDirectForward(ck, &g, dy, w, nil, dx, prod(p.Kernel))
	return true
}

// convBT is op(B) of the weight-gradient GEMM dW = dYp·Bᵀ of one image:
// op(B)[q][p] = xp[off[p]+q], the transposed implicit im2col matrix.
type convBT struct {
	xp  []float32 // one padded image
	off []int32
	ck  *convKernel
	g   *directGeom // maps output positions (the depth) to virtual ones
}

func (s *convBT) packB(dst []float32, nr, p0, kc, j0, w int) {
	dst = dst[:kc*nr]
	if w < nr {
		clear(dst)
	}
	var idx [16]int32
	for j := 0; j < w; j += 16 {
		lanes := min(16, w-j)
		copy(idx[:lanes], s.off[j0+j:j0+j+lanes])
		// Depth rows r are the output positions p0+r, gathered one run
		// (output row) at a time.
		for r := 0; r < kc; {
			q, n := s.g.run(p0+r, kc-r)
			if s.ck.colsAsm {
				gatherCols16AVX512(dst[r*nr+j:], s.xp[q:], &idx, lanes, n, nr)
			} else {
				gatherColsGo(dst[r*nr+j:], s.xp[q:], &idx, lanes, n, nr)
			}
			r += n
		}
	}
}

var directBwdWeightJobs, convBTJobs jobList

// directBwdWeightJob holds the arguments of convBackwardWeightDirect.
type directBwdWeightJob struct {
	ck     *convKernel
	g      directGeom
	x, dy  []float32 // x unpadded: see padImage
	dw     []float32
	off    []int32
	pieces int
	// parts holds the sums of pieces 1, 2, … one after the other: one
	// scratch buffer, since a free list keeps only a few buffers per size
	// and a piece count above that would allocate on every call.
	parts []float32
	// The transposed path's tile (dwtW channels × dwtRB kernel rows), its
	// channels and kernel rows, and both rounded up to whole tiles.
	dwtW, dwtRB, mpad, rows, rpad int
}

// image adds (beta 1) or writes (beta 0) the weight gradient of image n,
// padded in xn, into acc: a GEMM over the valid output positions, dy being A as it is.
func (j *directBwdWeightJob) image(n int, xn, acc []float32, beta float32) {
	g := &j.g
	outVol := g.out[0] * g.out[1] * g.out[2]
	b := getJob[convBT](&convBTJobs)
	*b = convBT{xp: xn, off: j.off, ck: j.ck, g: g}
	sgemmPacked(j.ck.mk, g.cout, g.kdim, outVol, 1, j.dy[n*g.cout*outVol:(n+1)*g.cout*outVol], outVol, false, b, beta, acc, g.kdim)
	*b = convBT{}
	putJob(&convBTJobs, b)
}

// dwBlock is the number of virtual positions per call of the
// weight-gradient tile kernel: 4 rows of the padded output gradient of
// this length (32 KB) stay in L1 while the taps stream past them, and
// the kernel's closing reduction is a few percent of its work.
const dwBlock = 2048

// imageDot adds (beta 1) or writes (beta 0) the weight gradient of image
// n, padded in xn, into acc as 4×4 tiles of dot products along the virtual positions
// (convDW4x4AVX512), dyb (4·ceil(cout/4) rows of dwBlock) holding a
// block of the output gradient padded to those positions.
func (j *directBwdWeightJob) imageDot(n int, xn, acc, dyb []float32, beta float32, split bool) {
	g := &j.g
	K, outVol := g.kdim, g.out[0]*g.out[1]*g.out[2]
	if beta == 0 {
		clear(acc[:g.cout*K])
	}
	dyn := j.dy[n*g.cout*outVol : (n+1)*g.cout*outVol]
	for q0 := 0; q0 < g.qv; q0 += dwBlock {
		nq := min(dwBlock, g.qv-q0)
		g.padOutputBlock(dyn, dyb, q0, nq)
		if !split {
			for co := 0; co < g.cout; co += 4 {
				j.dotRows(co, nq, dyb, xn[q0:], acc)
			}
			continue
		}
		// Fewer pieces than workers: the 4-row tiles of the block are
		// shared out. Each row's sums still run in the same order, so
		// the result does not depend on the split.
		t := getJob[dotRowsJob](&dotRowsJobs)
		*t = dotRowsJob{j: j, nq: nq, dyb: dyb, xq: xn[q0:], acc: acc}
		parallelJob(ceilDiv(g.cout, 4), 1, t)
		*t = dotRowsJob{}
		putJob(&dotRowsJobs, t)
	}
}

var dotRowsJobs jobList

// dotRowsJob is one block of imageDot shared out by 4-row tiles.
type dotRowsJob struct {
	j            *directBwdWeightJob
	nq           int
	dyb, xq, acc []float32
}

func (t *dotRowsJob) run(lo, hi int) {
	for u := lo; u < hi; u++ {
		t.j.dotRows(4*u, t.nq, t.dyb, t.xq, t.acc)
	}
}

// dotRows adds to rows co to co+3 of acc the dot products of rows co to
// co+3 of the padded output-gradient block dyb (nq positions) with every
// tap's row of the padded input block xq.
func (j *directBwdWeightJob) dotRows(co, nq int, dyb, xq, acc []float32) {
	g := &j.g
	K := g.kdim
	var off [4]int32
	var tile [16]float32
	d := dyb[co*dwBlock:]
	for p := 0; p < K; p += 4 {
		if co+4 <= g.cout && p+4 <= K {
			copy(off[:], j.off[p:p+4])
			convDW4x4AVX512(nq, d, dwBlock, xq, &off, acc[co*K+p:], K)
			continue
		}
		// A ragged tile: missing taps repeat the last one, and only the
		// existing rows and taps are added to acc.
		for t := range off {
			off[t] = j.off[min(p+t, K-1)]
		}
		clear(tile[:])
		convDW4x4AVX512(nq, d, dwBlock, xq, &off, tile[:], 4)
		for i := 0; i < min(4, g.cout-co); i++ {
			for t := 0; t < min(4, K-p); t++ {
				acc[(co+i)*K+p+t] += tile[i*4+t]
			}
		}
	}
}

// padOutputBlock writes the virtual positions [q0, q0+nq) of the output
// gradient dy of one image into dyb (rows of dwBlock, as many as dyb
// holds): dy's values at valid positions, zero elsewhere and in the rows
// past cout.
func (g *directGeom) padOutputBlock(dy, dyb []float32, q0, nq int) {
	outVol := g.out[0] * g.out[1] * g.out[2]
	rows := len(dyb) / dwBlock
	for r := 0; r < rows; r++ {
		clear(dyb[r*dwBlock : r*dwBlock+nq])
	}
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
				copy(dyb[co*dwBlock+lo-q0:co*dwBlock+hi-q0], dy[co*outVol+s:co*outVol+s+hi-lo])
			}
		}
	}
}

// dot reports whether the weight gradient runs as dot products
// (imageDot) rather than as a GEMM (image): measured faster up to 64×64
// channels, where the GEMM's transposing panel gathers cost as much as
// its arithmetic, unless the padded plane's surplus positions, which the
// dot products compute and the GEMM skips, exceed a fifth.
func (j *directBwdWeightJob) dot() bool {
	g := &j.g
	outVol := g.out[0] * g.out[1] * g.out[2]
	// The choice depends on the problem alone, not on the worker count,
	// so that results do not change with it (TestWorkerCountInvariance).
	return j.ck.dwAsm && g.cin*g.cout <= 64*64 && 5*g.qv < 6*outVol
}

// run computes pieces [lo, hi): piece p sums the gradients of its fixed
// run of images, in order, into its own accumulator (piece 0 into dw).
func (j *directBwdWeightJob) run(lo, hi int) {
	g := &j.g
	var dyb *[]float32
	if j.dot() {
		dyb = getPack(ceilDiv(g.cout, 4) * 4 * dwBlock)
		defer putPack(dyb)
	}
	xb := getPack(g.stride)
	defer putPack(xb)
	for p := lo; p < hi; p++ {
		acc := j.dw
		if p > 0 {
			acc = j.parts[(p-1)*g.cout*g.kdim : p*g.cout*g.kdim]
		}
		for n := p * g.n / j.pieces; n < (p+1)*g.n/j.pieces; n++ {
			beta := float32(min(n-p*g.n/j.pieces, 1))
			xn := j.padImage(n, *xb)
			if dyb != nil {
				j.imageDot(n, xn, acc, (*dyb)[:ceilDiv(g.cout, 4)*4*dwBlock], beta, j.pieces < Workers())
			} else {
				j.image(n, xn, acc, beta)
			}
		}
	}
}

// padImage pads image n of the input into buf and returns the padded
// image. Each image is padded just before its weight gradient is summed,
// by the worker that sums it (or by all of them when the pieces are too
// few to share out), so that it is read back from that core's cache and
// the scratch is one image per worker rather than the batch.
func (j *directBwdWeightJob) padImage(n int, buf []float32) []float32 {
	g1 := j.g
	g1.n = 1
	inVol := g1.in[0] * g1.in[1] * g1.in[2]
	xn := buf[:g1.stride]
	g1.padInput(j.x[n*g1.cin*inVol:(n+1)*g1.cin*inVol], xn)
	return xn
}

// convBackwardWeightDirect is the convBackwardWeightF32 hook: per image,
// dW += dY·Bᵀ with the implicit im2col matrix B of the padded input (as a
// GEMM, or as dot products, see dot), the images cut into pieces with
// private accumulators.
func convBackwardWeightDirect(p ConvParams, x, dy, dw, dbias []float32) bool {
	if convKern == nil || convKern.gatherCols == nil {
		return false
	}
	if pointwiseParams(p) {
		if !pointwiseByChannel(p) {
			return false
		}
		pointwiseWeightGradient(p.N, p.Cin, p.Cout, prod(p.In), x, dy, dw)
		if dbias != nil {
			biasGradient(p.N, p.Cout, prod(p.In), dy, dbias)
		}
		return true
	}
	if g, ok := smallGeom(p); ok && convBackwardWeightSmall(p, &g, x, dy, dw, dbias) {
		return true
	}
	if ocTakes(p, passWeight) {
		convOCWeight(p, x, dy, dw, dbias)
		return true
	}
	ck := convKern.pick(p.Cout)
	g, ok := newDirectGeom(p, ck.mk.nr)
	if !ok {
		return false
	}
	ob, off := g.getOffsets()
	defer keepJob(&offsetBufs, ob)
	j := getJob[directBwdWeightJob](&directBwdWeightJobs)
	*j = directBwdWeightJob{ck: ck, g: g, x: x, dy: dy, dw: dw, off: off}
	// A partition of the images into pieces fixed by the problem alone
	// (bwdWeightPieces), each piece with its own partial sum, the partials
	// added in piece order: the result depends neither on which goroutine
	// ran which piece nor on how many there are.
	j.pieces = bwdWeightPieces(g.n, g.out[0]*g.out[1]*g.out[2])
	size := g.cout * g.kdim
	if w, _ := j.dwtShape(); w > 0 {
		j.backwardWeightDWT()
	} else {
		j.backwardWeight(size)
	}
	*j = directBwdWeightJob{}
	keepJob(&directBwdWeightJobs, j)
	if dbias != nil {
		biasGradient(g.n, g.cout, g.out[0]*g.out[1]*g.out[2], dy, dbias)
	}
	return true
}

// backwardWeight computes the weight gradient into j.dw with the GEMM or
// the dot products (see dot), in j.pieces fixed pieces of images.
func (j *directBwdWeightJob) backwardWeight(size int) {
	dw := j.dw
	if j.pieces > 1 {
		pb := getPack((j.pieces - 1) * size)
		defer putPack(pb)
		j.parts = *pb
	}
	if j.pieces < Workers() {
		// Too few pieces to share out: they run in turn and the GEMMs
		// parallelise themselves.
		j.run(0, j.pieces)
	} else {
		parallelJob(j.pieces, 1, j)
	}
	if j.pieces > 1 {
		sumPieces(dw, j.parts[:(j.pieces-1)*size])
	}
}
