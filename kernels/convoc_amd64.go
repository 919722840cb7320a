//go:build !purego

package kernels

// The output-channel path: a direct convolution whose vectors hold 16
// output channels instead of 16 output positions (convOC6x64AVX512), for
// the layers that the position-vector paths serve badly.
//
//   - Small volumes. At 6³ a quarter to a half of the taps that a padded
//     6×6×6 image feeds the GEMM read padding (at 3³ more than half). Here
//     each block of 6 positions shares one output row, or the same row of
//     every image, so the taps whose depth or height lies in the padding
//     are left out of the block's sum instead of multiplied by zeros.
//   - Strides. Any 6 positions share the steps, so a stride-2 layer reads
//     its input in place instead of splitting it into phases first.
//
// Only the width is padded (a copy of the input with zero columns), so
// that the taps of a row are the same for all its positions. Each call
// sums every valid tap and input channel of 6 positions and 64 output
// channels in registers and stores the block once; the order of the sum
// (tap, then channel) depends on the problem alone.

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
	xlo, xhi, wlo, whi := taps[0], taps[0], taps[1], taps[1]
	for i := 2; i+1 < len(taps); i += 2 {
		xlo, xhi = min(xlo, taps[i]), max(xhi, taps[i])
		wlo, whi = min(wlo, taps[i+1]), max(whi, taps[i+1])
	}
	if int(lo)+int(xlo) < 0 || wlo < 0 {
		panic("kernels: convOC6x64: negative offset")
	}
	_ = x[int(hi)+int(xhi)+(cin-1)*xcs]
	_ = w[int(whi)+(cin-1)*wcs+63]
	acc := 0
	if accumulate {
		acc = 1
	}
	convOC6x64AVX512(&x[0], pos, &taps[0], n, cin, xcs, &w[0], t, acc, 4*wcs)
}

// ocBlock is the output channels of one kernel call.
const ocBlock = 64

// ocGeom is a convolution on the output-channel path: stride s, padding
// pad, dilation 1, the input padded in width only (rows of wp values).
type ocGeom struct {
	n, cin, cout       int
	in, out, k, s, pad [3]int
	wp, plane, chn     int // padded row, plane and channel of the copy
	img                int // one image of the copy
	kvol               int
	nb                 int // blocks of 6 positions per output row (all images)
}

// newOCGeom returns the geometry of p, or false where the path does not
// take it: 2D or 3D, one group, dilation 1, output channels a multiple of
// 64, at most 27 taps.
func newOCGeom(p ConvParams) (ocGeom, bool) {
	var g ocGeom
	nd := len(p.In)
	if nd < 2 || nd > 3 || len(p.Kernel) != nd || p.Groups > 1 || p.Cout%ocBlock != 0 || p.Cin < 1 || p.N < 1 {
		return g, false
	}
	g.n, g.cin, g.cout = p.N, p.Cin, p.Cout
	g.in, g.out, g.k, g.s = [3]int{1, 1, 1}, [3]int{1, 1, 1}, [3]int{1, 1, 1}, [3]int{1, 1, 1}
	for i := range nd {
		j := 3 - nd + i
		if at(p.Dilation, i, 1) != 1 {
			return g, false
		}
		g.in[j], g.k[j], g.s[j], g.pad[j] = p.In[i], p.Kernel[i], at(p.Stride, i, 1), at(p.Pad, i, 0)
		if g.k[j] < 1 || g.s[j] < 1 || g.pad[j] < 0 || g.pad[j] >= g.k[j] {
			return g, false
		}
		g.out[j] = (g.in[j]+2*g.pad[j]-g.k[j])/g.s[j] + 1
		if g.out[j] < 1 {
			return g, false
		}
	}
	g.kvol = g.k[0] * g.k[1] * g.k[2]
	if g.kvol > 27 {
		return g, false
	}
	g.wp = g.in[2] + 2*g.pad[2]
	g.plane = g.in[1] * g.wp
	g.chn = g.in[0] * g.plane
	g.img = g.cin * g.chn
	g.nb = ceilDiv(g.n*g.out[2], 6)
	if g.n*g.img+g.wp >= 1<<31 {
		return g, false
	}
	return g, true
}

// ocFits reports whether the forward convolution p runs on the
// output-channel path: a 3D layer with 64 or more output channels (a
// multiple of ocBlock) and 16 or more input channels, so that each
// block's sum is long beside its store, whose output rows are of 6 to
// ocMaxRow positions with stride 1, where the padding's share of the
// taps is large, or of 6 or more with stride 2, where the position-vector
// path splits the input into phases first. Rows of 3 (a 3³ output) ran
// slower here: a block then holds the row of two images, and the weights,
// packed for every call, are a large share of so short a sum.
func ocFits(p ConvParams) bool {
	if !ocOn || len(p.In) != 3 || p.Cin < 16 {
		return false
	}
	g, ok := newOCGeom(p)
	if !ok || g.out[2] < 6 {
		return false
	}
	switch g.s {
	case [3]int{1, 1, 1}:
		return g.out[2] <= ocMaxRow
	case [3]int{2, 2, 2}:
		return true
	}
	return false
}

// ocMaxRow is the longest output row for which stride-1 layers take the
// output-channel path.
const ocMaxRow = 6

// ocOn is cleared by tests to compare the paths.
var ocOn = true

// convOCForward computes y = conv(x, w) + bias for a geometry that
// newOCGeom accepted. With flip, w holds backward-data's weights as the
// forward layer has them, [g.cin][g.cout][kvol], to be read transposed
// over channels and flipped in space (see convBackwardDataDirect).
func convOCForward(g *ocGeom, x, w, bias, y []float32, flip bool) {
	xh := getPack(g.n*g.img + g.wp)
	defer putPack(xh)
	wn := g.cout * g.cin * g.kvol
	wh := getPack(wn)
	defer putPack(wh)
	j := getJob[ocJob](&ocJobs)
	defer putJob(&ocJobs, j)
	*j = ocJob{g: *g, x: x, w: w, bias: bias, y: y, xp: (*xh)[:g.n*g.img+g.wp], wp: (*wh)[:wn], flip: flip}
	// The copy's tail: a block's last positions may repeat a position
	// whose row ends at the copy's end, read by no sum but in bounds.
	clear(j.xp[g.n*g.img:])
	j.phase = ocPad
	parallelJob(g.n*g.cin*g.in[0], 1, j)
	j.phase = ocPack
	parallelJob(g.cout/ocBlock*g.packUnits(), 1, j)
	j.phase = ocRun
	parallelJob(g.cout/ocBlock*g.groups(), 1, j)
}

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
	flip          bool
	phase         int
}

func (j *ocJob) run(lo, hi int) {
	switch j.phase {
	case ocPad:
		j.pad(lo, hi)
	case ocPack:
		j.pack(lo, hi)
	default:
		for u := lo; u < hi; u++ {
			j.block(u)
		}
	}
}

// pad copies the depth slices [lo, hi) (of all images and channels) of x
// into xp with pad[2] zeros at both ends of each row.
func (j *ocJob) pad(lo, hi int) {
	g := &j.g
	w, p := g.in[2], g.pad[2]
	for sl := lo; sl < hi; sl++ {
		src := j.x[sl*g.in[1]*w:][:g.in[1]*w]
		dst := j.xp[sl*g.plane:][:g.plane]
		for h := range g.in[1] {
			row := dst[h*g.wp:][:g.wp]
			clear(row[:p])
			copy(row[p:], src[h*w:][:w])
			clear(row[p+w:])
		}
	}
}

// The packed weights of output block ob are wp[ob·cin·kvol·64:], laid
// out [c][t][64]: row c·kvol + t holds the block's 64 filters' tap t of
// input channel c. Without flip that is the transpose of the block's 64
// filters, rows of cin·kvol values, and with flip, per input channel c,
// the transpose of its 64 filters, rows of kvol values; the taps are
// reversed by the tap list instead (rowTaps).

// packUnits returns the pack units of one output block: runs of ocPackCols
// columns of the transpose, or with flip input channels.
func (g *ocGeom) packUnits() int { return ceilDiv(g.cin*g.kvol, ocPackCols) }

// ocPackCols is the columns (rows of wp) of a pack unit: 32 KB of output.
const ocPackCols = 128

// pack transposes the pack units [lo, hi) (u = ob·packUnits + run).
func (j *ocJob) pack(lo, hi int) {
	g := &j.g
	kvol, cin, cout := g.kvol, g.cin, g.cout
	L, pu := cin*kvol, g.packUnits()
	for u := lo; u < hi; u++ {
		ob, r0 := u/pu, u%pu*ocPackCols
		r1 := min(r0+ocPackCols, L)
		dst := j.wp[ob*L*ocBlock:][:L*ocBlock]
		if !j.flip {
			// Rows o of the source: w[(ob·64 + o)·L + r].
			transposeInto(dst[r0*ocBlock:], ocBlock, j.w[ob*ocBlock*L+r0:], L, ocBlock, r1-r0)
			continue
		}
		// Rows r = c·kvol + t: channel c's 64 filters are rows of kvol
		// values from w[(c·cout + ob·64)·kvol].
		for r := r0; r < r1; {
			c, t0 := r/kvol, r%kvol
			n := min(kvol-t0, r1-r)
			transposeInto(dst[r*ocBlock:], ocBlock, j.w[(c*cout+ob*ocBlock)*kvol+t0:], kvol, ocBlock, n)
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

// The units of an ocJob: ocGroup blocks of 6 positions and one block of
// output channels, over which the input channels run ocChunk at a time,
// so that a chunk's weights (27 taps × 128 × 64, 864 KB) are read from L2
// by every block of the unit rather than streamed from L3 once per block:
// 256 input channels at once ran the kernel at 80 % of its L2 speed.
const (
	ocGroup = 4
	ocChunk = 128
)

// groups returns the units per block of output channels.
func (g *ocGeom) groups() int { return ceilDiv(g.out[0]*g.out[1]*g.nb, ocGroup) }

// block computes unit u: output block ob and the blocks [b0, b1) of 6
// positions, a row's blocks counted over its positions in every image.
func (j *ocJob) block(u int) {
	g := &j.g
	nblocks := g.out[0] * g.out[1] * g.nb
	ob, gi := u/g.groups(), u%g.groups()
	b0 := gi * ocGroup
	b1 := min(b0+ocGroup, nblocks)
	var tiles [ocGroup][384]float32
	var taps [2 * 27]int32
	var pos [6]int32
	total := g.n * g.out[2]
	wcs := g.kvol * ocBlock
	for c0 := 0; c0 < g.cin; c0 += ocChunk {
		cn := min(ocChunk, g.cin-c0)
		for b := b0; b < b1; b++ {
			row, bi := b/g.nb, b%g.nb
			g.blockPos(row, bi, &pos)
			nt := g.rowTaps(row, j.flip, &taps)
			convOC6x64(j.xp[c0*g.chn:], &pos, taps[:2*nt], cn, g.chn, j.wp[(ob*g.cin+c0)*wcs:], wcs, &tiles[b-b0], c0 > 0)
		}
	}
	outVol := g.out[0] * g.out[1] * g.out[2]
	for b := b0; b < b1; b++ {
		row, bi := b/g.nb, b%g.nb
		f0 := bi * 6
		t := &tiles[b-b0]
		for i := range min(6, total-f0) {
			n, ow := (f0+i)/g.out[2], (f0+i)%g.out[2]
			yo := (n*g.cout+ob*ocBlock)*outVol + row*g.out[2] + ow
			for o := range ocBlock {
				v := t[i*ocBlock+o]
				if j.bias != nil {
					v += j.bias[ob*ocBlock+o]
				}
				j.y[yo+o*outVol] = v
			}
		}
	}
}

// rowTaps sets taps to the (input offset, weight offset) pairs of the
// taps of output row row (od·out[1] + oh) whose depth and height lie
// inside the image, and returns their number. With flip tap t takes the
// packed weights of tap kvol−1−t.
func (g *ocGeom) rowTaps(row int, flip bool, taps *[2 * 27]int32) int {
	od, oh := row/g.out[1], row%g.out[1]
	nt := 0
	for kd := range g.k[0] {
		if id := od*g.s[0] - g.pad[0] + kd; id < 0 || id >= g.in[0] {
			continue
		}
		for kh := range g.k[1] {
			if ih := oh*g.s[1] - g.pad[1] + kh; ih < 0 || ih >= g.in[1] {
				continue
			}
			for kw := range g.k[2] {
				taps[2*nt] = int32(kd*g.plane + kh*g.wp + kw)
				t := (kd*g.k[1]+kh)*g.k[2] + kw
				if flip {
					t = g.kvol - 1 - t
				}
				taps[2*nt+1] = int32(t * ocBlock)
				nt++
			}
		}
	}
	return nt
}

// blockPos sets pos to the offsets in the padded copy of block bi of
// output row row, from which the row's taps read: the block's positions
// are bi·6 to bi·6+5 counted over the row in every image, a short last
// block repeating its last position.
func (g *ocGeom) blockPos(row, bi int, pos *[6]int32) {
	od, oh := row/g.out[1], row%g.out[1]
	base := (od*g.s[0]-g.pad[0])*g.plane + (oh*g.s[1]-g.pad[1])*g.wp
	total := g.n * g.out[2]
	for i := range pos {
		f := min(bi*6+i, total-1)
		n, ow := f/g.out[2], f%g.out[2]
		pos[i] = int32(n*g.img + base + ow*g.s[2])
	}
}
