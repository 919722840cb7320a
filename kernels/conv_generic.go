package kernels

// colBudget is the number of elements an im2col tile aims at: large
// enough for GEMM to run at speed, small enough to stay near the caches
// and to keep 3D convolutions from materialising gigabytes of columns. A
// variable so that tests can force many tiles.
var colBudget = 1 << 19

// tiling splits one group's output into tiles of whole output rows (a row
// being the innermost spatial axis): rows output rows per tile, tiles tiles.
func (g *convGeom) tiling() (rows, tiles int) {
	total := g.out[0] * g.out[1]
	if g.pointwise() {
		return total, 1
	}
	rows = max(1, colBudget/(g.cols()*g.out[2]))
	rows = min(rows, total)
	return rows, (total + rows - 1) / rows
}

// im2col writes the column matrix of one sample's group, xg (its Cin/G
// channels), for output rows [r0, r1): row (c, kd, kh, kw) of col holds,
// for each output position of the tile, the input value that kernel
// offset multiplies, or zero in the padding.
func im2col[T Float](g *convGeom, xg []T, r0, r1 int, col []T) {
	l := typedList[T](&im2colJobs)
	j := getJob[colJob[T]](l)
	*j = colJob[T]{g: *g, x: xg, col: col, r0: r0, r1: r1}
	parallelJob(g.cols(), 8, (*im2colJob[T])(j))
	putJob(l, j)
}

var im2colJobs, col2imJobs [2]jobList

// colJob holds the arguments of im2col and col2im; g is a copy so that the
// caller's geometry stays on its stack.
type colJob[T Float] struct {
	g      convGeom
	x, col []T
	r0, r1 int
}

type im2colJob[T Float] colJob[T]

func (j *im2colJob[T]) run(lo, hi int) {
	g, xg, col, r0, r1 := &j.g, j.x, j.col, j.r0, j.r1
	kvol, inVol := g.kVol(), g.inVol()
	ow := g.out[2]
	lt := (r1 - r0) * ow
	// With unit strides in H and W and an output row as long as an input
	// row ("same" padding), an output plane is its input plane shifted by
	// a constant offset, so whole planes are copied at once.
	contiguous := g.s[1] == 1 && g.s[2] == 1 && g.out[2] == g.in[2]
	{
		for r := lo; r < hi; r++ {
			c, kk := r/kvol, r%kvol
			kd, kh, kw := kk/(g.k[1]*g.k[2]), kk/g.k[2]%g.k[1], kk%g.k[2]
			src := xg[c*inVol : (c+1)*inVol]
			dst := col[r*lt : (r+1)*lt]
			iw0 := kw*g.d[2] - g.p[2]
			lo, hi := rowRange(iw0, g.s[2], g.in[2], ow)
			if contiguous {
				im2colShifted(g, src, dst, r0, r1, kd, kh, iw0, lo, hi)
				continue
			}
			for rho := r0; rho < r1; rho++ {
				d := dst[(rho-r0)*ow : (rho-r0+1)*ow]
				id := rho/g.out[1]*g.s[0] - g.p[0] + kd*g.d[0]
				ih := rho%g.out[1]*g.s[1] - g.p[1] + kh*g.d[1]
				if id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1] || lo >= hi {
					clear(d)
					continue
				}
				row := src[(id*g.in[1]+ih)*g.in[2]:][:g.in[2]]
				clear(d[:lo])
				if g.s[2] == 1 {
					copy(d[lo:hi], row[iw0+lo:])
				} else {
					iw := iw0 + lo*g.s[2]
					for o := lo; o < hi; o++ {
						d[o] = row[iw]
						iw += g.s[2]
					}
				}
				clear(d[hi:])
			}
		}
	}
}

// im2colShifted fills one im2col row (kernel offset kd, kh and iw0 =
// kw·dil − pad along W) for output rows [r0, r1) when the strides along H
// and W are 1 and output rows are input rows long. Within one output
// plane the input index is then the output index plus a constant, so the
// rows whose input row exists are one copy; the columns that copy takes
// from a neighbouring row (outside [lo, hi)) and the rows outside the
// input are then zeroed.
func im2colShifted[T Float](g *convGeom, src, dst []T, r0, r1, kd, kh, iw0, lo, hi int) {
	W, H, OH := g.in[2], g.in[1], g.out[1]
	ihOff := kh*g.d[1] - g.p[1] // ih = oh + ihOff
	for rho := r0; rho < r1; {
		od, oh0 := rho/OH, rho%OH
		oh1 := min(OH, oh0+r1-rho)
		seg := dst[(rho-r0)*W : (rho-r0+oh1-oh0)*W]
		rho += oh1 - oh0
		id := od*g.s[0] - g.p[0] + kd*g.d[0]
		va, vb := max(oh0, -ihOff), min(oh1, H-ihOff)
		if id < 0 || id >= g.in[0] || va >= vb || lo >= hi {
			clear(seg)
			continue
		}
		a, b := (va-oh0)*W, (vb-oh0)*W
		clear(seg[:a])
		clear(seg[b:])
		// Clip the copy to the channel: what falls outside lies in
		// columns outside [lo, hi), which are zeroed below anyway.
		da, sa := a, (id*H+va+ihOff)*W+iw0
		if sa < 0 {
			da, sa = da-sa, 0
		}
		n := copy(seg[da:b], src[sa:])
		clear(seg[a:da])
		clear(seg[da+n : b])
		for row := a; row < b; row += W {
			clear(seg[row : row+lo])
			clear(seg[row+hi : row+W])
		}
	}
}

// col2im adds the column matrix of one group's tile back into the input
// positions it was read from: the adjoint of im2col. Rows of one channel
// write only that channel, so channels are spread over the workers.
func col2im[T Float](g *convGeom, col []T, r0, r1 int, dxg []T) {
	l := typedList[T](&col2imJobs)
	j := getJob[colJob[T]](l)
	*j = colJob[T]{g: *g, x: dxg, col: col, r0: r0, r1: r1}
	parallelJob(g.cin/g.groups, 1, (*col2imJob[T])(j))
	putJob(l, j)
}

type col2imJob[T Float] colJob[T]

func (j *col2imJob[T]) run(clo, chi int) {
	g, dxg, col, r0, r1 := &j.g, j.x, j.col, j.r0, j.r1
	kvol, inVol := g.kVol(), g.inVol()
	ow := g.out[2]
	lt := (r1 - r0) * ow
	{
		for r := clo * kvol; r < chi*kvol; r++ {
			c, kk := r/kvol, r%kvol
			kd, kh, kw := kk/(g.k[1]*g.k[2]), kk/g.k[2]%g.k[1], kk%g.k[2]
			dst := dxg[c*inVol : (c+1)*inVol]
			src := col[r*lt : (r+1)*lt]
			iw0 := kw*g.d[2] - g.p[2]
			lo, hi := rowRange(iw0, g.s[2], g.in[2], ow)
			if lo >= hi {
				continue
			}
			for rho := r0; rho < r1; rho++ {
				id := rho/g.out[1]*g.s[0] - g.p[0] + kd*g.d[0]
				ih := rho%g.out[1]*g.s[1] - g.p[1] + kh*g.d[1]
				if id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1] {
					continue
				}
				s := src[(rho-r0)*ow : (rho-r0+1)*ow]
				row := dst[(id*g.in[1]+ih)*g.in[2]:][:g.in[2]]
				if g.s[2] == 1 {
					row = row[iw0+lo : iw0+hi]
					for o, v := range s[lo:hi] {
						row[o] += v
					}
				} else {
					iw := iw0 + lo*g.s[2]
					for o := lo; o < hi; o++ {
						row[iw] += s[o]
						iw += g.s[2]
					}
				}
			}
		}
	}
}

// rowRange returns the output positions [lo, hi) along the innermost axis
// whose input index iw0 + o·s falls inside [0, in), clamped to [0, out).
func rowRange(iw0, s, in, out int) (lo, hi int) {
	if iw0 < 0 {
		lo = (-iw0 + s - 1) / s
	}
	if in-iw0 > 0 {
		hi = (in - iw0 + s - 1) / s
	}
	return min(lo, out), min(hi, out)
}

// convUnits is a convolution split into units of work: unit(u, col, acc)
// runs unit u with col as its im2col scratch and acc as the weight
// gradient it adds into (the backward-weight pass only).
type convUnits[T Float] struct {
	g                 convGeom
	x, w, bias, y, dw []T // y is dy for the backward passes, x dx for backward data
	rows, tiles       int
	colLen            int
	kind              int // convFwd, convBwdData or convBwdWeight

	// Backward weight: units split into pieces, the sums of pieces 1, 2,
	// … one after the other in partial: one scratch buffer, since a free
	// list keeps only a few buffers per size and more pieces than that
	// would allocate on every call.
	units, pieces int
	partial       []T
}

const (
	convFwd = iota
	convBwdData
	convBwdWeight
)

var convUnitJobs [2]jobList

func newConvUnits[T Float](g *convGeom, kind int) (*convUnits[T], *jobList) {
	l := typedList[T](&convUnitJobs)
	j := getJob[convUnits[T]](l)
	j.g, j.kind = *g, kind
	j.rows, j.tiles = g.tiling()
	j.colLen = 0
	if !g.pointwise() {
		j.colLen = g.cols() * j.rows * g.out[2]
	}
	return j, l
}

// release drops the slices j refers to and gives it back.
func (j *convUnits[T]) release(l *jobList) {
	*j = convUnits[T]{}
	keepJob(l, j)
}

// forUnits runs j.unit(u, scratch, j.dw) for u in [0, units). When there
// are at least as many units as workers they are spread over the pool, each
// worker with its own scratch of colLen elements, and the kernels the units
// call run serially; otherwise the units run one after another and the
// kernels inside parallelise themselves.
func (j *convUnits[T]) forUnits(units int) {
	if units > 1 && units >= Workers() {
		parallelJob(units, 1, j)
		return
	}
	j.serial(units)
}

// serial runs the units one after another, adding weight gradients
// straight into dw.
func (j *convUnits[T]) serial(units int) {
	b := getScratch[T](j.colLen)
	for u := 0; u < units; u++ {
		j.unit(u, *b, j.dw)
	}
	putScratch(b)
}

// run is the parallel body of forUnits and, for the backward-weight pass,
// of convBackwardWeightGeneric, where [lo, hi) are pieces.
func (j *convUnits[T]) run(lo, hi int) {
	b := getScratch[T](j.colLen)
	if j.kind != convBwdWeight {
		for u := lo; u < hi; u++ {
			j.unit(u, *b, nil)
		}
		putScratch(b)
		return
	}
	// Units of different samples add into the same weights: each piece
	// sums its fixed run of units into its own buffer (piece 0 into dw),
	// and convBackwardWeightGeneric adds the buffers in piece order, so
	// that the result does not depend on which goroutine ran which piece.
	for p := lo; p < hi; p++ {
		acc := j.dw
		if p > 0 {
			acc = j.partial[(p-1)*len(j.dw) : p*len(j.dw)]
			clear(acc)
		}
		for u := p * j.units / j.pieces; u < (p+1)*j.units/j.pieces; u++ {
			j.unit(u, *b, acc)
		}
	}
	putScratch(b)
}

func (j *convUnits[T]) unit(u int, col, acc []T) {
	switch j.kind {
	case convFwd:
		j.forwardUnit(u, col)
	case convBwdData:
		j.backwardDataUnit(u, col)
	default:
		j.backwardWeightUnit(u, col, acc)
	}
}

func convForwardGeneric[T Float](g *convGeom, x, w, bias, y []T) {
	j, l := newConvUnits[T](g, convFwd)
	j.x, j.w, j.bias, j.y = x, w, bias, y
	j.forUnits(g.n * g.groups * j.tiles)
	j.release(l)
}

// tileColumns decodes unit u of the forward and weight-gradient passes,
// a tile of output rows [r0, r1) of one sample n's group grp, and returns
// its column matrix b with row stride ldb: im2col written into col, or the
// input itself when the convolution needs no im2col (colLen 0). lt is the
// tile's number of output positions and yo the offset of its first one
// in an output-shaped tensor.
func (j *convUnits[T]) tileColumns(u int, col []T) (grp, yo, lt int, b []T, ldb int) {
	g := &j.g
	L := g.outVol()
	t, ng := u%j.tiles, u/j.tiles
	grp, n := ng%g.groups, ng/g.groups
	r0 := t * j.rows
	r1 := min(r0+j.rows, g.out[0]*g.out[1])
	l0 := r0 * g.out[2]
	lt = (r1 - r0) * g.out[2]
	xg := j.x[(n*g.cin+grp*(g.cin/g.groups))*g.inVol():]
	b, ldb = col, lt
	if j.colLen == 0 {
		b, ldb = xg[l0:], L
	} else {
		im2col(g, xg, r0, r1, col)
	}
	return grp, (n*g.cout+grp*(g.cout/g.groups))*L + l0, lt, b, ldb
}

func (j *convUnits[T]) forwardUnit(u int, col []T) {
	g, w, bias, y := &j.g, j.w, j.bias, j.y
	K, L, coutG := g.cols(), g.outVol(), g.cout/g.groups
	grp, yo, lt, b, ldb := j.tileColumns(u, col)
	var beta T
	if bias != nil {
		for o := 0; o < coutG; o++ {
			bv := bias[grp*coutG+o]
			yr := y[yo+o*L : yo+o*L+lt]
			for i := range yr {
				yr[i] = bv
			}
		}
		beta = 1
	}
	Gemm(false, false, coutG, lt, K, 1, w[grp*coutG*K:], K, b, ldb, beta, y[yo:], L)
}

func convBackwardDataGeneric[T Float](g *convGeom, dy, w, dx []T) {
	j, l := newConvUnits[T](g, convBwdData)
	j.x, j.w, j.y = dx, w, dy
	j.forUnits(g.n * g.groups)
	j.release(l)
}

func (j *convUnits[T]) backwardDataUnit(u int, col []T) {
	g, dx, w, dy := &j.g, j.x, j.w, j.y
	K, L, inVol := g.cols(), g.outVol(), g.inVol()
	cinG, coutG := g.cin/g.groups, g.cout/g.groups
	rows, tiles, colLen := j.rows, j.tiles, j.colLen
	grp, n := u%g.groups, u/g.groups
	dxg := dx[(n*g.cin+grp*cinG)*inVol:]
	dyo := (n*g.cout + grp*coutG) * L
	wg := w[grp*coutG*K:]
	if colLen == 0 {
		Gemm(true, false, cinG, L, coutG, 1, wg, K, dy[dyo:], L, 0, dxg, inVol)
		return
	}
	clear(dxg[:cinG*inVol])
	for t := 0; t < tiles; t++ {
		r0 := t * rows
		r1 := min(r0+rows, g.out[0]*g.out[1])
		l0, lt := r0*g.out[2], (r1-r0)*g.out[2]
		Gemm(true, false, K, lt, coutG, 1, wg, K, dy[dyo+l0:], L, 0, col, lt)
		col2im(g, col, r0, r1, dxg)
	}
}

func convBackwardWeightGeneric[T Float](g *convGeom, x, dy, dw []T) {
	j, l := newConvUnits[T](g, convBwdWeight)
	j.x, j.y, j.dw = x, dy, dw
	units := g.n * g.groups * j.tiles
	clear(dw)
	// A partition into pieces fixed by the problem alone, each with its
	// own partial sum, added in piece order: the result depends neither on
	// which goroutine ran which piece nor on how many there are.
	j.units, j.pieces = units, bwdWeightPieces(units, g.outVol()/j.tiles)
	if j.pieces == 1 {
		j.serial(units)
		j.release(l)
		return
	}
	pb := getScratch[T]((j.pieces - 1) * len(dw))
	j.partial = *pb
	if j.pieces < Workers() {
		// Too few pieces to share out: they run in turn and the kernels
		// inside parallelise themselves.
		j.run(0, j.pieces)
	} else {
		parallelJob(j.pieces, 1, j)
	}
	for p := 1; p < j.pieces; p++ {
		for i, v := range j.partial[(p-1)*len(dw) : p*len(dw)] {
			dw[i] += v
		}
	}
	putScratch(pb)
	j.release(l)
}

// bwdWeightPieces is the number of partial sums a weight gradient over
// units (images, or tiles of them) of vol output positions each is cut
// into. It depends on the problem alone, never on the worker count, so
// that a seed reproduces a run on any number of cores: at most 8 (enough
// for a few goroutines to share them out and absorb one held back), and
// no piece under 2048 output positions, so that adding its partial sum
// stays small beside computing it.
func bwdWeightPieces(units, vol int) int {
	return max(1, min(units, 8, units*vol/2048))
}

func (j *convUnits[T]) backwardWeightUnit(u int, col, acc []T) {
	g := &j.g
	K, L, coutG := g.cols(), g.outVol(), g.cout/g.groups
	grp, dyo, lt, b, ldb := j.tileColumns(u, col)
	Gemm(false, true, coutG, K, lt, 1, j.y[dyo:], L, b, ldb, 1, acc[grp*coutG*K:], K)
}

var channelSumJobs [2]jobList

type channelSumJob[T Float] struct {
	n, c, s int
	x, sums []T
}

// channelSums sets sums[c] = Σ_{n,i} x[n,c,i] for x laid out [n, c, s].
func channelSums[T Float](n, c, s int, x, sums []T) {
	l := typedList[T](&channelSumJobs)
	j := getJob[channelSumJob[T]](l)
	*j = channelSumJob[T]{n, c, s, x, sums}
	parallelJob(c, 1, j)
	putJob(l, j)
}

func (j *channelSumJob[T]) run(lo, hi int) {
	n, c, s, x, sums := j.n, j.c, j.s, j.x, j.sums
	for ch := lo; ch < hi; ch++ {
		var acc T
		for b := 0; b < n; b++ {
			for _, v := range x[(b*c+ch)*s : (b*c+ch+1)*s] {
				acc += v
			}
		}
		sums[ch] = acc
	}
}

// addChannelBias adds bias[c] to every element of channel c of y, laid out [n, c, s].
func addChannelBias[T Float](n, c, s int, bias, y []T) {
	Parallel(n*c, 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			bv := bias[i%c]
			yr := y[i*s : (i+1)*s]
			for j := range yr {
				yr[j] += bv
			}
		}
	})
}
