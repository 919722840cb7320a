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
	// packA, when set, packs an mr-row panel of a non-transposed A (see
	// packA12AVX512); otherwise the Go packA runs.
	packA func(dst, a []float32, lda, kc, h int, alpha float32)
}

// sgemmKernel is the micro-kernel of the current tier; nil selects the
// generic GEMM.
var sgemmKernel *microKernel

// blockOverride, when its fields are non-zero, replaces the cache-derived
// blocking (for tests and tuning).
var blockOverride struct{ mc, kc, nc int }

// blockSizes derives the GotoBLAS/BLIS cache blocking from the cache sizes:
// a kc×nr micro-panel of B stays in L1 while the mc×kc block of A streams
// from L2 past it, and the kc×nc block of B is shared by the workers.
func blockSizes(mk *microKernel) (mc, kc, nc int) {
	l1, l2 := cacheSizes()
	if l1 <= 0 {
		l1 = 32 << 10
	}
	if l2 <= 0 {
		l2 = 1 << 20
	}
	// Two thirds of L1 for the B micro-panel, the rest for A's
	// micro-panel and C.
	kc = l1 * 2 / 3 / (4 * mk.nr)
	kc = min(max(kc/16*16, 128), 512)
	// Half of L2 for the packed A block.
	mc = l2 / 2 / (4 * kc)
	mc = min(max(mc/mk.mr*mk.mr, mk.mr), 1020/mk.mr*mk.mr)
	nc = 4096
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

// sgemmPacked computes C = alpha·op(A)·op(B) + beta·C with packed panels
// and the micro-kernel mk. The caller has checked the shapes.
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
	mBlocks := ceilDiv(m, mc)
	mc = ceilDiv(ceilDiv(m, mBlocks), mr) * mr
	kc = ceilDiv(k, ceilDiv(k, kc))
	// Whole panels only: B's buffer holds kc·nc values, and a partial
	// panel is packed to its full width nr (48 does not divide 4096).
	nc = min(max(nc/nr, 1)*nr, ceilDiv(n, nr)*nr)

	bbuf := getPack(kc * nc)
	defer putPack(bbuf)
	mp := ceilDiv(m, mr) * mr
	abuf := getPack(mp * kc)
	defer putPack(abuf)
	workers := Workers()
	j := getJob[sgemmJob](&sgemmJobs)
	*j = sgemmJob{mk: mk, m: m, mc: mc, a: a, lda: lda, transA: transA, alpha: alpha, b: b, c: c, ldc: ldc}
	for jc := 0; jc < n; jc += nc {
		ncur := min(nc, n-jc)
		np := ceilDiv(ncur, nr)
		for pc := 0; pc < k; pc += kc {
			kcur := min(kc, k-pc)
			bet := beta
			if pc > 0 {
				bet = 1
			}
			j.jc, j.ncur, j.np, j.pc, j.kcur, j.bet = jc, ncur, np, pc, kcur, bet
			j.bp = (*bbuf)[:np*kcur*nr]
			parallelJob(np, 2, (*packBJob)(j))
			// A is packed once per depth block, shared by all units.
			j.ap = (*abuf)[:mp*kcur]
			parallelJob(mp/mr, 4, (*packAJob)(j))
			// Work units are (block of A rows) × (run of B panels); with
			// few row blocks the B panels are split so that every worker
			// has several units.
			j.nChunks = 1
			if mBlocks < 4*workers {
				j.nChunks = min(np, ceilDiv(4*workers, mBlocks))
			}
			parallelJob(mBlocks*j.nChunks, 1, j)
		}
	}
	putJob(&sgemmJobs, j)
}

var sgemmJobs jobList

// sgemmJob holds the arguments of sgemmPacked and the current block.
type sgemmJob struct {
	mk                              *microKernel
	m, mc                           int
	a                               []float32
	lda                             int
	transA                          bool
	alpha                           float32
	b                               bSource
	c                               []float32
	ldc                             int
	jc, ncur, np, pc, kcur, nChunks int
	bet                             float32
	ap, bp                          []float32
}

type packBJob sgemmJob

// run packs the B panels [lo, hi) of the current block.
func (j *packBJob) run(lo, hi int) {
	mk, b, bp, jc, ncur, pc, kcur, nr := j.mk, j.b, j.bp, j.jc, j.ncur, j.pc, j.kcur, j.mk.nr
	if d, ok := b.(*denseB); ok && !d.trans && mk.packBRows != nil {
		// Full panels row by row; a ragged last panel below.
		full := min(hi, ncur/nr) - lo
		if full > 0 {
			j0 := jc + lo*nr
			src := d.b[pc*d.ld+j0 : (pc+kcur-1)*d.ld+j0+full*nr]
			mk.packBRows(bp[lo*kcur*nr:(lo+full)*kcur*nr], src, d.ld, kcur, full)
			lo += full
		}
	}
	for q := lo; q < hi; q++ {
		j0 := jc + q*nr
		b.packB(bp[q*kcur*nr:(q+1)*kcur*nr], nr, pc, kcur, j0, min(nr, jc+ncur-j0))
	}
}

type packAJob sgemmJob

// run packs the A panels [lo, hi) of the current depth block.
func (j *packAJob) run(lo, hi int) {
	mk, ap, a, lda, transA, alpha, m, pc, kcur, mr := j.mk, j.ap, j.a, j.lda, j.transA, j.alpha, j.m, j.pc, j.kcur, j.mk.mr
	for pi := lo; pi < hi; pi++ {
		ir := pi * mr
		h := min(mr, m-ir)
		if mk.packA != nil && !transA && lda < 1<<26 {
			src := a[ir*lda+pc : (ir+h-1)*lda+pc+kcur]
			mk.packA(ap[ir*kcur:ir*kcur+mr*kcur], src, lda, kcur, h, alpha)
			continue
		}
		packA(ap[ir*kcur:], mr, a, lda, transA, alpha, ir, h, pc, kcur)
	}
}

// run computes the work units [lo, hi) of the current block.
func (j *sgemmJob) run(lo, hi int) {
	mk, m, mc, mr, nr, np, nChunks := j.mk, j.m, j.mc, j.mk.mr, j.mk.nr, j.np, j.nChunks
	jc, ncur, kcur, bet, ap, bp, c, ldc := j.jc, j.ncur, j.kcur, j.bet, j.ap, j.bp, j.c, j.ldc
	{
		// The edge tile buffer comes from the free lists: through the
		// function value mk.fn a local array would escape to the heap.
		var tb *[]float32
		for u := lo; u < hi; u++ {
			mb, ch := u/nChunks, u%nChunks
			i0 := mb * mc
			mcur := min(mc, m-i0)
			for q := ch * np / nChunks; q < (ch+1)*np/nChunks; q++ {
				j0 := jc + q*nr
				w := min(nr, jc+ncur-j0)
				bq := bp[q*kcur*nr : (q+1)*kcur*nr]
				for ir := 0; ir < mcur; ir += mr {
					h := min(mr, mcur-ir)
					at := ap[(i0+ir)*kcur : (i0+ir)*kcur+mr*kcur]
					ci := (i0+ir)*ldc + j0
					if h == mr && w == nr {
						mk.fn(kcur, at, bq, c[ci:ci+(mr-1)*ldc+nr], ldc, bet)
						continue
					}
					if tb == nil {
						tb = getPack(mr * nr)
					}
					tile := *tb
					mk.fn(kcur, at, bq, tile[:mr*nr], nr, 0)
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
		}
		if tb != nil {
			putPack(tb)
		}
	}
}
