//go:build !purego

package kernels

import "math/bits"

// winoTier returns the Winograd tile transforms of the current tier.
func winoTier() winoKernels {
	switch curTier {
	case tierAVX512:
		return winoAVX512
	case tierAVX2:
		k := winoGo
		k.mk = &microKernel{mr: 6, nr: 16, fn: sgemmKernel6x16AVX2}
		return k
	}
	return winoGo
}

// winoAVX512 multiplies with the 8×48 GEMM micro-kernel: U-Net layers have
// multiples of 8 channels, which 12 rows would pad by up to a third.
var winoAVX512 = winoKernels{in: winoInputAVX512, inRow: winoInputRowAVX512, inSegs: winoInputSegsAVX512, weights: winoWeights8AVX512, out: winoOutputAVX512, outRow: winoOutputRowAVX512, outSegs: winoOutputSegsAVX512,
	dy: winoDyTransformAVX512, dySegs: winoDyTransformSegsAVX512, transpose16: convTranspose16AVX512, splitT16: winoSplitT16, dwk: sgemmKernel8x48AVX512, dwk3: winoDW8x48x3AVX512,
	add: addAVX512, inv: winoInv8, leaky: leakyReluAVX512, mk: &microKernel{mr: 8, nr: 48, fn: sgemmKernel8x48AVX512}}

// winoDW8x48x3AVX512 is winoDW8x48x3Go: the caller guarantees 8·k values
// in a, k rows of ldb values apart from each of b0, b1 and b2 (16 each),
// and 8 rows of 48 ldc apart in c.
//
//go:noescape
func winoDW8x48x3AVX512(k int, a, b0, b1, b2 []float32, ldb int, c []float32, ldc int, beta float32)

// winoInv8AVX512 is winoInv8Go: the caller guarantees 36 rows of ld
// values from s, 8 read from each.
//
//go:noescape
func winoInv8AVX512(s *float32, ld int, t *[72]float32)

// winoInv8 checks the bounds winoInv8Go would and runs the kernel.
func winoInv8(s []float32, ld int, t *[72]float32) {
	_ = s[35*ld+7]
	winoInv8AVX512(&s[0], ld, t)
}

// winoInAVX512 is winoInputGo for up to 16 tiles, those whose bits are set
// in mask: tile i's corner is at x[off[i]], point ξ goes to v[ξ·vs + i].
// tmp holds 36 vectors of scratch.
//
//go:noescape
func winoInAVX512(x *float32, off *int32, mask uint16, edges uint64, w int, v *float32, vs int, tmp *float32)

// winoOutAVX512 is winoOutputGo for up to 16 tiles, those whose bits are
// set in mask: point ξ of tile i is m[ξ·ms + i], its 4×4 block goes to
// y[off[i]] in rows of w values, plus bias. tmp holds 24 vectors of
// scratch.
//
//go:noescape
func winoOutAVX512(m *float32, ms int, off *int32, mask uint16, w int, bias float32, y *float32, tmp *float32)

// winoInputAVX512 checks the bounds winoInputGo would and runs the kernel.
// The tiles' offsets may be negative (the padding row and column), so the
// kernel is given the plane's start and reads, lane by lane, only what
// edges says lies inside it.
func winoInputAVX512(x []float32, off []int32, n, w int, edges uint64, v []float32, vs int, tmp *winoTmp) {
	if n <= 0 {
		return
	}
	_ = off[15]
	_ = x[int(off[n-1])+4*w+4]
	_ = v[35*vs+n-1]
	m := uint64(1)<<n - 1
	edges &= m | m<<16 | m<<32 | m<<48
	winoInAVX512(&x[0], &off[0], uint16(m), edges, w, &v[0], vs, &tmp[0])
}

// winoOutputAVX512 checks the bounds winoOutputGo would and runs the
// kernel.
func winoOutputAVX512(m []float32, ms int, off []int32, n, w int, bias float32, y []float32, tmp *winoTmp) {
	if n <= 0 {
		return
	}
	_ = off[15]
	_ = m[35*ms+n-1]
	_ = y[int(off[n-1])+3*w+3]
	winoOutAVX512(&m[0], ms, &off[0], uint16(1)<<n-1, w, bias, &y[0], &tmp[0])
}

// winoOutRowAVX512 is winoOutputGo for 16 tiles side by side in one tile
// row, the first block at y[0]: each of its rows is 64 consecutive values,
// stored whole instead of scattered.
//
//go:noescape
func winoOutRowAVX512(m *float32, ms int, w int, bias float32, y *float32, tmp *float32)

// winoOutputRowAVX512 checks the bounds and runs winoOutRowAVX512.
func winoOutputRowAVX512(m []float32, ms, w int, bias float32, y []float32, tmp *winoTmp) {
	_ = m[35*ms+15]
	_ = y[3*w+63]
	winoOutRowAVX512(&m[0], ms, w, bias, &y[0], &tmp[0])
}

// winoOutSegsAVX512 is winoOutSegsGo: the caller guarantees 36 points of
// 16 tiles in m at stride ms and every run's four output rows in y.
//
//go:noescape
func winoOutSegsAVX512(m *float32, ms int, w int, bias float32, y *float32, segs *winoSegs, tmp *float32)

// winoOutputSegsAVX512 checks the bounds winoOutSegsGo would and runs the
// kernel.
func winoOutputSegsAVX512(m []float32, ms, w int, bias float32, y []float32, s winoSegs, tmp *winoTmp) {
	_ = m[35*ms+15]
	for i := range s.n {
		if s.at[i] < 0 {
			panic("kernels: winoOutputSegs: run before the plane")
		}
		_ = y[s.at[i]+3*w+4*s.tiles[i]-1]
	}
	winoOutSegsAVX512(&m[0], ms, w, bias, &y[0], &s, &tmp[0])
}

// winoInSegsAVX512 is winoInSegsGo: the caller guarantees the values
// from s.lo to s.hi of x, 36 points of the run's lanes at stride vs in v,
// and a winoInSegs laid out by set.
//
//go:noescape
func winoInSegsAVX512(x *float32, s *winoInSegs, w int, v *float32, vs int, tmp *float32)

// winoInputSegsAVX512 checks the bounds winoInSegsGo would and runs the
// kernel.
func winoInputSegsAVX512(x []float32, s *winoInSegs, w int, v []float32, vs int, tmp *winoTmp) {
	if s.lo < 0 {
		panic("kernels: winoInputSegs: run before the plane")
	}
	_ = x[s.hi-1]
	_ = v[35*vs+bits.Len16(s.store)-1]
	winoInSegsAVX512(&x[0], s, w, &v[0], vs, &tmp[0])
}

// winoDySegsAVX512 is winoDySegsGo: the caller guarantees the values from
// s.lo to s.hi of dy, 36 points of the run's lanes at stride vs in v, and
// a winoDySegs laid out by set.
//
//go:noescape
func winoDySegsAVX512(dy *float32, s *winoDySegs, w int, v *float32, vs int, tmp *float32)

// winoDyTransformSegsAVX512 checks the bounds winoDySegsGo would and runs
// the kernel.
func winoDyTransformSegsAVX512(dy []float32, s *winoDySegs, w int, v []float32, vs int, tmp *winoTmp) {
	if s.lo < 0 {
		panic("kernels: winoDyTransformSegs: run before the plane")
	}
	_ = dy[s.hi-1]
	_ = v[35*vs+bits.Len16(s.store)-1]
	winoDySegsAVX512(&dy[0], s, w, &v[0], vs, &tmp[0])
}

// convForwardWino is the convForwardF32 hook of the AVX-512 tier: the
// Winograd path where it serves, else the direct kernels.
func convForwardWino(p ConvParams, x, w, bias, y []float32) bool {
	if winoUse(p) {
		convWinograd(winoAVX512, p, x, nil, w, bias, y, nil, false)
		return true
	}
	return convForwardDirect(p, x, w, bias, y)
}

// convForwardConcatWino is the convForwardConcatF32 hook of the AVX-512
// tier: the Winograd path transforms its input plane by plane, so it
// reads the parts where they lie.
func convForwardConcatWino(p ConvParams, parts [][]float32, w, bias, y []float32) bool {
	if !winoUse(p) {
		return false
	}
	var buf [winoParts]winoPart
	convWinograd(winoAVX512, p, nil, winoPartsOf(p, parts, buf[:0]), w, bias, y, nil, false)
	return true
}

// convBackwardWeightConcatWino is the convBackwardWeightConcatF32 hook of
// the AVX-512 tier: as convForwardConcatWino, for the weight gradient.
func convBackwardWeightConcatWino(p ConvParams, parts [][]float32, dy, dw, dbias []float32) bool {
	if !winoUseDW(p) {
		return false
	}
	var buf [winoParts]winoPart
	convWinogradDW(winoAVX512, p, nil, winoPartsOf(p, parts, buf[:0]), dy, dw)
	if dbias != nil {
		biasGradient(p.N, p.Cout, prod(p.In), dy, dbias)
	}
	return true
}

// convBackwardDataConcatWino is the convBackwardDataConcatF32 hook of the
// AVX-512 tier: backward-data's Winograd path writes dx plane by plane,
// so it writes the parts where they lie.
func convBackwardDataConcatWino(p ConvParams, dy, w []float32, parts [][]float32) bool {
	if !winoUse(p) {
		return false
	}
	bp := p
	bp.Cin, bp.Cout = p.Cout, p.Cin
	var buf [winoParts]winoPart
	convWinograd(winoAVX512, bp, dy, nil, w, nil, nil, winoPartsOf(p, parts, buf[:0]), true)
	return true
}

// convForwardLeakyWino is the convForwardLeakyF32 hook of the AVX-512
// tier: on rings of slices the Winograd path copies each plane it
// transforms through LeakyRelu, into a plane of scratch that stays in
// L1.
func convForwardLeakyWino(p ConvParams, x []float32, slope float32, w, bias, y []float32) bool {
	if !winoUse(p) || !winoRing(p) {
		return false
	}
	parts := [1]winoPart{{x: x, c: p.Cin, leaky: true, slope: slope}}
	convWinograd(winoAVX512, p, nil, parts[:], w, bias, y, nil, false)
	return true
}

// convBackwardWeightLeakyWino is the convBackwardWeightLeakyF32 hook of
// the AVX-512 tier: as convForwardLeakyWino, for the weight gradient.
func convBackwardWeightLeakyWino(p ConvParams, x []float32, slope float32, dy, dw, dbias []float32) bool {
	if !winoUseDW(p) || !winoDWRing(p) {
		return false
	}
	parts := [1]winoPart{{x: x, c: p.Cin, leaky: true, slope: slope}}
	convWinogradDW(winoAVX512, p, nil, parts[:], dy, dw)
	if dbias != nil {
		biasGradient(p.N, p.Cout, prod(p.In), dy, dbias)
	}
	return true
}

// winoPartsOf appends parts, checked by checkParts, to buf as the
// Winograd path's.
func winoPartsOf(p ConvParams, parts [][]float32, buf []winoPart) []winoPart {
	c0 := 0
	for _, x := range parts {
		c := len(x) / p.N / prod(p.In)
		buf = append(buf, winoPart{x: x, c0: c0, c: c})
		c0 += c
	}
	return buf
}

// convBackwardDataWino is the convBackwardDataF32 hook of the AVX-512
// tier: backward-data of a 3×3 stride-1 layer is the forward convolution
// of dy with the flipped, transposed filters, which the Winograd path
// computes where it serves.
func convBackwardDataWino(p ConvParams, dy, w, dx []float32) bool {
	if winoUse(p) {
		bp := p
		bp.Cin, bp.Cout = p.Cout, p.Cin
		convWinograd(winoAVX512, bp, dy, nil, w, nil, dx, nil, true)
		return true
	}
	return convBackwardDataDirect(p, dy, w, dx)
}

// winoInRowAVX512 is winoInAVX512 for 16 tiles side by side in one tile
// row, the first tile's corner at x: their rows are 66 consecutive
// values, loaded whole and deinterleaved instead of gathered. masks is
// winoRowMasks'. tmp holds 36 vectors of scratch.
//
//go:noescape
func winoInRowAVX512(x *float32, base int, masks uint64, w int, v *float32, vs int, tmp *float32)

// winoInputRowAVX512 checks the bounds and runs winoInRowAVX512. base, the
// first tile's corner, is one row above and one value left of its output
// block (negative at the image's corner), so the kernel is given the
// plane's start and the offset, and reads through masks only what lies
// inside the image.
func winoInputRowAVX512(x []float32, base int, masks uint64, w int, v []float32, vs int, tmp *winoTmp) {
	_ = x[base+4*w+64] // the last row inside the image is 4, value 64
	_ = x[base+w+1]    // the first row inside the image is 1, value 1 (≥ 0)
	_ = v[35*vs+15]
	winoInRowAVX512(&x[0], base, masks, w, &v[0], vs, &tmp[0])
}

// winoWeightsAVX512 transforms 16 filters at once, those of lanes set in
// mask at w[idx[i]] (the others zero), rotated by 180° with flip, and
// stores point ξ of the lanes set in smask to u[ξ·us + i]. tmp holds 18
// vectors of scratch.
//
//go:noescape
func winoWeightsAVX512(w *float32, idx *int32, mask, smask uint16, flip bool, u *float32, us int, tmp *float32)

// winoWeights8AVX512 is winoWeights for panels of 8 rows with the lanes of
// the kernel holding 8 output channels (a panel's rows) of two input
// channels, so that each point's 16 values are consecutive in u.
func winoWeights8AVX512(w []float32, cout, cin int, flip bool, u []float32) {
	ng := (cout + 7) / 8
	panel := cin * 8
	us := ng * panel
	_ = u[(winoPts-1)*us+ng*panel-1]
	if len(w) < cout*cin*9 {
		panic("kernels: winoWeights: short weights")
	}
	j := getJob[winoW8Job](&winoW8Jobs)
	*j = winoW8Job{w: w, u: u, cout: cout, cin: cin, panel: panel, us: us, flip: flip}
	parallelJob(ng*((cin+1)/2), 4, j)
	putJob(&winoW8Jobs, j)
}

// winoW8Job runs winoWeights8AVX512's calls, from a free list so that a
// pass allocates nothing.
type winoW8Job struct {
	w, u                 []float32
	cout, cin, panel, us int
	flip                 bool
}

var winoW8Jobs jobList

func (j *winoW8Job) run(lo, hi int) {
	var tmp [18 * 16]float32
	var idx [16]int32
	cout, cin := j.cout, j.cin
	for q := lo; q < hi; q++ {
		g0, c0 := q/((cin+1)/2), q%((cin+1)/2)*2
		var mask, smask uint16
		for l := range 16 {
			c, o := c0+l/8, g0*8+l%8
			if c >= cin {
				continue
			}
			smask |= 1 << l
			if o >= cout {
				continue
			}
			mask |= 1 << l
			if j.flip {
				idx[l] = int32((c*cout + o) * 9)
			} else {
				idx[l] = int32((o*cin + c) * 9)
			}
		}
		winoWeightsAVX512(&j.w[0], &idx[0], mask, smask, j.flip, &j.u[g0*j.panel+c0*8], j.us, &tmp[0])
	}
}

// winoDyAVX512 is winoDyGo for up to 16 tiles, those whose bits are set in
// mask: tile i's 4×4 block is at dy[off[i]] in rows of w values, point ξ
// goes to v[ξ·vs + i]. tmp holds 24 vectors of scratch.
//
//go:noescape
func winoDyAVX512(dy *float32, off *int32, mask uint16, w int, v *float32, vs int, tmp *float32)

// winoDyTransformAVX512 checks the bounds winoDyGo would and runs the
// kernel.
func winoDyTransformAVX512(dy []float32, off []int32, n, w int, v []float32, vs int, tmp *winoTmp) {
	if n <= 0 {
		return
	}
	_ = off[15]
	_ = dy[int(off[n-1])+3*w+3]
	_ = v[35*vs+n-1]
	winoDyAVX512(&dy[0], &off[0], uint16(1)<<n-1, w, &v[0], vs, &tmp[0])
}

// winoSplitT16AVX512 is winoSplitT16Go.
//
//go:noescape
func winoSplitT16AVX512(lo, hi *float32, ldd int, src *float32, lds int)

// winoSplitT16 checks the bounds winoSplitT16Go would and runs the kernel.
func winoSplitT16(lo, hi []float32, ldd int, src []float32, lds int) {
	_ = lo[15*ldd+7]
	_ = hi[15*ldd+7]
	_ = src[15*lds+15]
	winoSplitT16AVX512(&lo[0], &hi[0], ldd, &src[0], lds)
}

// convBackwardWeightWino is the convBackwardWeightF32 hook of the AVX-512
// tier: the Winograd weight gradient where the path serves, else the
// direct kernels.
func convBackwardWeightWino(p ConvParams, x, dy, dw, dbias []float32) bool {
	if winoUseDW(p) {
		convWinogradDW(winoAVX512, p, x, nil, dy, dw)
		if dbias != nil {
			biasGradient(p.N, p.Cout, prod(p.In), dy, dbias)
		}
		return true
	}
	return convBackwardWeightDirect(p, x, dy, dw, dbias)
}
