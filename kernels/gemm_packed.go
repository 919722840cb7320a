package kernels

// microKernel describes an assembly register-blocked GEMM kernel that
// computes one mr×nr tile of C: C = A·B + beta·C over k, where a holds k
// groups of mr values of A (packA) and b k rows of nr values of B (packB);
// c starts at the tile's top-left element, with row stride ldc. beta == 0
// means C is written without being read, so NaNs in it do not propagate.
type microKernel struct {
	mr, nr int
	fn     func(k int, a, b, c []float32, ldc int, beta float32)
	// packBRows, when set, packs np full nr-wide panels of a
	// non-transposed B row by row (see packBRows32AVX512).
	packBRows func(dst, b []float32, ldb, kc, np int)
	// packBPanel, when set, packs one full nr-wide panel of a
	// non-transposed B (see packBPanelAVX512).
	packBPanel func(dst, b []float32, ldb, kc int)
	// gatherCols, when set, packs panels of a transposed B (see
	// gatherCols16AVX512).
	gatherCols func(dst, src []float32, idx *[16]int32, lanes, n, dstStride int)
	// alt, when set, is a kernel of another tile shape that Gemm runs
	// instead when its tiles fit the matrix better (see tilesArea).
	alt *microKernel
	// packA, when set, packs an mr-row panel of a non-transposed A (see
	// packA12AVX512); otherwise the Go packA runs.
	packA func(dst, a []float32, lda, kc, h int, alpha float32)
	// packAT, when set, packs an mr-row panel of a transposed A (see
	// packATAVX512).
	packAT func(dst, a []float32, lda, kc, h int, alpha float32)
}

// sgemmKernel is the micro-kernel of the current tier; nil selects the
// generic GEMM.
var sgemmKernel *microKernel

// blockOverride, when its fields are non-zero, replaces the cache-derived
// blocking (for tests and tuning).
var blockOverride struct{ mc, kc, nc int }

// blockSizes derives the GotoBLAS/BLIS cache blocking from the cache sizes:
// a kc×nr micro-panel of B stays in L1 while the mc×kc block of A streams
// from L2 past it. nc is the width of the B block a work unit packs at
// once when its rows span several mc blocks.
func blockSizes(mk *microKernel) (mc, kc, nc int) {
	l1, l2 := cacheSizes()
	// Two thirds of L1 for the B micro-panel, the rest for A's
	// micro-panel and C.
	kc = l1 * 2 / 3 / (4 * mk.nr)
	kc = min(max(kc/16*16, 128), 512)
	// Half of L2 for the packed A block.
	mc = l2 / 2 / (4 * kc)
	mc = min(max(mc/mk.mr*mk.mr, mk.mr), 1020/mk.mr*mk.mr)
	nc = 512
	if blockOverride.mc > 0 {
		mc = blockOverride.mc / mk.mr * mk.mr
	}
	if blockOverride.kc > 0 {
		kc = blockOverride.kc
	}
	if blockOverride.nc > 0 {
		nc = blockOverride.nc
	}
	return mc, kc, nc
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// scaleC sets C to beta·C (to 0 when beta is 0, without reading C).
func scaleC(m, n int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		ci := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(ci)
		} else if beta != 1 {
			for j := range ci {
				ci[j] *= beta
			}
		}
	}
}

// aPassMax, when positive, replaces the packed A that one pass of
// sgemmPacked holds, in values (tests lower it).
var aPassMax int

// aPass is the packed A of one pass, in values: 5/8 of L2, so that every
// work unit of the pass finds A there beside its part of C (a quarter of
// a megabyte for 512 rows) and its B panel. For 512×1024×4608 that is two
// depth blocks a pass, nine passes.
func aPass() int {
	if aPassMax > 0 {
		return aPassMax
	}
	_, l2 := cacheSizes()
	return l2 * 5 / 8 / 4
}

// sgemmPacked computes C = alpha·op(A)·op(B) + beta·C with packed panels
// and the micro-kernel mk. The caller has checked the shapes.
//
// The depth is covered in passes of as many depth blocks as fit aPass
// values of packed A. A pass packs its A, shared by the workers, and then
// each work unit, a run of B panels across a range of rows of C, packs its
// own B and runs the micro-kernel over the pass's depth blocks: the
// workers meet twice per pass instead of three times per depth block,
// and B, packed panel by panel just before use when the unit's rows fit
// one L2 block, is never written out to L3 and read back. Units start at
// multiples of mr rows and nr columns, and the depth blocks do not depend
// on them, so every element of C is summed in the same order whatever the
// number of workers.
func sgemmPacked(mk *microKernel, m, n, k int, alpha float32, a []float32, lda int, transA bool, b bSource, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	mr, nr := mk.mr, mk.nr
	mc, kc, nc := blockSizes(mk)
	// Even out the blocks so that the last one is not a sliver.
	kc = ceilDiv(k, ceilDiv(k, kc))
	mc = ceilDiv(ceilDiv(m, ceilDiv(m, mc)), mr) * mr
	mp := ceilDiv(m, mr) * mr
	np := ceilDiv(n, nr)
	passK := max(1, aPass()/(mp*kc)) * kc

	// Work units: runs of B panels, and when there are too few of those
	// for the workers, ranges of rows too (each then packs its B panels).
	// Several units per worker keep them all busy when one is slowed.
	workers := Workers()
	nChunks, mParts := min(np, 4*workers), 1
	if np < 2*workers {
		mParts = min(mp/mr, ceilDiv(4*workers, np))
	}

	abuf := getPack(mp * min(k, passK))
	defer putPack(abuf)
	j := getJob[sgemmJob](&sgemmJobs)
	*j = sgemmJob{mk: mk, m: m, n: n, k: k, mc: mc, kc: kc, mp: mp, np: np, a: a, lda: lda, transA: transA, alpha: alpha,
		b: b, beta: beta, c: c, ldc: ldc, nChunks: nChunks, mParts: mParts, group: max(1, nc/nr)}
	for p0 := 0; p0 < k; p0 += passK {
		j.p0, j.p1 = p0, min(k, p0+passK)
		j.ap = (*abuf)[:mp*(j.p1-p0)]
		// At least 32K values a piece: a small A is packed faster than a
		// worker wakes up.
		parallelJob(ceilDiv(j.p1-p0, kc)*(mp/mr), max(4, (1<<15)/(mr*kc)), (*packAJob)(j))
		parallelJob(mParts*nChunks, 1, j)
	}
	putJob(&sgemmJobs, j)
}

var sgemmJobs jobList

// sgemmJob holds the arguments of sgemmPacked and the current pass.
type sgemmJob struct {
	mk                      *microKernel
	m, n, k, mc, kc, mp, np int
	a                       []float32
	lda                     int
	transA                  bool
	alpha                   float32
	b                       bSource
	beta                    float32
	c                       []float32
	ldc                     int
	nChunks, mParts, group  int       // group: B panels packed at once (several mc blocks)
	p0, p1                  int       // the depth of this pass
	ap                      []float32 // A packed for the pass: block pc at (pc-p0)·mp
}

type packAJob sgemmJob

// run packs the A panels [lo, hi) of the pass, numbered block by block.
func (j *packAJob) run(lo, hi int) {
	mk, a, lda, transA, alpha, m, mr := j.mk, j.a, j.lda, j.transA, j.alpha, j.m, j.mk.mr
	perBlock := j.mp / mr
	for u := lo; u < hi; u++ {
		pc := j.p0 + u/perBlock*j.kc
		kcur := min(j.kc, j.k-pc)
		ir := u % perBlock * mr
		h := min(mr, m-ir)
		dst := j.ap[(pc-j.p0)*j.mp+ir*kcur : (pc-j.p0)*j.mp+ir*kcur+mr*kcur]
		if mk.packA != nil && !transA && lda < 1<<26 {
			mk.packA(dst, a[ir*lda+pc:(ir+h-1)*lda+pc+kcur], lda, kcur, h, alpha)
			continue
		}
		if mk.packAT != nil && transA {
			mk.packAT(dst, a[pc*lda+ir:(pc+kcur-1)*lda+ir+h], lda, kcur, h, alpha)
			continue
		}
		packA(dst, mr, a, lda, transA, alpha, ir, h, pc, kcur)
	}
}

// run computes the work units [lo, hi) of the pass.
func (j *sgemmJob) run(lo, hi int) {
	mr, nr, kc := j.mk.mr, j.mk.nr, j.kc
	// The edge tile comes from the free lists with the B buffer: through
	// the function value mk.fn a local array would escape to the heap.
	g := j.group
	buf := getPack(g*kc*nr + mr*nr)
	defer putPack(buf)
	bp, tile := (*buf)[:g*kc*nr], (*buf)[g*kc*nr:g*kc*nr+mr*nr]
	rowPanels := j.mp / mr
	for u := lo; u < hi; u++ {
		part, ch := u/j.nChunks, u%j.nChunks
		r0, r1 := part*rowPanels/j.mParts*mr, min(j.m, (part+1)*rowPanels/j.mParts*mr)
		q0, q1 := ch*j.np/j.nChunks, (ch+1)*j.np/j.nChunks
		for pc := j.p0; pc < j.p1; pc += kc {
			kcur := min(kc, j.k-pc)
			bet := j.beta
			if pc > 0 {
				bet = 1
			}
			ablk := j.ap[(pc-j.p0)*j.mp : (pc-j.p0+kcur)*j.mp]
			if r1-r0 <= j.mc {
				// Each panel packed just before its column of tiles
				// runs: it stays in L1.
				for q := q0; q < q1; q++ {
					j.packPanels(bp, q, q+1, pc, kcur)
					j.tiles(ablk, bp, r0, r1, q, kcur, bet, tile)
				}
				continue
			}
			for g0 := q0; g0 < q1; g0 += g {
				g1 := min(q1, g0+g)
				j.packPanels(bp, g0, g1, pc, kcur)
				for i0 := r0; i0 < r1; i0 += j.mc {
					for q := g0; q < g1; q++ {
						j.tiles(ablk, bp[(q-g0)*kcur*nr:], i0, min(r1, i0+j.mc), q, kcur, bet, tile)
					}
				}
			}
		}
	}
}

var gatherIdx jobList

// packPanels packs the B panels [q0, q1) of depth block pc into bp.
func (j *sgemmJob) packPanels(bp []float32, q0, q1, pc, kcur int) {
	mk, nr, n := j.mk, j.mk.nr, j.n
	if d, ok := j.b.(*denseB); ok && d.trans && mk.gatherCols != nil && q1*nr*d.ld < 1<<31 {
		// Bᵀ stored: each panel row is a column of the storage, gathered
		// 16 lanes at a time down the depth. The index array comes from a
		// free list: passed to a function value it would escape.
		idx := getJob[[16]int32](&gatherIdx)
		defer putJob(&gatherIdx, idx)
		for q := q0; q < q1; q++ {
			j0 := q * nr
			w := min(nr, n-j0)
			dst := bp[(q-q0)*kcur*nr : (q-q0+1)*kcur*nr]
			if w < nr {
				clear(dst)
			}
			for jj := 0; jj < w; jj += 16 {
				lanes := min(16, w-jj)
				for l := range lanes {
					idx[l] = int32((j0 + jj + l) * d.ld)
				}
				mk.gatherCols(dst[jj:], d.b[pc:], idx, lanes, kcur, nr)
			}
		}
		return
	}
	if d, ok := j.b.(*denseB); ok && !d.trans {
		// Full panels row by row, or one by one; a ragged last panel
		// below.
		full := min(q1, n/nr) - q0
		switch {
		case full > 1 && mk.packBRows != nil:
			src := d.b[pc*d.ld+q0*nr : (pc+kcur-1)*d.ld+(q0+full)*nr]
			mk.packBRows(bp[:full*kcur*nr], src, d.ld, kcur, full)
			bp = bp[full*kcur*nr:]
			q0 += full
		case mk.packBPanel != nil:
			for ; full > 0; full-- {
				src := d.b[pc*d.ld+q0*nr : (pc+kcur-1)*d.ld+(q0+1)*nr]
				mk.packBPanel(bp[:kcur*nr], src, d.ld, kcur)
				bp = bp[kcur*nr:]
				q0++
			}
		}
	}
	for q := q0; q < q1; q++ {
		j0 := q * nr
		j.b.packB(bp[:kcur*nr], nr, pc, kcur, j0, min(nr, n-j0))
		bp = bp[kcur*nr:]
	}
}

// tiles runs the micro-kernel over rows [i0, i1) of C against B panel q
// (packed in bq) for depth block pc, whose A panels are in ablk.
func (j *sgemmJob) tiles(ablk, bq []float32, i0, i1, q, kcur int, bet float32, tile []float32) {
	mk, mr, nr, c, ldc := j.mk, j.mk.mr, j.mk.nr, j.c, j.ldc
	j0 := q * nr
	w := min(nr, j.n-j0)
	bq = bq[:kcur*nr]
	for ir := i0; ir < i1; ir += mr {
		h := min(mr, i1-ir)
		at := ablk[ir*kcur : ir*kcur+mr*kcur]
		ci := ir*ldc + j0
		if h == mr && w == nr {
			mk.fn(kcur, at, bq, c[ci:ci+(mr-1)*ldc+nr], ldc, bet)
			continue
		}
		mk.fn(kcur, at, bq, tile, nr, 0)
		for i := 0; i < h; i++ {
			cr := c[ci+i*ldc : ci+i*ldc+w]
			tr := tile[i*nr : i*nr+w]
			if bet == 0 {
				copy(cr, tr)
			} else {
				for jj, v := range tr {
					cr[jj] = v + bet*cr[jj]
				}
			}
		}
	}
}
