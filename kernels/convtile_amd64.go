//go:build !purego

package kernels

import "math/bits"

// The tiled direct forward: 8 output channels × 3 windows of 16 virtual
// positions per kernel call, with the GEMM micro-kernel's register tile
// but its B rows read straight from the padded image and its rows stored
// straight into y, each window in up to two masked parts (the valid
// positions of one output row and of the next). Against the gathered GEMM
// path it saves the panel gathers, and against the broadcast kernel
// (convBcast16AVX512) the reading of each input value once per 16
// channels. Process CPU, 1 thread, loaded machine, interleaved (so ±10 %):
// 1.1–1.2× less for the 32–128-channel 2D forwards and backward-data
// passes, 1.1–1.25× for 16→16 3D at 48³ and 32→32 at 24³; 256→256 at
// 16² measured 1.15× in one comparison and 0.91× in another. The
// windows cover the valid positions of an image (see tileWindows), and
// are numbered across a group of images (see padGroup), so that only the
// group's last tile is ragged.

// convTile8x48AVX512 is convTile8x48Go: the caller guarantees
// x[off[p]+q : off[p]+q+16] inside x for p < k and each window's q, 8·k
// values in a, and every stored element inside c.
//
//go:noescape
func convTile8x48AVX512(k int, a []float32, x []float32, off []int32, win *[12]int32, c []float32, ldc int, beta float32)

// convTile8x48Go computes, for i < 8, v < 3 and j < 16,
//
//	s = Σ_{p<k} a[p*8+i]·x[off[p]+win[v]+j]
//
// and stores it (plus c's value when beta is 1; beta is 0 or 1) at
// c[i*ldc+win[3+v]+j] when bit j of the low half of win[9+v] is set and at
// c[i*ldc+win[6+v]+j] when bit j of its high half is: 8 output channels,
// their weights packed tap-major in a, of three windows of 16 virtual
// positions, window v reading tap p's im2col row from x[off[p]+win[v]] on
// and stored in up to two parts. Every window is read before any is
// stored, so windows may repeat.
func convTile8x48Go(k int, a []float32, x []float32, off []int32, win *[12]int32, c []float32, ldc int, beta float32) {
	var acc [8][3][16]float32
	for p, o := range off[:k] {
		for v := 0; v < 3; v++ {
			xs := x[int(o)+int(win[v]) : int(o)+int(win[v])+16]
			for i, av := range a[p*8 : p*8+8] {
				for j, xv := range xs {
					acc[i][v][j] += av * xv
				}
			}
		}
	}
	for i := range acc {
		if beta != 0 {
			for v := 0; v < 3; v++ {
				for j := range acc[i][v] {
					if at, ok := winIndex(win, v, j); ok {
						acc[i][v][j] += c[i*ldc+at]
					}
				}
			}
		}
		for v := 0; v < 3; v++ {
			for j, s := range acc[i][v] {
				if at, ok := winIndex(win, v, j); ok {
					c[i*ldc+at] = s
				}
			}
		}
	}
}

// winIndex returns the output index that lane j of window v of win is
// stored at, and whether it is stored at all.
func winIndex(win *[12]int32, v, j int) (int, bool) {
	m := uint32(win[9+v])
	switch {
	case m>>j&1 != 0:
		return int(win[3+v]) + j, true
	case m>>(16+j)&1 != 0:
		return int(win[6+v]) + j, true
	}
	return 0, false
}

const (
	// tileWins is the number of windows per unit of work: four tiles,
	// whose input rows (for tileKC taps) stay in L1 while every 8-channel
	// weight panel passes over them.
	tileWins = 12
	// tileKC is the number of taps per depth block, as the GEMM's for
	// the 8×48 kernel: a weight panel and the chunk's input rows stay in
	// L1.
	tileKC = 144
)

// tileMinK is the fewest taps (cin·kvol) for the tiled forward: below it
// a call's stores outweigh its FMAs, and the first layers (1→32 2D, 1→16
// 3D, 9 and 27 taps) measured 0.65× the broadcast kernel's speed.
const tileMinK = 64

// tileMinFill is the least share of valid positions among the lanes of
// the tiled forward's windows, in tenths.
var tileMinFill = 9

// tileFits reports whether the tiled forward applies to g: a multiple of
// 8 output channels, at least tileMinK taps, batch offsets that fit the
// kernel's int32 indices, and windows that are at least 9/10 valid positions (output rows of a
// multiple of 16 fill them; rows of 24 fill 15 of 16 lanes on average,
// rows of 12 only 13, where the GEMM's gathers cost less).
func tileFits(g *directGeom) bool {
	outVol := g.out[0] * g.out[1] * g.out[2]
	if g.cout%8 != 0 || g.n*g.cout*outVol >= 1<<31 || g.kdim < tileMinK {
		return false
	}
	return 10*outVol >= tileMinFill*16*g.countWindows()
}

// countWindows returns the number of windows tileWindows makes for g.
func (g *directGeom) countWindows() int {
	n := 0
	g.windows(func(q, ci1, ci2 int, m uint32) { n++ })
	return n
}

// windows calls f for each window of 16 virtual positions that covers the
// valid positions of one image, in order: q is its first virtual
// position, m its store masks (low half: lanes of its first output row,
// high half: of the next row), and ci1 and ci2 the output indices of
// lane 0 for either part. A window starts at the first valid position
// not yet covered and takes the rest of that output row (up to 16) and,
// when that ends the row and the next row of the same plane starts within
// the window, the next row's positions up to the window's end.
func (g *directGeom) windows(f func(q, ci1, ci2 int, m uint32)) {
	W, gap := g.out[2], g.pa[2]-g.out[2]
	for od := 0; od < g.out[0]; od++ {
		for oh, ow := 0, 0; oh < g.out[1]; {
			q := od*g.plane + oh*g.pa[2] + ow
			ci1 := (od*g.out[1]+oh)*W + ow
			n1 := min(16, W-ow)
			m := uint32(1)<<n1 - 1
			ow += n1
			if ow == W {
				oh, ow = oh+1, 0
				if oh < g.out[1] && n1+gap < 16 {
					n2 := min(16-n1-gap, W)
					m |= (uint32(1)<<n2 - 1) << (n1 + gap + 16)
					f(q, ci1, ci1-gap, m)
					if ow = n2; ow == W {
						oh, ow = oh+1, 0
					}
					continue
				}
			}
			f(q, ci1, ci1, m)
		}
	}
}

// tileWindows fills win with the windows of one image (see windows), four
// int32 each: q, ci1, ci2 and the masks.
func (g *directGeom) tileWindows(win []int32) {
	i := 0
	g.windows(func(q, ci1, ci2 int, m uint32) {
		win[i], win[i+1], win[i+2], win[i+3] = int32(q), int32(ci1), int32(ci2), int32(m)
		i += 4
	})
}

type directTileJob directFwdJob

// run computes the chunks [lo, hi) of tileWins windows of the batch: per
// depth block, every 8-channel weight panel against the chunk's tiles,
// straight into y; then the bias.
func (j *directTileJob) run(lo, hi int) {
	g, wp, offb, mpad, tab := &j.g, j.wp, j.off, j.mpad, j.win
	K, outVol := g.kdim, g.out[0]*g.out[1]*g.out[2]
	perImage := len(tab) / 4
	total := g.n * perImage
	var win [tileWins / 3][12]int32
	for u := lo; u < hi; u++ {
		r0 := u * tileWins
		nr := min(tileWins, total-r0)
		tiles := ceilDiv(nr, 3)
		for t := 0; t < tiles; t++ {
			for v := 0; v < 3; v++ {
				r := r0 + min(3*t+v, nr-1)
				n, e := r/perImage, tab[r%perImage*4:r%perImage*4+4]
				win[t][v] = int32(n*g.stride) + e[0]
				win[t][3+v] = int32(n*g.cout*outVol) + e[1]
				win[t][6+v] = int32(n*g.cout*outVol) + e[2]
				win[t][9+v] = e[3]
			}
		}
		for pc := 0; pc < K; pc += j.kc {
			kcur := min(j.kc, K-pc)
			beta := float32(min(pc, 1))
			off := offb[pc : pc+kcur]
			wblk := wp[pc*mpad : pc*mpad+mpad*kcur]
			for ir := 0; ir < g.cout; ir += 8 {
				a := wblk[ir*kcur : (ir+8)*kcur]
				c := j.y[ir*outVol:]
				for t := 0; t < tiles; t++ {
					if j.ck.tileAsm {
						convTile8x48AVX512(kcur, a, j.xp, off, &win[t], c, outVol, beta)
					} else {
						convTile8x48Go(kcur, a, j.xp, off, &win[t], c, outVol, beta)
					}
				}
			}
		}
		if j.bias != nil {
			j.addTileBias(r0, nr)
		}
	}
}

// addTileBias adds the bias to the outputs of windows [r0, r0+nr). The
// windows cover their image's valid positions in order, each a run of
// output indices (a row's end and the next row's start are neighbours
// there), so the unit's windows in one image cover one run, biased in one
// pass rather than by every part of every window.
func (j *directTileJob) addTileBias(r0, nr int) {
	g, tab := &j.g, j.win
	outVol := g.out[0] * g.out[1] * g.out[2]
	perImage := len(tab) / 4
	cur, lo, hi := -1, 0, 0
	for r := r0; r <= r0+nr; r++ {
		n, a, b := -1, 0, 0
		if r < r0+nr {
			n = r / perImage
			e := tab[r%perImage*4 : r%perImage*4+4]
			m := uint32(e[3])
			a, b = int(e[1]), int(e[1])+bits.Len16(uint16(m))
			if m>>16 != 0 {
				b = int(e[2]) + bits.Len16(uint16(m>>16))
			}
		}
		if n == cur {
			hi = b
			continue
		}
		if cur >= 0 {
			addBias(j.y[cur*g.cout*outVol:(cur+1)*g.cout*outVol], j.bias, outVol, lo, hi-lo)
		}
		cur, lo, hi = n, a, b
	}
}

// tileKernAsm and tileKernGo stand in for the convolution kernel while the
// tiled forward runs: the weight packing reads their tile height, and the
// tile job which twin to call.
// The AVX-512 one packs the weights with the GEMM's vector packer.
var (
	tileKernAsm = &convKernel{mk: &microKernel{mr: 8, nr: 48, packA: packA8AVX512}, tiled: true, tileAsm: true}
	tileKernGo  = &convKernel{mk: &microKernel{mr: 8, nr: 48}, tiled: true}
)
