//go:build !purego

package kernels

// The output-channel path: a direct convolution whose vectors hold 16
// output channels instead of 16 output positions, for the 3D layers that
// the position-vector paths serve badly. A block is 6, 12 or 24
// positions of one output row by 64, 32 or 16 channels (convOC6x64AVX512,
// convOC12x32S1AVX512, convOC24x16S1AVX512 and their stride-2 twins), 24
// vectors of sums in registers; each step broadcasts the positions'
// inputs of one input channel and tap and multiplies them by that
// channel's and tap's weights.
//
//   - Small volumes. At 6³ a quarter of the taps that a padded image
//     feeds the GEMM read padding. A block's positions share one output
//     row, so the taps whose depth or height lie in the padding are left
//     out of its sum instead of multiplied by zeros.
//   - Strides. The positions' inputs are broadcast from wherever they lie,
//     so a stride-2 layer reads its input in place instead of splitting it
//     into phases first, and its backward-data pass, a transposed
//     convolution, computes each row's positions of one parity (whose taps
//     are the same) from the output gradient, without the phases' padding
//     and scatter.
//
// Only the width of the input is padded (a copy with zero columns), so
// that a row's taps are the same for all its positions. Each call sums
// every valid tap and input channel of a chunk for a block and stores it;
// the order of the sum (channel chunk, tap, channel) depends on the
// problem alone. The weight gradient (convocdw_amd64.go) runs on the same
// geometry.

// convOC6x64AVX512 is convOC6x64Go with wcs in bytes: the caller
// guarantees that every x[pos[j] + taps[2i] + c·xcs] and w[taps[2i+1] +
// c·wcs/4 : +64] lies inside x and w.
//
//go:noescape
func convOC6x64AVX512(x *float32, pos *[6]int32, taps *int32, ntaps, cin, xcs int, w *float32, t *[384]float32, acc, wcs int)

// convOC6x64Go sets t[j·64 + o], for the 6 positions j and 64 output
// channels o, to Σ_i Σ_{c<cin} x[pos[j] + taps[2i] + c·xcs] ·
// w[taps[2i+1] + c·wcs + o] over the tap pairs (input offset, weight
// offset) of taps, summed in that order, from t's own value with
// accumulate.
func convOC6x64Go(x []float32, pos *[6]int32, taps []int32, cin, xcs int, w []float32, wcs int, t *[384]float32, accumulate bool) {
	var acc [6][64]float32
	if accumulate {
		for j := range acc {
			copy(acc[j][:], t[j*64:][:64])
		}
	}
	for i := 0; i+1 < len(taps); i += 2 {
		xo, wo := int(taps[i]), int(taps[i+1])
		for c := range cin {
			wc := w[wo+c*wcs:][:64]
			for j, p := range pos {
				v := x[int(p)+xo+c*xcs]
				for o, wv := range wc {
					acc[j][o] += v * wv
				}
			}
		}
	}
	for j := range acc {
		copy(t[j*64:][:64], acc[j][:])
	}
}

// convOC6x64 checks the bounds convOC6x64Go would and runs the kernel.
func convOC6x64(x []float32, pos *[6]int32, taps []int32, cin, xcs int, w []float32, wcs int, t *[384]float32, accumulate bool) {
	n := len(taps) / 2
	if n == 0 || cin <= 0 {
		if !accumulate {
			clear(t[:])
		}
		return
	}
	lo, hi := pos[0], pos[0]
	for _, p := range pos[1:] {
		lo, hi = min(lo, p), max(hi, p)
	}
	checkTaps(x, int(lo), int(hi), taps, cin, xcs, w, wcs, 64)
	convOC6x64AVX512(&x[0], pos, &taps[0], n, cin, xcs, &w[0], t, b2acc(accumulate), 4*wcs)
}

// checkTaps panics unless every read of the output-channel kernels lies
// inside x and w: inputs from x[lo + taps[2i]] to x[hi + taps[2i] +
// (cin−1)·xcs], weights wn values from w[taps[2i+1] + c·wcs].
func checkTaps(x []float32, lo, hi int, taps []int32, cin, xcs int, w []float32, wcs, wn int) {
	xlo, xhi, wlo, whi := taps[0], taps[0], taps[1], taps[1]
	for i := 2; i+1 < len(taps); i += 2 {
		xlo, xhi = min(xlo, taps[i]), max(xhi, taps[i])
		wlo, whi = min(wlo, taps[i+1]), max(whi, taps[i+1])
	}
	if lo+int(xlo) < 0 || wlo < 0 {
		panic("kernels: output-channel convolution: negative offset")
	}
	_ = x[hi+int(xhi)+(cin-1)*xcs]
	_ = w[int(whi)+(cin-1)*wcs+wn-1]
}

// b2acc is the kernels' acc argument.
func b2acc(accumulate bool) int {
	if accumulate {
		return 1
	}
	return 0
}

// ocGeom is a convolution on the output-channel path. It reads x, cin
// channels of size xs padded in width by wl and wr, and writes y, cout
// channels of size ys. Forward, x is the layer's input and y its output;
// with trans, y is the input gradient and x the output gradient of the
// layer of kernel k, stride s and padding pad (dilation 1).
type ocGeom struct {
	n, cin, cout int
	xs, ys       [3]int
	k, s, pad    [3]int
	trans        bool
	// rowT, with trans, says that a block is positions yw0 to yw0+np−1 of
	// a row, yw0 even, computed by the stride-2 transposed kernels
	// (convOCTGo) from the three taps of each kernel row at once: stride
	// 2, kernel rows of 3, padding 1, 16 or 32 channels.
	rowT          bool
	wl, wr        int // zero columns left and right of each row of x
	wp, plane     int // padded row and plane of the copy
	chn, img      int // one channel and one image of the copy
	kvol          int
	v, np         int    // vectors of 16 channels a block, positions a block
	classes, step int    // classes of positions by column (trans: by parity), their column step
	xstep         int    // input values between a block's positions
	nbc           [3]int // blocks of each class in one row of one image
	nbr           int    // blocks in one row of one image
}

// newOCGeom returns the geometry of the forward convolution p, or with
// trans of its backward-data pass, or false where the path cannot run it:
// 2D or 3D, one group, dilation 1, output channels (trans: input
// channels) a multiple of 16, at most 27 taps, stride at most 2.
func newOCGeom(p ConvParams, trans bool) (ocGeom, bool) {
	var g ocGeom
	nd := len(p.In)
	if nd < 2 || nd > 3 || len(p.Kernel) != nd || p.Groups > 1 || p.Cin < 1 || p.Cout < 1 || p.N < 1 {
		return g, false
	}
	g.n, g.trans = p.N, trans
	g.cin, g.cout = p.Cin, p.Cout
	if trans {
		g.cin, g.cout = p.Cout, p.Cin
	}
	var in, out [3]int
	in, out, g.k, g.s = [3]int{1, 1, 1}, [3]int{1, 1, 1}, [3]int{1, 1, 1}, [3]int{1, 1, 1}
	for i := range nd {
		j := 3 - nd + i
		if at(p.Dilation, i, 1) != 1 {
			return g, false
		}
		in[j], g.k[j], g.s[j], g.pad[j] = p.In[i], p.Kernel[i], at(p.Stride, i, 1), at(p.Pad, i, 0)
		if g.k[j] < 1 || g.s[j] < 1 || g.s[j] > 2 || g.pad[j] < 0 || g.pad[j] >= g.k[j] {
			return g, false
		}
		out[j] = (in[j]+2*g.pad[j]-g.k[j])/g.s[j] + 1
		if out[j] < 1 {
			return g, false
		}
	}
	g.kvol = g.k[0] * g.k[1] * g.k[2]
	if g.kvol > 27 || g.cout%16 != 0 {
		return g, false
	}
	switch {
	case g.cout%64 == 0:
		g.v = 4
	case g.cout%32 == 0:
		g.v = 2
	default:
		g.v = 1
	}
	g.np = 24 / g.v
	if trans {
		g.xs, g.ys = out, in
		// Column jw = (yw + pad − kw)/s of x, from ⌈(pad − k + 1)/s⌉ to
		// ⌊(ys − 1 + pad)/s⌋.
		g.wl = max(0, (g.k[2]-1-g.pad[2]+g.s[2]-1)/g.s[2])
		g.wr = max(0, (g.ys[2]-1+g.pad[2])/g.s[2]-(g.xs[2]-1))
		g.classes, g.step, g.xstep = g.s[2], g.s[2], 1
		if g.s[2] == 2 && g.k[2] == 3 && g.pad[2] == 1 && g.v <= 2 {
			g.rowT, g.classes, g.step = true, 1, 1
		}
	} else {
		g.xs, g.ys = in, out
		g.wl, g.wr = g.pad[2], g.pad[2]
		g.classes, g.step, g.xstep = 1, 1, g.s[2]
	}
	for c := range g.classes {
		g.nbc[c] = ceilDiv(ceilDiv(g.ys[2]-c, g.step), g.np)
		g.nbr += g.nbc[c]
	}
	g.wp = g.xs[2] + g.wl + g.wr
	g.plane = g.xs[1] * g.wp
	g.chn = g.xs[0] * g.plane
	g.img = g.cin * g.chn
	if g.n*g.img+ocSlack(g) >= 1<<31 {
		return g, false
	}
	return g, true
}

// ocSlack is the zeros after the copy of x: a block's positions past the
// end of a row (a row's last block, computed whole and stored in part)
// read on into the next row, and past the last row into these.
func ocSlack(g ocGeom) int { return 2*24 + 2*g.wp + 64 }

// The passes of a convolution, for ocTakes.
const (
	passForward = iota
	passData
	passWeight
)

// ocTakes reports whether pass of p runs on the output-channel path: a 3D
// layer whose convolution on the path reads 16 or more channels, so that
// each block's sum is long beside its store, and
//   - with stride 1, output rows of 6 and a multiple of 64 channels
//     written, where the padding's share of the taps is large;
//   - with stride 2, where the position-vector path splits the input into
//     phases first: forward, rows of 6 or more and a multiple of 64
//     output channels (the 32-channel kernel measured no faster there);
//     backward-data, rows of 12 or more (6 or more of each parity); the
//     weight gradient, rows of 6 or more and a multiple of 64 output
//     channels, or of 32 with kernel rows of 3 taps
//     (convOCDW4x3x32AVX512).
//
// Rows of 3 (a 3³ output) ran slower: a block then holds a row of 3, and
// the weights, packed for every call, are a large share of so short a sum.
func ocTakes(p ConvParams, pass int) bool {
	if !ocOn || len(p.In) != 3 {
		return false
	}
	g, ok := newOCGeom(p, pass == passData)
	if !ok || g.cin < 16 {
		return false
	}
	switch {
	case g.s == [3]int{1, 1, 1}:
		return g.ys[2] == 6 && g.v == 4
	case g.s != [3]int{2, 2, 2}:
		return false
	case pass == passForward:
		return g.ys[2] >= 6 && g.v == 4
	case pass == passData:
		return g.ys[2] >= 12
	}
	return g.ys[2] >= 6 && (g.v == 4 || g.v == 2 && g.k[2] == 3)
}

// ocOn is cleared by tests to compare the paths.
var ocOn = true

// convOCForward computes y = conv(x, w) + bias for a p that
// newOCGeom(p, false) accepts.
func convOCForward(p ConvParams, x, w, bias, y []float32) {
	g, _ := newOCGeom(p, false)
	runOC(&g, x, w, bias, y)
}

// convOCData computes ConvBackwardData's dx for a p that newOCGeom(p,
// true) accepts.
func convOCData(p ConvParams, dy, w, dx []float32) {
	g, _ := newOCGeom(p, true)
	runOC(&g, dy, w, nil, dx)
}

func runOC(g *ocGeom, x, w, bias, y []float32) {
	nx := g.n*g.img + ocSlack(*g)
	xh := getPack(nx)
	defer putPack(xh)
	wn := g.cout * g.cin * g.kvol
	wh := getPack(wn)
	defer putPack(wh)
	j := getJob[ocJob](&ocJobs)
	defer putJob(&ocJobs, j)
	*j = ocJob{g: *g, x: x, w: w, bias: bias, y: y, xp: (*xh)[:nx], wp: (*wh)[:wn]}
	clear(j.xp[g.n*g.img:])
	j.phase = ocPad
	parallelJob(g.n*g.cin*g.xs[0], 1, j)
	j.phase = ocPack
	parallelJob(g.cout/g.ocb()*g.packUnits(), 1, j)
	j.phase = ocRun
	parallelJob(g.cout/g.ocb()*g.groups(), 1, j)
}

// ocb is the output channels of a block.
func (g *ocGeom) ocb() int { return 16 * g.v }

// The phases of an ocJob.
const (
	ocPad = iota
	ocPack
	ocRun
)

var ocJobs jobList

type ocJob struct {
	g             ocGeom
	x, w, bias, y []float32
	xp, wp        []float32
	phase         int
}

func (j *ocJob) run(lo, hi int) {
	switch j.phase {
	case ocPad:
		j.pad(lo, hi)
	case ocPack:
		j.pack(lo, hi)
	default:
		// A unit's tiles: 36 KB, too much for a worker's stack.
		th := getScratch[float32](ocGroup * 384)
		for u := lo; u < hi; u++ {
			j.block(u, (*th)[:ocGroup*384])
		}
		putScratch(th)
	}
}

// pad copies the depth slices [lo, hi) (of all images and channels) of x
// into xp with wl and wr zeros around each row.
func (j *ocJob) pad(lo, hi int) {
	g := &j.g
	w := g.xs[2]
	for sl := lo; sl < hi; sl++ {
		padRows(j.xp[sl*g.plane:][:g.plane], j.x[sl*g.xs[1]*w:][:g.xs[1]*w], w, g.wl)
	}
}

// The packed weights of output block ob are wp[ob·cin·kvol·ocb:], laid
// out [c][t][ocb]: row c·kvol + t holds the block's filters' tap t of
// input channel c. Forward, that is the transpose of the block's ocb
// filters, rows of cin·kvol values. With trans, the block's channels
// are the layer's input channels and c its output channels: per c, the
// transpose of its ocb filters, rows of kvol values.

// packUnits returns the pack units of one output block: runs of
// ocPackCols rows of its packed weights.
func (g *ocGeom) packUnits() int { return ceilDiv(g.cin*g.kvol, ocPackCols) }

// ocPackCols is the rows of packed weights of a pack unit.
const ocPackCols = 128

// pack transposes the pack units [lo, hi) (u = ob·packUnits + run).
func (j *ocJob) pack(lo, hi int) {
	g := &j.g
	kvol, cin, cout, ocb := g.kvol, g.cin, g.cout, g.ocb()
	L, pu := cin*kvol, g.packUnits()
	for u := lo; u < hi; u++ {
		ob, r0 := u/pu, u%pu*ocPackCols
		r1 := min(r0+ocPackCols, L)
		dst := j.wp[ob*L*ocb:][:L*ocb]
		if !g.trans {
			// Rows o of the source: w[(ob·ocb + o)·L + r].
			transposeInto(dst[r0*ocb:], ocb, j.w[ob*ocb*L+r0:], L, ocb, r1-r0)
			continue
		}
		// Rows r = c·kvol + t: channel c's filters are rows of kvol
		// values from w[(c·cout + ob·ocb)·kvol].
		for r := r0; r < r1; {
			c, t0 := r/kvol, r%kvol
			n := min(kvol-t0, r1-r)
			transposeInto(dst[r*ocb:], ocb, j.w[(c*cout+ob*ocb)*kvol+t0:], kvol, ocb, n)
			r += n
		}
	}
}

// transposeInto sets dst[c·ldd + i] = src[i·lds + c] for i < rows and
// c < cols: 16×16 blocks in registers, the edges one value at a time.
func transposeInto(dst []float32, ldd int, src []float32, lds, rows, cols int) {
	r16, c16 := rows/16*16, cols/16*16
	for i0 := 0; i0 < r16; i0 += 16 {
		for c0 := 0; c0 < c16; c0 += 16 {
			convTranspose16AVX512(dst[c0*ldd+i0:], ldd, src[i0*lds+c0:], lds)
		}
	}
	for i := range rows {
		lo := c16
		if i >= r16 {
			lo = 0
		}
		for c := lo; c < cols; c++ {
			dst[c*ldd+i] = src[i*lds+c]
		}
	}
}

// The units of an ocJob: ocGroup blocks and one block of output channels,
// over which the input channels run ocChunk at a time, so that a chunk's
// weights (27 taps × 64 × 64 channels, 432 KB) stay in L2 while every
// block of the unit reads them. Measured (paired medians, batch 2,
// 256→256 at 6³ forward): 4 blocks and 128 channels 6.21 ms, 12 and 64
// 4.78, 24 and 64 4.66, 36 and 64 4.74; 256 channels at once, 7.17.
const (
	ocGroup = 24
	ocChunk = 64
)

// groups returns the units per block of output channels.
func (g *ocGeom) groups() int { return ceilDiv(g.ys[0]*g.ys[1]*g.n*g.nbr, ocGroup) }

// ocBlockAt is block b's place: blocks run over rows (yd, yh), then
// images, then classes, then along the class.
type ocBlockAt struct{ row, n, c, bi int }

func (g *ocGeom) blockAt(b int) ocBlockAt {
	row, r := b/(g.n*g.nbr), b%(g.n*g.nbr)
	n, r := r/g.nbr, r%g.nbr
	c := 0
	for r >= g.nbc[c] {
		r -= g.nbc[c]
		c++
	}
	return ocBlockAt{row: row, n: n, c: c, bi: r}
}

// block computes unit u, output block ob and the blocks [b0, b1), in
// tiles.
func (j *ocJob) block(u int, tiles []float32) {
	g := &j.g
	nblocks := g.ys[0] * g.ys[1] * g.n * g.nbr
	ob, gi := u/g.groups(), u%g.groups()
	b0 := gi * ocGroup
	b1 := min(b0+ocGroup, nblocks)
	ocb := g.ocb()
	// Each block's taps and first position, for all its chunks.
	var taps [ocGroup][2 * 27]int32
	var nts, poss [ocGroup]int
	for b := b0; b < b1; b++ {
		nts[b-b0], poss[b-b0] = g.blockTaps(g.blockAt(b), &taps[b-b0])
	}
	wcs := g.kvol * ocb
	for c0 := 0; c0 < g.cin; c0 += ocChunk {
		cn := min(ocChunk, g.cin-c0)
		for i := range b1 - b0 {
			g.kernel(j.xp[c0*g.chn:], poss[i], taps[i][:2*nts[i]], cn, j.wp[(ob*g.cin+c0)*wcs:], wcs, (*[384]float32)(tiles[i*384:]), c0 > 0)
		}
	}
	yvol := g.ys[0] * g.ys[1] * g.ys[2]
	for b := b0; b < b1; b++ {
		at := g.blockAt(b)
		t := tiles[(b-b0)*384:][:384]
		yw0 := at.c + at.bi*g.np*g.step
		nv := min(g.np, ceilDiv(g.ys[2]-yw0, g.step))
		base := (at.n*g.cout+ob*ocb)*yvol + at.row*g.ys[2] + yw0
		if g.step == 1 && nv >= 16 && j.bias == nil {
			// Two 16×16 transposes per 16 channels, positions [0, 16)
			// and [nv−16, nv), the overlap written twice with the same
			// values: the scalar loop below cost a third of the
			// stride-2 backward-data pass of 16→32 at 48³.
			for o0 := 0; o0 < ocb; o0 += 16 {
				convTranspose16AVX512(j.y[base+o0*yvol:], yvol, t[o0:], ocb)
				convTranspose16AVX512(j.y[base+o0*yvol+nv-16:], yvol, t[(nv-16)*ocb+o0:], ocb)
			}
			continue
		}
		// Channel by channel: a channel's positions share a line or two
		// of y, where a position's channels lie a plane apart.
		for o := range ocb {
			var bv float32
			if j.bias != nil {
				bv = j.bias[ob*ocb+o]
			}
			yr := j.y[base+o*yvol:][:(nv-1)*g.step+1]
			for i := range nv {
				yr[i*g.step] = t[i*ocb+o] + bv
			}
		}
	}
}

// blockTaps sets taps to the (input offset, weight offset) pairs of the
// taps of block at that read inside x, and returns their number and the
// offset in the copy of x of the block's first position, from which the
// taps' input offsets count.
func (g *ocGeom) blockTaps(at ocBlockAt, taps *[2 * 27]int32) (nt, pos int) {
	yd, yh := at.row/g.ys[1], at.row%g.ys[1]
	yw0 := at.c + at.bi*g.np*g.step
	ocb := g.ocb()
	if g.rowT {
		// A pair per kernel row inside x, its three taps' weights side by
		// side; B[m] is column yw0/2 + m of x (kw 1 of position yw0).
		for kd := range g.k[0] {
			d := yd + g.pad[0] - kd
			if d < 0 || d%g.s[0] != 0 || d/g.s[0] >= g.xs[0] {
				continue
			}
			for kh := range g.k[1] {
				h := yh + g.pad[1] - kh
				if h < 0 || h%g.s[1] != 0 || h/g.s[1] >= g.xs[1] {
					continue
				}
				taps[2*nt] = int32(d/g.s[0]*g.plane + h/g.s[1]*g.wp)
				taps[2*nt+1] = int32((kd*g.k[1] + kh) * 3 * ocb)
				nt++
			}
		}
		return nt, at.n*g.img + yw0/2 + g.wl
	}
	// src returns the input coordinate that tap k reads for output
	// coordinate y along axis a, and whether it lies inside x.
	src := func(a, y, k int) (int, bool) {
		if !g.trans {
			i := y*g.s[a] - g.pad[a] + k
			return i, i >= 0 && i < g.xs[a]
		}
		d := y + g.pad[a] - k
		if d < 0 || d%g.s[a] != 0 {
			return 0, false
		}
		return d / g.s[a], d/g.s[a] < g.xs[a]
	}
	// Along the width, the block's first position's column for the
	// class's first tap kw0; each other tap of the class is an offset.
	kw0 := -1
	for kw := range g.k[2] {
		if g.trans && ((yw0+g.pad[2]-kw)%g.s[2]+g.s[2])%g.s[2] != 0 {
			continue
		}
		if kw0 < 0 {
			kw0 = kw
		}
		for kd := range g.k[0] {
			id, ok := src(0, yd, kd)
			if !ok {
				continue
			}
			for kh := range g.k[1] {
				ih, ok := src(1, yh, kh)
				if !ok {
					continue
				}
				off := id*g.plane + ih*g.wp + kw - kw0
				if g.trans {
					off = id*g.plane + ih*g.wp - (kw-kw0)/g.s[2]
				}
				taps[2*nt] = int32(off)
				taps[2*nt+1] = int32(((kd*g.k[1]+kh)*g.k[2] + kw) * ocb)
				nt++
			}
		}
	}
	pos = at.n * g.img
	if kw0 < 0 {
		return 0, pos
	}
	if g.trans {
		pos += (yw0+g.pad[2]-kw0)/g.s[2] + g.wl
	} else {
		pos += yw0*g.s[2] + kw0
	}
	return nt, pos
}

// kernel runs the block kernel of g's shape on the block whose first
// position's input lies at x[pos], checking the bounds its twin would.
func (g *ocGeom) kernel(x []float32, pos int, taps []int32, cin int, w []float32, wcs int, t *[384]float32, accumulate bool) {
	if g.v == 4 {
		// Positions at any offsets: the 6×64 kernel's checked entry.
		var p6 [6]int32
		for i := range p6 {
			p6[i] = int32(pos + i*g.xstep)
		}
		convOC6x64(x, &p6, taps, cin, g.chn, w, wcs, t, accumulate)
		return
	}
	n := len(taps) / 2
	if n == 0 || cin <= 0 {
		if !accumulate {
			clear(t[:])
		}
		return
	}
	reach, wn := (g.np-1)*g.xstep, g.ocb()
	if g.rowT {
		reach, wn = g.np/2, 3*g.ocb()
	}
	checkTaps(x, pos, pos+reach, taps, cin, g.chn, w, wcs, wn)
	acc := b2acc(accumulate)
	switch {
	case g.rowT && g.v == 2:
		convOCT12x32AVX512(&x[0], pos, &taps[0], n, cin, g.chn, &w[0], t, acc, 4*wcs)
	case g.rowT:
		convOCT24x16AVX512(&x[0], pos, &taps[0], n, cin, g.chn, &w[0], t, acc, 4*wcs)
	case g.v == 2 && g.xstep == 1:
		convOC12x32S1AVX512(&x[0], pos, &taps[0], n, cin, g.chn, &w[0], t, acc, 4*wcs)
	case g.v == 2:
		convOC12x32S2AVX512(&x[0], pos, &taps[0], n, cin, g.chn, &w[0], t, acc, 4*wcs)
	case g.xstep == 1:
		convOC24x16S1AVX512(&x[0], pos, &taps[0], n, cin, g.chn, &w[0], t, acc, 4*wcs)
	default:
		convOC24x16S2AVX512(&x[0], pos, &taps[0], n, cin, g.chn, &w[0], t, acc, 4*wcs)
	}
}

// convOCStepGo is the Go twin of the kernels with 16v channels (v 1 or
// 2) and 24/v positions step values apart: it sets t[j·16v + o] to
// Σ_i Σ_{c<cin} x[pos + j·step + taps[2i] + c·xcs] · w[taps[2i+1] +
// c·wcs + o], summed in that order, from t's own value with accumulate.
func convOCStepGo(v, step int, x []float32, pos int, taps []int32, cin, xcs int, w []float32, wcs int, t *[384]float32, accumulate bool) {
	np, m := 24/v, 16*v
	var acc [384]float32
	if accumulate {
		acc = *t
	}
	for i := 0; i+1 < len(taps); i += 2 {
		xo, wo := int(taps[i]), int(taps[i+1])
		for c := range cin {
			wc := w[wo+c*wcs:][:m]
			for j := range np {
				xv := x[pos+j*step+xo+c*xcs]
				for o, wv := range wc {
					acc[j*m+o] += xv * wv
				}
			}
		}
	}
	*t = acc
}

// convOC12x32S1AVX512 is convOCStepGo with 12 positions of 32 channels,
// one value apart: the caller guarantees every x[pos + j + taps[2i] +
// c·xcs] and w[taps[2i+1] + c·wcs/4 : +32] inside x and w.
//
//go:noescape
func convOC12x32S1AVX512(x *float32, pos int, taps *int32, ntaps, cin, xcs int, w *float32, t *[384]float32, acc, wcs int)

// convOC12x32S2AVX512 is convOC12x32S1AVX512 with positions two values
// apart.
//
//go:noescape
func convOC12x32S2AVX512(x *float32, pos int, taps *int32, ntaps, cin, xcs int, w *float32, t *[384]float32, acc, wcs int)

// convOC24x16S1AVX512 is convOCStepGo with 24 positions of 16 channels,
// one value apart.
//
//go:noescape
func convOC24x16S1AVX512(x *float32, pos int, taps *int32, ntaps, cin, xcs int, w *float32, t *[384]float32, acc, wcs int)

// convOC24x16S2AVX512 is convOC24x16S1AVX512 with positions two values
// apart.
//
//go:noescape
func convOC24x16S2AVX512(x *float32, pos int, taps *int32, ntaps, cin, xcs int, w *float32, t *[384]float32, acc, wcs int)

// convOCT24x16AVX512 is convOCTGo with 16 channels: the caller
// guarantees every x[pos + m + taps[2i] + c·xcs] for m ≤ 12 and
// w[taps[2i+1] + c·wcs/4 : +48] inside x and w.
//
//go:noescape
func convOCT24x16AVX512(x *float32, pos int, taps *int32, ntaps, cin, xcs int, w *float32, t *[384]float32, acc, wcs int)

// convOCT12x32AVX512 is convOCTGo with 32 channels (m ≤ 6, 96 weights a
// channel and tap).
//
//go:noescape
func convOCT12x32AVX512(x *float32, pos int, taps *int32, ntaps, cin, xcs int, w *float32, t *[384]float32, acc, wcs int)

// convOCTGo is the Go twin of the stride-2 transposed kernels: 24/v
// positions a of a row of the input gradient, from an even one, and 16v
// channels o, for the row's taps (xo, wo) whose kernel rows have 3 taps
// and padding 1. With B[m] = x[pos + xo + c·xcs + m] and W_kw[o] =
// w[wo + c·wcs + kw·16v + o], it adds W_1·B[a/2] to even positions and
// W_2·B[(a−1)/2] + W_0·B[(a+1)/2] to odd ones, from t's own value with
// accumulate.
func convOCTGo(v int, x []float32, pos int, taps []int32, cin, xcs int, w []float32, wcs int, t *[384]float32, accumulate bool) {
	np, m := 24/v, 16*v
	var acc [384]float32
	if accumulate {
		acc = *t
	}
	for i := 0; i+1 < len(taps); i += 2 {
		xo, wo := int(taps[i]), int(taps[i+1])
		for c := range cin {
			b := x[pos+xo+c*xcs:][:np/2+1]
			wc := w[wo+c*wcs:][:3*m]
			for a := range np {
				for o := range m {
					if a%2 == 0 {
						acc[a*m+o] += b[a/2] * wc[m+o]
					} else {
						acc[a*m+o] += b[a/2]*wc[2*m+o] + b[a/2+1]*wc[o]
					}
				}
			}
		}
	}
	*t = acc
}
