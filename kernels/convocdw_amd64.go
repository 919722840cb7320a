//go:build !purego

package kernels

// The weight gradient on the output-channel path (see convoc_amd64.go):
// for one tap, 6 input channels and 64 output channels, the sum over the
// output positions of dy's 64 values there (a row of dy transposed to
// positions × channels) times the 6 input values that the tap reads; for
// 32 output channels, the three taps of a kernel row and 4 input channels
// at once. The positions run by output rows, and a tap's rows whose depth
// or height lie in the padding are left out; strides only change which
// input values a row reads.

// convOCDW6x64AVX512 is convOCDW6x64Go with step and ldo in bytes: the
// caller guarantees every read inside x and dyT.
//
//go:noescape
func convOCDW6x64AVX512(x *float32, coff *[6]int32, runs *int32, nruns, step int, dyT *float32, ldo int, t *[384]float32)

// convOCDW6x64Go sets t[i·64 + o], for the 6 input channels i and 64
// output channels o, to the sum over the runs (xo, do, n), triples of
// runs, and q < n of x[coff[i] + xo + q·step] · dyT[do + q·ldo + o], in
// that order.
func convOCDW6x64Go(x []float32, coff *[6]int32, runs []int32, step int, dyT []float32, ldo int, t *[384]float32) {
	var acc [384]float32
	for r := 0; r+2 < len(runs); r += 3 {
		xo, do, n := int(runs[r]), int(runs[r+1]), int(runs[r+2])
		for q := range n {
			d := dyT[do+q*ldo:][:64]
			for i, co := range coff {
				v := x[int(co)+xo+q*step]
				for o, dv := range d {
					acc[i*64+o] += v * dv
				}
			}
		}
	}
	*t = acc
}

// convOCDW4x3x32AVX512 is convOCDW4x3x32Go with step and ldo in bytes:
// the caller guarantees every read inside x and dyT.
//
//go:noescape
func convOCDW4x3x32AVX512(x *float32, coff *[4]int32, runs *int32, nruns, step int, dyT *float32, ldo int, t *[384]float32, acc int)

// convOCDW4x3x32Go sets t[(i·3 + kw)·32 + o], for 4 input channels i,
// the 3 taps kw of a kernel row and 32 output channels o, to the sum over
// the runs (xo, do, n) and q < n of x[coff[i] + xo + q·step + kw] ·
// dyT[do + q·ldo + o], from t's own value with accumulate.
func convOCDW4x3x32Go(x []float32, coff *[4]int32, runs []int32, step int, dyT []float32, ldo int, t *[384]float32, accumulate bool) {
	var acc [384]float32
	if accumulate {
		acc = *t
	}
	for r := 0; r+2 < len(runs); r += 3 {
		xo, do, n := int(runs[r]), int(runs[r+1]), int(runs[r+2])
		for q := range n {
			d := dyT[do+q*ldo:][:32]
			for i, co := range coff {
				for kw := range 3 {
					v := x[int(co)+xo+q*step+kw]
					for o, dv := range d {
						acc[(i*3+kw)*32+o] += v * dv
					}
				}
			}
		}
	}
	*t = acc
}

// convOCDW4x3x32 checks the bounds convOCDW4x3x32Go would and runs the
// kernel on runs [lo, hi) of r (made with step and ldo).
func convOCDW4x3x32(x []float32, coff *[4]int32, r *ocRuns, lo, hi, step int, dyT []float32, ldo int, t *[384]float32, accumulate bool) {
	if hi <= lo {
		if !accumulate {
			clear(t[:])
		}
		return
	}
	r.check(x, coff[:], 3, dyT, 32)
	convOCDW4x3x32AVX512(&x[0], coff, &r.runs[3*lo], hi-lo, 4*step, &dyT[0], 4*ldo, t, b2acc(accumulate))
}

// ocRuns is a tap's runs for convOCDW6x64, with the largest offsets
// that they read from past a channel's start in x and in dyT.
type ocRuns struct {
	runs     []int32
	xhi, dhi int
}

// newOCRuns returns runs with their bounds for the given steps.
func newOCRuns(runs []int32, step, ldo int) ocRuns {
	r := ocRuns{runs: runs}
	for k := 0; k+2 < len(runs); k += 3 {
		xo, do, n := int(runs[k]), int(runs[k+1]), int(runs[k+2])
		if xo < 0 || do < 0 || n < 1 {
			panic("kernels: output-channel weight gradient: bad run")
		}
		r.xhi, r.dhi = max(r.xhi, xo+(n-1)*step), max(r.dhi, do+(n-1)*ldo)
	}
	return r
}

// check panics unless the weight-gradient kernels' reads for the
// channels at coff lie inside x (xn values from each run's positions)
// and dyT (m output gradients at each).
func (r *ocRuns) check(x []float32, coff []int32, xn int, dyT []float32, m int) {
	chi := coff[0]
	for _, c := range coff {
		if c < 0 {
			panic("kernels: output-channel weight gradient: negative channel offset")
		}
		chi = max(chi, c)
	}
	_ = x[int(chi)+r.xhi+xn-1]
	_ = dyT[r.dhi+m-1]
}

// convOCDW6x64 checks the bounds convOCDW6x64Go would and runs the
// kernel; r holds runs made with step and ldo (newOCRuns).
func convOCDW6x64(x []float32, coff *[6]int32, r *ocRuns, step int, dyT []float32, ldo int, t *[384]float32) {
	nr := len(r.runs) / 3
	if nr == 0 {
		clear(t[:])
		return
	}
	r.check(x, coff[:], 1, dyT, 64)
	convOCDW6x64AVX512(&x[0], coff, &r.runs[0], nr, 4*step, &dyT[0], 4*ldo, t)
}

// convOCWeight computes ConvBackwardWeight's dw and dbias for a p that
// ocTakes(p, passWeight) accepts.
func convOCWeight(p ConvParams, x, dy, dw, dbias []float32) {
	g, _ := newOCGeom(p, false)
	outVol := g.ys[0] * g.ys[1] * g.ys[2]
	nx := g.n*g.img + ocSlack(g)
	xh := getPack(nx)
	defer putPack(xh)
	dh := getPack(g.n * outVol * g.cout)
	defer putPack(dh)
	// Each tap's runs: one per image and output row whose depth and
	// height it reads inside the image.
	// first[t·(sl+1) + i] is the index of tap t's first run in output
	// slice i of all images' sl = n·out[0] slices, for the 32-channel
	// kernel, which runs the taps slice by slice.
	rows := g.ys[0] * g.ys[1]
	per := 3 * g.n * rows
	sl := g.n * g.ys[0]
	rb := getJob[offsetBuf](&offsetBufs)
	defer keepJob(&offsetBufs, rb)
	if need := g.kvol * (per + sl + 1); cap(rb.s) < need {
		rb.s = make([]int32, need)
	}
	runs := rb.s[:g.kvol*per]
	first := rb.s[g.kvol*per:][:g.kvol*(sl+1)]
	var nruns [27]int
	var tr [27]ocRuns
	for t := range g.kvol {
		kd, kh, kw := t/(g.k[1]*g.k[2]), t/g.k[2]%g.k[1], t%g.k[2]
		r := runs[t*per:]
		for n := range g.n {
			for row := range rows {
				od, oh := row/g.ys[1], row%g.ys[1]
				if oh == 0 {
					first[t*(sl+1)+n*g.ys[0]+od] = int32(nruns[t])
				}
				id, ih := od*g.s[0]-g.pad[0]+kd, oh*g.s[1]-g.pad[1]+kh
				if id < 0 || id >= g.xs[0] || ih < 0 || ih >= g.xs[1] {
					continue
				}
				k := 3 * nruns[t]
				r[k] = int32(n*g.img + id*g.plane + ih*g.wp + kw)
				r[k+1] = int32((n*outVol + row*g.ys[2]) * g.cout)
				r[k+2] = int32(g.ys[2])
				nruns[t]++
			}
		}
		first[t*(sl+1)+sl] = int32(nruns[t])
		tr[t] = newOCRuns(r[:3*nruns[t]], g.s[2], g.cout)
	}
	j := getJob[ocDWJob](&ocDWJobs)
	defer putJob(&ocDWJobs, j)
	*j = ocDWJob{g: g, dy: dy, dw: dw, xp: (*xh)[:nx], dyT: (*dh)[:g.n*outVol*g.cout], runs: tr, first: first}
	clear(j.xp[g.n*g.img:])
	pj := getJob[ocJob](&ocJobs)
	*pj = ocJob{g: g, x: x, xp: j.xp, phase: ocPad}
	parallelJob(g.n*g.cin*g.xs[0], 1, pj)
	putJob(&ocJobs, pj)
	j.phase = ocDyT
	parallelJob(g.n*ceilDiv(g.cout, 16), 1, j)
	if g.v == 2 {
		j.phase = ocDW32
		parallelJob(g.cout/32*ceilDiv(g.cin, 4), 1, j)
	} else {
		j.phase = ocDW
		parallelJob(g.cout/ocBlock*ceilDiv(g.cin, 6), 1, j)
	}
	if dbias != nil {
		biasGradient(g.n, g.cout, outVol, dy, dbias)
	}
}

// ocBlock is the output channels of the weight gradient's blocks.
const ocBlock = 64

// The phases of an ocDWJob.
const (
	ocDyT = iota
	ocDW
	ocDW32
)

var ocDWJobs jobList

type ocDWJob struct {
	g       ocGeom
	dy, dw  []float32
	xp, dyT []float32
	runs    [27]ocRuns // each tap's
	first   []int32    // see convOCWeight
	phase   int
}

func (j *ocDWJob) run(lo, hi int) {
	g := &j.g
	outVol := g.ys[0] * g.ys[1] * g.ys[2]
	if j.phase == ocDyT {
		// Units (image, 16 output channels): dyT[n][position][channel].
		nb := ceilDiv(g.cout, 16)
		for u := lo; u < hi; u++ {
			n, o0 := u/nb, u%nb*16
			transposeInto(j.dyT[n*outVol*g.cout+o0:], g.cout, j.dy[(n*g.cout+o0)*outVol:], outVol, min(16, g.cout-o0), outVol)
		}
		return
	}
	if j.phase == ocDW32 {
		j.run32(lo, hi)
		return
	}
	ncg := ceilDiv(g.cin, 6)
	var coff [6]int32
	// A unit's tiles, [tap][channel][output channel], and transposed,
	// [channel][output channel][tap], written to dw as whole filters.
	bh := getScratch[float32](2 * 384 * g.kvol)
	defer putScratch(bh)
	tiles, filt := (*bh)[:384*g.kvol], (*bh)[384*g.kvol:][:384*g.kvol]
	for u := lo; u < hi; u++ {
		ob, c0 := u/ncg, u%ncg*6
		for i := range coff {
			coff[i] = int32(min(c0+i, g.cin-1) * g.chn)
		}
		for t := range g.kvol {
			convOCDW6x64(j.xp, &coff, &j.runs[t], g.s[2], j.dyT[ob*ocBlock:], g.cout, (*[384]float32)(tiles[t*384:]))
		}
		transposeInto(filt, g.kvol, tiles, 384, g.kvol, 384)
		for i := range min(6, g.cin-c0) {
			for o := range ocBlock {
				copy(j.dw[((ob*ocBlock+o)*g.cin+c0+i)*g.kvol:][:g.kvol], filt[(i*ocBlock+o)*g.kvol:][:g.kvol])
			}
		}
	}
}

// run32 computes the units [lo, hi) of the 32-channel weight gradient: 32
// output channels and 4 input channels (u = ob·⌈cin/4⌉ + group), all taps,
// output slice by output slice, so that a slice's output gradients (dyT)
// are read from cache by the calls of its k[0]·k[1] kernel rows.
func (j *ocDWJob) run32(lo, hi int) {
	g := &j.g
	ncg := ceilDiv(g.cin, 4)
	nrow := g.k[0] * g.k[1] // kernel rows, three taps each
	sl := g.n * g.ys[0]
	bh := getScratch[float32](nrow * 384)
	defer putScratch(bh)
	tiles := (*bh)[:nrow*384]
	var coff [4]int32
	for u := lo; u < hi; u++ {
		ob, c0 := u/ncg, u%ncg*4
		for i := range coff {
			coff[i] = int32(min(c0+i, g.cin-1) * g.chn)
		}
		clear(tiles)
		for s := range sl {
			for kr := range nrow {
				t := kr * 3
				f := j.first[t*(sl+1):]
				convOCDW4x3x32(j.xp, &coff, &j.runs[t], int(f[s]), int(f[s+1]), g.s[2], j.dyT[ob*32:], g.cout, (*[384]float32)(tiles[kr*384:]), true)
			}
		}
		for i := range min(4, g.cin-c0) {
			for o := range 32 {
				f := j.dw[((ob*32+o)*g.cin+c0+i)*g.kvol:][:g.kvol]
				for kr := range nrow {
					for kw := range 3 {
						f[kr*3+kw] = tiles[kr*384+(i*3+kw)*32+o]
					}
				}
			}
		}
	}
}
