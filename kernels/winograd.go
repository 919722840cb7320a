package kernels

import (
	"slices"
	"sync/atomic"
	"unsafe"
)

// Winograd's minimal filtering F(4×4, 3×3) (Lavin and Gray, "Fast
// Algorithms for Convolutional Neural Networks", 2016) computes a 4×4
// block of a 3×3 convolution's output from a 6×6 input tile with 36
// multiplications per input and output channel pair instead of 144:
//
//	Y = Aᵀ · [ Σ_c (G·g_c·Gᵀ) ⊙ (Bᵀ·d_c·B) ] · A
//
// The sum over input channels, for each of the 36 points ξ of the
// transformed tile, is a matrix product U_ξ (Cout×Cin) · V_ξ (Cin×tiles),
// so the bulk of the work runs in the GEMM, 4 times fewer FLOPs than the
// direct convolution. The price is accuracy: with the interpolation points
// 0, ±1, ±2 and ∞ the transforms scale values by up to 8 and 1/24, and
// the outputs carry errors about 20 times the direct convolution's
// rounding (about 2e-6 of the largest output against 1e-7): SetWinograd
// turns the path off where results must match the direct convolution's.
//
// A 3×3×3 convolution runs on the same path as a sum of 2D convolutions
// of its depth slices (winoPlanes).
//
// The transforms below are the matrices of Lavin and Gray's paper for
// F(4, 3), factored to share sums between rows.

// winoTile is the side of the input tile; winoOut that of its output block.
const (
	winoTile = 6
	winoOut  = 4
	winoPts  = winoTile * winoTile
)

// winoBT6 applies Bᵀ to six values: row k of Bᵀ·d.
func winoBT6(d0, d1, d2, d3, d4, d5 float32) (o0, o1, o2, o3, o4, o5 float32) {
	o0 = d4 + 4*d0 - 5*d2
	p := d4 - 4*d2
	q := d3 - 4*d1
	o1, o2 = p+q, p-q
	r := d4 - d2
	s := 2 * (d3 - d1)
	o3, o4 = r+s, r-s
	o5 = d5 + 4*d1 - 5*d3
	return
}

// winoAT6 applies Aᵀ to six values: the four rows of Aᵀ·m.
func winoAT6(m0, m1, m2, m3, m4, m5 float32) (o0, o1, o2, o3 float32) {
	a, b := m1+m2, m1-m2
	c, d := m3+m4, m3-m4
	o0 = m0 + a + c
	o1 = b + 2*d
	o2 = a + 4*c
	o3 = b + 8*d + m5
	return
}

// winoWeights sets point ξ of G·g·Gᵀ, for the 3×3 filter g of output
// channel o and input channel c, in u as the micro-kernel's A panels of mr
// rows: u[((ξ·ng + o/mr)·cin + c)·mr + o%mr], ng = ⌈cout/mr⌉ panels, the
// rows past cout zero. w is [cout][cin][3][3]; with flip, w is instead
// [cin][cout][3][3] and g is its filter rotated by 180°: the weights of
// backward-data, which is the forward convolution of dy with the flipped,
// transposed filters.
func winoWeights(w []float32, cout, cin, mr int, flip bool, u []float32) {
	ng := (cout + mr - 1) / mr
	panel := cin * mr // one ξ's panel g
	// G's rows: (1/4, 0, 0), (−1/6)(1, 1, 1), (−1/6)(1, −1, 1),
	// (1/24, 1/12, 1/6), (1/24, −1/12, 1/6), (0, 0, 1).
	gRow := func(a, b, e float32) [6]float32 {
		const q, s, t, tw = 1.0 / 4, 1.0 / 6, 1.0 / 24, 1.0 / 12
		return [6]float32{a * q, -(a + b + e) * s, -(a - b + e) * s, a*t + b*tw + e*s, a*t - b*tw + e*s, e}
	}
	Parallel(ng*mr, 4, func(lo, hi int) {
		for o := lo; o < hi; o++ {
			g0, r := o/mr, o%mr
			for c := range cin {
				var g [9]float32
				if o < cout {
					if flip {
						src := w[(c*cout+o)*9:][:9]
						for i := range g {
							g[i] = src[8-i]
						}
					} else {
						copy(g[:], w[(o*cin+c)*9:][:9])
					}
				}
				var t [3][6]float32 // (G·g)ᵀ: column j of G·g
				for j := range 3 {
					t[j] = gRow(g[j], g[3+j], g[6+j])
				}
				for k := range 6 {
					row := gRow(t[0][k], t[1][k], t[2][k])
					for l, v := range row {
						u[((k*6+l)*ng+g0)*panel+c*mr+r] = v
					}
				}
			}
		}
	})
}

// winoInputGo is the pure-Go twin of the input transform: for each of the
// n ≤ 16 tiles whose top-left corners lie at off[i] in the image plane x
// (rows of w values; the corner is one row above and one value left of
// the block's output, so off[i] may be negative), it writes point ξ of
// Bᵀ·d·B to v[ξ·vs + i], d being the tile's values with zeros outside
// the image. Bit i of edges (winoEdges) is set where tile i's first row
// lies inside the image, bit 16+i its last row, 32+i its first column,
// 48+i its last column. Bᵀ is applied down the columns first, then
// across, the order of the assembly kernel.
func winoInputGo(x []float32, off []int32, n, w int, edges uint64, v []float32, vs int, _ *winoTmp) {
	for i := range n {
		o := int(off[i])
		in := func(r, c int) float32 {
			if (r == 0 && edges>>i&1 == 0) || (r == 5 && edges>>(16+i)&1 == 0) ||
				(c == 0 && edges>>(32+i)&1 == 0) || (c == 5 && edges>>(48+i)&1 == 0) {
				return 0
			}
			return x[o+r*w+c]
		}
		var t [6][6]float32 // t[k][c] = (Bᵀ·d)[k][c]
		for c := range 6 {
			t[0][c], t[1][c], t[2][c], t[3][c], t[4][c], t[5][c] = winoBT6(in(0, c), in(1, c), in(2, c), in(3, c), in(4, c), in(5, c))
		}
		for k := range 6 {
			r := &t[k]
			o0, o1, o2, o3, o4, o5 := winoBT6(r[0], r[1], r[2], r[3], r[4], r[5])
			base := k * 6 * vs
			v[base+i], v[base+vs+i], v[base+2*vs+i] = o0, o1, o2
			v[base+3*vs+i], v[base+4*vs+i], v[base+5*vs+i] = o3, o4, o5
		}
	}
}

// winoEdges returns the edges argument of the input transform for the n
// tiles from number t0 of an image of ty×tx tiles: which of their first
// and last rows and columns lie inside the image (padding is 1, and the
// image's height and width are 4·ty and 4·tx).
func winoEdges(t0, n, ty, tx int) uint64 {
	var e uint64
	for i := range n {
		r, c := (t0+i)/tx, (t0+i)%tx
		if r > 0 {
			e |= 1 << i
		}
		if r < ty-1 {
			e |= 1 << (16 + i)
		}
		if c > 0 {
			e |= 1 << (32 + i)
		}
		if c < tx-1 {
			e |= 1 << (48 + i)
		}
	}
	return e
}

// winoOutputGo is the pure-Go twin of the output transform: for each of
// the n ≤ 16 tiles it reads point ξ of the transformed product from
// m[ξ·ms + i] and writes Aᵀ·M·A + bias, a 4×4 block, at off[i] of the
// output plane y (rows of w values).
func winoOutputGo(m []float32, ms int, off []int32, n, w int, bias float32, y []float32, _ *winoTmp) {
	for i := range n {
		var t [4][6]float32 // t[r][l] = (Aᵀ·M)[r][l]
		for l := range 6 {
			t[0][l], t[1][l], t[2][l], t[3][l] = winoAT6(m[l*ms+i], m[(6+l)*ms+i], m[(12+l)*ms+i], m[(18+l)*ms+i], m[(24+l)*ms+i], m[(30+l)*ms+i])
		}
		out := y[off[i]:]
		for r := range 4 {
			q := &t[r]
			o0, o1, o2, o3 := winoAT6(q[0], q[1], q[2], q[3], q[4], q[5])
			row := out[r*w:][:4]
			row[0], row[1], row[2], row[3] = o0+bias, o1+bias, o2+bias, o3+bias
		}
	}
}

// winoOff turns the Winograd path off (SetWinograd).
var winoOff atomic.Bool

// SetWinograd turns the Winograd F(4×4, 3×3) path of the 2D 3×3
// convolutions' forward and backward-data passes on (the default) or off,
// and returns the previous setting. Off, every convolution runs the direct
// kernels, whose results are about 20 times closer to the exact sums; on,
// the 2D U-Net layers that it serves need 1.6 to 2.5 times less CPU. It
// only changes which layers take the path, so it may be called at any
// time between convolutions.
func SetWinograd(on bool) (old bool) {
	return !winoOff.Swap(!on)
}

// winoA4 applies A (6×4, the transpose of Aᵀ) to four values, the
// transform of the output gradient in the weight gradient's Winograd form.
func winoA4(d0, d1, d2, d3 float32) (o0, o1, o2, o3, o4, o5 float32) {
	e, f := d0+d2, d1+d3
	g, h := d0+4*d2, 2*d1+8*d3
	return d0, e + f, e - f, g + h, g - h, d3
}

// winoDyGo is the pure-Go twin of the output-gradient transform: for each
// of the n ≤ 16 tiles it reads the 4×4 block of dy at off[i] (rows of w
// values) and writes point ξ of A·dY·Aᵀ to v[ξ·vs + i]: down the columns
// first, then across, as the assembly kernel does.
func winoDyGo(dy []float32, off []int32, n, w int, v []float32, vs int, _ *winoTmp) {
	for i := range n {
		d := dy[off[i]:]
		var t [6][4]float32
		for j := range 4 {
			t[0][j], t[1][j], t[2][j], t[3][j], t[4][j], t[5][j] = winoA4(d[j], d[w+j], d[2*w+j], d[3*w+j])
		}
		for k := range 6 {
			o0, o1, o2, o3, o4, o5 := winoA4(t[k][0], t[k][1], t[k][2], t[k][3])
			base := k*6*vs + i
			v[base], v[base+vs], v[base+2*vs] = o0, o1, o2
			v[base+3*vs], v[base+4*vs], v[base+5*vs] = o3, o4, o5
		}
	}
}

// winoTranspose16Go sets dst[i·ldd + c] = src[c·lds + i] for c, i < 16.
func winoTranspose16Go(dst []float32, ldd int, src []float32, lds int) {
	for c := range 16 {
		for i := range 16 {
			dst[i*ldd+c] = src[c*lds+i]
		}
	}
}

// winoSplitT16Go is the transpose of winoTranspose16Go with each row of 16
// split between two 8-wide panels: lo gets columns 0–7, hi 8–15.
func winoSplitT16Go(lo, hi []float32, ldd int, src []float32, lds int) {
	for c := range 16 {
		dst, cc := lo, c
		if c >= 8 {
			dst, cc = hi, c-8
		}
		for i := range 16 {
			dst[i*ldd+cc] = src[c*lds+i]
		}
	}
}

// winoMicro8x48Go is the Go 8×48 micro-kernel of the weight gradient:
// C = A·B + beta·C for a holding k groups of 8 values and b k rows of 48.
func winoMicro8x48Go(k int, a, b, c []float32, ldc int, beta float32) {
	for r := range 8 {
		row := c[r*ldc:][:48]
		for j := range row {
			var acc float32
			for p := range k {
				acc += a[p*8+r] * b[p*48+j]
			}
			if beta != 0 { // beta 0 leaves c unread, as the assembly does
				acc += beta * row[j]
			}
			row[j] = acc
		}
	}
}

// winoDW8x48x3Go is winoMicro8x48Go with B's 16-column thirds read in
// place: column 16j + i of row p is bj[p·ldb + i].
func winoDW8x48x3Go(k int, a, b0, b1, b2 []float32, ldb int, c []float32, ldc int, beta float32) {
	bs := [3][]float32{b0, b1, b2}
	for r := range 8 {
		row := c[r*ldc:][:48]
		for j := range row {
			b := bs[j/16]
			var acc float32
			for p := range k {
				acc += a[p*8+r] * b[p*ldb+j%16]
			}
			if beta != 0 { // beta 0 leaves c unread, as the assembly does
				acc += beta * row[j]
			}
			row[j] = acc
		}
	}
}

// winoRowMasks returns the masks argument of the row input transform for
// the 16 tiles from number t0 (which start a run of 16 in one tile row)
// of an image of ty×tx tiles: from bit 0 up, 16 bits each, the lanes of
// the first vector of each row (all but the padding value left of the
// image), the lanes of the last two values (the second only inside the
// image), all ones where the first row lies inside the image, all ones
// where the last row does.
func winoRowMasks(t0, ty, tx int) uint64 {
	r, c := t0/tx, t0%tx
	first, last := uint64(0xffff), uint64(0b11)
	if c == 0 {
		first = 0xfffe
	}
	if c+16 >= tx {
		last = 0b01
	}
	m := first | last<<16
	if r > 0 {
		m |= 0xffff << 32
	}
	if r < ty-1 {
		m |= 0xffff << 48
	}
	return m
}

// winoFits reports whether the Winograd path computes p: an ungrouped,
// undilated, stride-1, pad-1 convolution with a 3×3 kernel in 2D or a
// 3×3×3 kernel in 3D (winoPlanes), whose height and width are multiples
// of 4. The depth of a 3D convolution may be any.
func winoFits(p ConvParams) bool {
	if (len(p.In) != 2 && len(p.In) != 3) || p.Groups > 1 {
		return false
	}
	for i := range p.In {
		if p.Kernel[i] != 3 || at(p.Stride, i, 1) != 1 || at(p.Pad, i, 0) != 1 || at(p.Dilation, i, 1) != 1 {
			return false
		}
	}
	return p.In[len(p.In)-2]%winoOut == 0 && p.In[len(p.In)-1]%winoOut == 0
}

// winoRing reports whether the Winograd path runs p (winoFits) on rings
// of slices (winoFwdJob.slices): 3D, slices of a block of tiles or more.
func winoRing(p ConvParams) bool {
	return len(p.In) == 3 && (p.In[1]/winoOut)*(p.In[2]/winoOut) >= winoBlock
}

// winoTiles is the number of 4×4 output blocks of p (winoFits): of every
// depth slice in 3D.
func winoTiles(p ConvParams) int {
	t := p.N * (p.In[len(p.In)-2] / winoOut) * (p.In[len(p.In)-1] / winoOut)
	if len(p.In) == 3 {
		t *= p.In[0]
	}
	return t
}

// winoPlanes maps the images and channels of the 2D path onto planes of
// its input and output. In 2D, image i's channel c is plane i·C + c. A
// 3D 3×3×3 convolution is the sum of 2D convolutions of depth slices,
//
//	y[d] = Σ_kd conv2d(x[d+kd−1], w[:, :, kd]),
//
// so the path runs it with the (sample, depth) pairs as its images and
// the (channel, kd) pairs as its input channels, 3 for each channel and
// in that order: then w, [cout][cin][3][3][3], is already the 2D path's
// [cout][3·cin][3][3]. Slices beyond the first and last are the padding:
// a plane of zeros. Backward-data reads slice d+1−kd instead (dir −1).
type winoPlanes struct {
	hw    int       // values in a plane
	depth int       // slices of a 3D convolution, 0 in 2D
	dir   int       // +1, or −1 for backward-data's reversed depth offsets
	zero  []float32 // hw zeros, in 3D
}

// in returns channel c (of cin, counting the 3D path's three per channel)
// of image img in x.
func (q *winoPlanes) in(x []float32, cin, img, c int) []float32 {
	p, ok := q.inAt(cin, img, c)
	if !ok {
		return q.zero
	}
	return x[p:][:q.hw]
}

// inAt returns where in x channel c of image img starts, and false
// where it lies past the depth's ends (in's zero plane).
func (q *winoPlanes) inAt(cin, img, c int) (int, bool) {
	if q.depth == 0 {
		return (img*cin + c) * q.hw, true
	}
	n, d := img/q.depth, img%q.depth
	dd := d + q.dir*(c%3-1)
	if dd < 0 || dd >= q.depth {
		return 0, false
	}
	return ((n*(cin/3)+c/3)*q.depth + dd) * q.hw, true
}

// class returns the channel of c's class, the first of the channels (of
// cin) whose planes lie at one offset from c's in every image, and that
// offset: in 2D every channel is of class 0, in 3D the (channel, kd)
// pairs of one kd are of class kd.
func (q *winoPlanes) class(cin, c int) (cls, shift int) {
	if q.depth == 0 {
		return 0, c * q.hw
	}
	return c % 3, c / 3 * q.depth * q.hw
}

// outAt returns where in y channel o (of cout) of image img starts.
func (q *winoPlanes) outAt(cout, img, o int) int {
	if q.depth == 0 {
		return (img*cout + o) * q.hw
	}
	n, d := img/q.depth, img%q.depth
	return ((n*cout+o)*q.depth + d) * q.hw
}

// out returns channel o (of cout) of image img in y.
func (q *winoPlanes) out(y []float32, cout, img, o int) []float32 {
	return y[q.outAt(cout, img, o):][:q.hw]
}

// winoShape returns, for p (winoFits), the 2D path's images, input
// channels, height and width, and its planes (with dir) whose zero plane,
// in 3D, the caller gives back with putScratch(zh) when zh is not nil.
func winoShape(p ConvParams, dir int) (imgs, cin, h, wd int, pl winoPlanes, zh *[]float32) {
	imgs, cin = p.N, p.Cin
	h, wd = p.In[len(p.In)-2], p.In[len(p.In)-1]
	pl = winoPlanes{hw: h * wd, dir: dir}
	if len(p.In) == 3 {
		pl.depth = p.In[0]
		imgs *= pl.depth
		cin *= 3
		zh = getScratch[float32](h * wd)
		pl.zero = (*zh)[:h*wd]
		clear(pl.zero)
	}
	return
}

// winoUse reports whether the Winograd path serves p: it fits, is on, and
// has enough channels, and enough tiles to keep the workers busy, to be
// faster than the direct kernels. Measured (BenchmarkWinograd, CPU time,
// 8 images unless said): 32–128 channels at 32² to 128² 1.6–2.5× less;
// 256 channels at 16² (128 tiles) 1.8–1.9×; 256 at 8² (32 tiles, one
// block: one worker) 1.2–1.6×, which at 2 workers loses to the direct
// kernels' two; 64 channels at 16², 2 images (32 tiles) 1.6–1.8×. In 3D
// (2 or 4 samples): 16 channels at 48³ forward 1.7×, backward-data 1.4×;
// 32 at 24³ 2.1–2.2×; 64 at 12³ 1.4–1.6×; 8 at 48³ and 48×48×16
// 1.1–1.6×. A GEMM a few rows or a few terms deep cannot make up for the
// transforms.
func winoUse(p ConvParams) bool {
	if winoOff.Load() || !winoFits(p) || p.Cin < 8 || p.Cout < 8 {
		return false
	}
	// Not a function of the number of workers: results must not depend
	// on it.
	return winoTiles(p) > winoBlock
}

// winoUseDW reports whether the Winograd weight gradient serves p: where
// the forward path does and the tiles are at least Cin·Cout/64 (3·Cin in
// 3D: the (channel, kd) pairs). Its per-point sums Sᵀ (36·Cin·Cout
// values) are read and written once per block of 48 tiles (once in all
// up to winoDWShared blocks, but then every tile's transforms make a
// buffer that outgrows the caches), so layers with many channels and few
// tiles lose to the direct kernels. Measured
// (BenchmarkWinograd, CPU and wall, 8 images in 2D, 2 or 4 in 3D): 32–128
// channels at 32² to 128² 1.2–1.7× less; 96→32 at 128² 1.5×; 256 at 16²
// 0.8–0.95×; 512→256 at 16² 0.95×. 3D: 16 channels at 48³ 1.3–1.4×, 32 at 24³
// 1.4–1.5×, 64 at 12³ and 32 at 4×12² 1.0–1.2×, 16 at 8×24² 1.0–1.1×;
// 8 channels lose (0.6×): they fill half of the A panels' 16 rows, and
// their 24 (channel, kd) pairs half of a B panel; but 8 output channels
// from input channels in 16s on rings of slices (winoDWRing), whose GEMM
// skips the empty half, win: 16→8 at 48³ 7.5 → 5.1 ms. Since the
// transforms load rows of tiles whole (winosegs.go), 3D slices of 9 tiles
// or more win whatever the channels (batch 2: 128→128 at 12³ 11.5 →
// 6.9 ms, 256→256 42.5 → 33.6, 256→128 23.8 → 14.8; batch 1, 256→256
// 20.9 → 18.1), but not slices of 4 (128→128 at 8³ 3.5 → 4.4).
func winoUseDW(p ConvParams) bool {
	cin := p.Cin
	if len(p.In) == 3 {
		if p.Cout < 16 && !(p.Cout == 8 && winoDWRing(p)) {
			return false
		}
		if (p.In[1]/winoOut)*(p.In[2]/winoOut) >= winoDWSliceMin {
			return winoUse(p)
		}
		cin *= 3
	}
	return winoUse(p) && winoTiles(p)*64 >= cin*p.Cout
}

// winoDWSliceMin is the fewest tiles a 3D slice needs for the Winograd
// weight gradient to serve whatever the channels (winoUseDW).
const winoDWSliceMin = 9

// winoDWRing reports whether the 3D weight gradient of p runs on rings of
// slices (winoDWJob.slices): slices of winoDWRingMin tiles or more, input
// channels in 16s.
func winoDWRing(p ConvParams) bool {
	if len(p.In) != 3 || p.Cin%16 != 0 {
		return false
	}
	return (p.In[1]/winoOut)*(p.In[2]/winoOut) >= winoDWRingMin
}

// winoDWRingMin is the fewest tiles a slice needs for the rings: a block
// is one slice's tiles, up to winoDWBlock. At 24³ (36 tiles, batch 2) they
// take the weight gradient of 32→32 from 3.8 to 3.25 ms, 64→32 from 8.0 to
// 6.8 and 32→16 from 2.8–3.5 to 2.0, 64→64 from 11.95 to 11.65.
const winoDWRingMin = 32

// winoKernels are the tile transforms and GEMM micro-kernel of a tier.
type winoKernels struct {
	in  func(x []float32, off []int32, n, w int, edges uint64, v []float32, vs int, tmp *winoTmp)
	out func(m []float32, ms int, off []int32, n, w int, bias float32, y []float32, tmp *winoTmp)
	// inRow, when set, is in for 16 tiles side by side in one tile row,
	// the first at x[base] (winoRowMasks says which values lie outside the
	// image).
	inRow func(x []float32, base int, masks uint64, w int, v []float32, vs int, tmp *winoTmp)
	// inSegs, when set, is in for the tiles laid out in s (winoInSegs).
	inSegs func(x []float32, s *winoInSegs, w int, v []float32, vs int, tmp *winoTmp)
	// dySegs, when set, is dy for the blocks laid out in s (winoDySegs).
	dySegs func(dy []float32, s *winoDySegs, w int, v []float32, vs int, tmp *winoTmp)
	// outRow, when set, is out for 16 tiles side by side in one tile
	// row, whose block starts at y[0].
	outRow func(m []float32, ms, w int, bias float32, y []float32, tmp *winoTmp)
	// outSegs, when set, is out for up to 16 tiles in up to eight runs of
	// consecutive tiles of one tile row each (winoSegs).
	outSegs func(m []float32, ms, w int, bias float32, y []float32, s winoSegs, tmp *winoTmp)
	// mk multiplies a packed mr-row panel of U by an nr-tile panel of V.
	mk *microKernel
	// weights, when set, is winoWeights for mk's panels.
	weights func(w []float32, cout, cin int, flip bool, u []float32)
	// dy transforms 4×4 blocks of the output gradient (winoDyGo).
	dy func(dy []float32, off []int32, n, w int, v []float32, vs int, tmp *winoTmp)
	// transpose16 and splitT16 lay the weight gradient's transformed
	// operands out as the 8×48 micro-kernel dwk reads them.
	transpose16 func(dst []float32, ldd int, src []float32, lds int)
	splitT16    func(lo, hi []float32, ldd int, src []float32, lds int)
	dwk         func(k int, a, b, c []float32, ldc int, beta float32)
	// dwk3 is dwk with B's three 16-column thirds read in place, rows
	// ldb apart (winoDW8x48x3Go).
	dwk3 func(k int, a, b0, b1, b2 []float32, ldb int, c []float32, ldc int, beta float32)
	// add sets dst = a + b: the weight gradient's chunk sums.
	add func(dst, a, b []float32)
	// inv is the weight gradient's inverse transform of 8 filters
	// (winoInv8Go).
	inv func(s []float32, ld int, t *[72]float32)
	// leaky is LeakyRelu on one plane, for parts read through it.
	leaky func(dst, x []float32, slope float32)
}

// winoTmp is the transforms' scratch for the 36 points of 16 tiles, taken
// once per run of blocks: as a local array of each call, its zeroing
// cost as much as the input transform.
type winoTmp [winoTmpLen]float32

// winoTmpLen is the transforms' scratch and, past it, the 32 int32
// offsets of winoAcross and the layouts of up to four runs for the input
// transform (inSegs) and one for the output gradient's (dySegs).
const winoTmpLen = winoPts*16 + 32 + 4*winoSegsLen + winoDySegsLen

// winoDySegsLen is the float32s a winoDySegs takes in winoTmp.
const winoDySegsLen = int(unsafe.Sizeof(winoDySegs{})+7) / 8 * 2

// dySegs returns tmp's layout of runs for the output gradient's
// transform, kept there for the reason inSegs gives.
func (tmp *winoTmp) dySegs() *winoDySegs {
	return (*winoDySegs)(unsafe.Pointer(&tmp[winoPts*16+32+4*winoSegsLen]))
}

// winoSegsLen is the float32s a winoInSegs takes in winoTmp, a multiple of
// two so that each starts 8 bytes aligned.
const winoSegsLen = int(unsafe.Sizeof(winoInSegs{})+7) / 8 * 2

// inSegs returns tmp's run layout i (< 4): kept in the scratch, which is
// on the heap already, a layout that the kernels' function values take
// the address of does not move a local there at every call.
func (tmp *winoTmp) inSegs(i int) *winoInSegs {
	return (*winoInSegs)(unsafe.Pointer(&tmp[winoPts*16+32+i*winoSegsLen]))
}

// acrossOffsets returns the offsets past tmp's transform scratch.
func (tmp *winoTmp) acrossOffsets() *[32]int32 {
	return (*[32]int32)(unsafe.Pointer(&tmp[winoPts*16]))
}

var winoGo = winoKernels{in: winoInputGo, out: winoOutputGo, dy: winoDyGo, transpose16: winoTranspose16Go,
	splitT16: winoSplitT16Go, dwk: winoMicro8x48Go, dwk3: winoDW8x48x3Go, add: addRange[float32], inv: winoInv8Go, leaky: leakyReluRange[float32], mk: &microKernel{mr: 4, nr: 16, fn: winoMicroGo}}

// winoMicroGo is the Go micro-kernel: the 4×16 block C = A·B + beta·C
// (beta 0 or 1) for a holding k groups of 4 values and b k rows of 16.
func winoMicroGo(k int, a, b, c []float32, ldc int, beta float32) {
	var acc [4][16]float32
	for p := range k {
		ap, bp := a[p*4:][:4], b[p*16:][:16]
		for r, av := range ap {
			for j, bv := range bp {
				acc[r][j] += av * bv
			}
		}
	}
	for r := range acc {
		row := c[r*ldc:][:16]
		if beta != 0 {
			for j := range row {
				acc[r][j] += row[j]
			}
		}
		copy(row, acc[r][:])
	}
}

// winoBlock is the number of tiles a worker transforms, multiplies and
// transforms back at a time: 48, a multiple of 16 (the transforms' width)
// and of the micro-kernels' panel widths (16 and 48), so that its V and
// M, 36 points of every input or output channel, stay in L2 for layers up
// to about 128 channels.
const winoBlock = 48

// convWinograd computes ConvForward for p (winoFits) with the kernels of
// k: y = conv(x, w) + bias. With flip it computes ConvBackwardData
// instead, x being dy, w the forward's [Cin][Cout][3][3] weights read as
// flipped, transposed filters, and bias nil; p then describes that
// forward convolution of dy (its Cin is the forward's Cout).
//
// Each worker takes blocks of winoBlock tiles of one image and keeps their
// transformed inputs V and products M in its own scratch, so that they
// never leave the caches: unfused, V and M (36 values per tile and
// channel) cost more memory traffic than the GEMM saved.
//
// parts, when not nil, are the input instead of x, and ys the output
// instead of y: the channels of their concatenations (ConvForwardConcat,
// ConvBackwardDataConcat).
func convWinograd(k winoKernels, p ConvParams, x []float32, parts []winoPart, w, bias, y []float32, ys []winoPart, flip bool) {
	dir := 1
	if flip {
		dir = -1
	}
	n, cin, h, wd, pl, zh := winoShape(p, dir)
	cout := p.Cout
	ty, tx := h/winoOut, wd/winoOut
	t1 := ty * tx
	mr := k.mk.mr
	ng := (cout + mr - 1) / mr // row panels of U
	coutP := ng * mr
	// 3D slices of at least a block of tiles each keep the transforms of
	// three consecutive input slices and move along the depth (winoFwdJob.
	// slices): each slice is transformed once instead of once per kd. Its
	// GEMM takes the (channel, kd) pairs kd first.
	ring := winoRing(p)

	var wh *[]float32
	if pl.depth > 0 && (flip || ring) {
		// The flipped weights are read [c][o][3][3] with c the path's
		// (channel, kd) pairs; w holds [c][o][kd][3][3]. With ring, the
		// pairs are ordered kd first.
		wh = getScratch[float32](len(w))
		wp := (*wh)[:cout*cin*9]
		c1 := cin / 3
		for c := range cin {
			to := c // pair c = (c/3, c%3), or (c%c1, c/c1) kd first
			ch, kd := c/3, c%3
			if ring {
				ch, kd = c%c1, c/c1
			}
			for o := range cout {
				if flip {
					copy(wp[(to*cout+o)*9:][:9], w[((ch*cout+o)*3+kd)*9:][:9])
				} else {
					copy(wp[(o*cin+to)*9:][:9], w[((o*c1+ch)*3+kd)*9:][:9])
				}
			}
		}
		w = wp
	}
	// U, as the micro-kernel's A panels: [ξ][g][cin][mr].
	uh := getScratch[float32](winoPts * coutP * cin)
	up := (*uh)[:winoPts*coutP*cin]
	if k.weights != nil {
		k.weights(w, cout, cin, flip, up)
	} else {
		winoWeights(w, cout, cin, mr, flip, up)
	}
	if wh != nil {
		putScratch(wh)
	}

	offh, offX, offY := winoOffsets(ty, tx, wd)

	total := n * t1 // tiles of all images, numbered image by image
	j := getJob[winoFwdJob](&winoFwdJobs)
	*j = winoFwdJob{k: k, bias: bias, up: up, offX: offX, offY: offY, pl: pl,
		cin: cin, cout: cout, wd: wd, ty: ty, tx: tx, ng: ng, total: total,
		vs: cin * winoBlock, ms: coutP * winoBlock, rows: k.outRow != nil && tx%16 == 0}
	j.in.set(x, parts, p.Cin)
	j.out.set(y, ys, cout)
	if j.in.leaky && !ring {
		panic("kernels: a Winograd input read through LeakyRelu off rings of slices")
	}
	if ring {
		// Work items: a block of tiles of one sample's slices, over a run
		// of slices: at least 16 items, whatever the number of workers.
		d := pl.depth
		j.perSlice = (t1 + winoBlock - 1) / winoBlock
		j.runLen = max(1, min(d, p.N*j.perSlice*d/16))
		// The three slices' transforms make one K of the GEMM, their
		// order in it fixed while the slices rotate: U is laid out once
		// for each of the three rotations (winoFwdJob.slices).
		rh := getScratch[float32](3 * len(up))
		j.urot = (*rh)[:3*len(up)]
		rotateKd(up, j.urot, ng, cin, mr, dir)
		parallelJob(p.N*j.perSlice*((d+j.runLen-1)/j.runLen), 1, j)
		putScratch(rh)
	} else {
		parallelJob((total+winoBlock-1)/winoBlock, 1, j)
	}
	putJob(&winoFwdJobs, j)
	putScratch(offh)
	putScratch(uh)
	if zh != nil {
		putScratch(zh)
	}
}

// winoOffsets returns, in a scratch buffer to give back with putScratch,
// the offsets of an image's ty×tx tiles in the input (one row above and
// one value left of the output block: the padding) and in the output
// (rows of wd values), with 16 more so that the kernels may load a full
// vector of them from any tile.
func winoOffsets(ty, tx, wd int) (h *[]float32, offX, offY []int32) {
	n := ty*tx + 16
	h = getScratch[float32](2 * n)
	offs := unsafe.Slice((*int32)(unsafe.Pointer(&(*h)[0])), 2*n)
	clear(offs)
	offX, offY = offs[:n], offs[n:]
	for i := range ty {
		for j := range tx {
			offX[i*tx+j] = int32((winoOut*i-1)*wd + winoOut*j - 1)
			offY[i*tx+j] = int32(winoOut * (i*wd + j))
		}
	}
	return h, offX, offY
}

// winoParts is the most parts of an input a Winograd pass holds without
// allocating.
const winoParts = 4

// winoPart is one of the tensors whose channels, concatenated, are a
// convolution's input (ConvForwardConcat): its c channels are those from
// c0 on, [N][c][spatial] in x.
type winoPart struct {
	x     []float32
	c0, c int
	// leaky has the part read as LeakyRelu(x, slope) (ConvForwardLeaky):
	// rings of slices only, which transform each plane from a copy.
	leaky bool
	slope float32
}

// winoChannels is a Winograd pass's input or output: one tensor, or the
// parts of a concatenation along the channels, held in buf where there
// are winoParts or fewer.
type winoChannels struct {
	parts  []winoPart
	buf    [winoParts]winoPart
	c, max int  // the channels in all and the longest part's length
	leaky  bool // some part is read through LeakyRelu
}

// set makes the tensor x, of c channels, or, where parts is not nil,
// parts.
func (t *winoChannels) set(x []float32, parts []winoPart, c int) {
	switch {
	case parts == nil:
		t.parts = append(t.buf[:0], winoPart{x: x, c: c})
	case len(parts) <= winoParts:
		t.parts = append(t.buf[:0], parts...)
	default:
		t.parts = slices.Clone(parts)
	}
	t.c, t.max, t.leaky = c, 0, false
	for _, pt := range t.parts {
		t.max = max(t.max, len(pt.x))
		t.leaky = t.leaky || pt.leaky
	}
}

// plane returns part pt's plane of channel cl (of its own) in depth
// slice sl of sample n: where pt is read through LeakyRelu, the plane in
// act that activate made.
func (pt *winoPart) plane(n, cl, sl, depth, hw int, act []float32) []float32 {
	if pt.leaky {
		return act[(pt.c0+cl)*hw:][:hw]
	}
	return pt.x[((n*pt.c+cl)*depth+sl)*hw:][:hw]
}

// activate passes the tiles tl0 to tl1 (of a slice of tx tiles a row) of
// slice sl of sample n of every part read through LeakyRelu through it,
// into act, channel c's plane at c·hw (rows of wd values): the input rows
// of those tiles, and a row more at each end, which a row transform's
// loads may reach. act's other rows keep earlier planes' values, which
// the transforms read only in lanes they mask.
func (t *winoChannels) activate(k winoKernels, n, sl, depth, hw, wd, tx, tl0, tl1 int, act []float32) {
	r0 := max(0, tl0/tx*winoOut-2)
	r1 := min(hw/wd, tl1/tx*winoOut+winoOut+2)
	for _, pt := range t.parts {
		if !pt.leaky {
			continue
		}
		for cl := range pt.c {
			x := pt.x[((n*pt.c+cl)*depth+sl)*hw:][:hw]
			a := act[(pt.c0+cl)*hw:][:hw]
			k.leaky(a[r0*wd:r1*wd], x[r0*wd:r1*wd], pt.slope)
		}
	}
}

// actScratch returns, where a part is read through LeakyRelu, zeroed
// scratch for activate, a plane of hw values for every channel, and the
// buffer to give back with putScratch; else nils.
func (t *winoChannels) actScratch(hw int) ([]float32, *[]float32) {
	if !t.leaky {
		return nil, nil
	}
	ah := getScratch[float32](t.c * hw)
	act := (*ah)[:t.c*hw]
	clear(act)
	return act, ah
}

// part returns, for channel c of the path (pairs of them per input
// channel: 3, the (channel, kd) pairs, in 3D outside rings of slices),
// the index of the part that holds it, its data, its channels on the
// path and c's number among them.
func (t *winoChannels) part(c, pairs int) (i int, x []float32, pc, cl int) {
	for i, pt := range t.parts {
		if cl := c - pairs*pt.c0; cl < pairs*pt.c {
			return i, pt.x, pairs * pt.c, cl
		}
	}
	panic("kernels: Winograd channel past the input's parts")
}

// winoFwdJob runs convWinograd's blocks: a struct from a free list rather
// than a closure, so that a pass allocates nothing.
type winoFwdJob struct {
	k                     winoKernels
	in, out               winoChannels
	bias, up              []float32
	offX, offY            []int32
	pl                    winoPlanes
	cin, cout, wd, ty, tx int
	ng, total, vs, ms     int
	rows                  bool // tile rows hold whole runs of 16 tiles
	// perSlice and runLen, when set, make the items the perSlice blocks
	// of each slice's tiles, each over a run of runLen slices
	// (winoFwdJob.slices), with urot U in its three rotations.
	perSlice, runLen int
	urot             []float32
}

var winoFwdJobs jobList

func (j *winoFwdJob) run(lo, hi int) {
	cin, vs, ms := j.cin, j.vs, j.ms
	nv := winoPts * vs
	vh := getScratch[float32](nv)
	mh := getScratch[float32](winoPts * ms)
	th := getScratch[float32](winoTmpLen)
	v, m := (*vh)[:nv], (*mh)[:winoPts*ms]
	tmp := (*winoTmp)((*th)[:winoTmpLen])
	if j.perSlice > 0 {
		act, ah := j.in.actScratch(j.pl.hw)
		if ah != nil {
			defer putScratch(ah)
		}
		for q := lo; q < hi; q++ {
			j.slices(q, v, m, act, tmp)
		}
	} else {
		t1 := j.ty * j.tx
		for q := lo; q < hi; q++ {
			t0 := q * winoBlock
			nt := min(winoBlock, j.total-t0)
			if nt < winoBlock {
				clear(v) // the unused tiles' columns are multiplied too
			}
			j.transform(v, cin, cin, t0, nt, 0, -1, nil, tmp)
			for xi := range winoPts {
				j.multiply(j.up[xi*j.ng*cin*j.k.mk.mr:], cin, v[xi*vs:][:vs], m[xi*ms:][:ms], 0)
			}
			j.inverse(m, t0, nt, t1, tmp)
		}
	}
	putScratch(th)
	putScratch(mh)
	putScratch(vh)
}

// slices runs item q of a ring pass (convWinograd): one block of one
// sample's slices' tiles over one run of slices, numbered sample by
// sample, then block by block, then run by run. v holds the input
// transforms of three consecutive slices, each computed once, slice s in
// the third s%3 of each panel's channels, so that output slice d is one
// GEMM over all three (slices d−1, d, d+1 with the filters' kd = 0, 1, 2;
// d+1, d, d−1 for backward-data), with U in rotation d%3 (rotateKd). A
// slice past the depth's ends is zeros.
func (j *winoFwdJob) slices(q int, v, m, act []float32, tmp *winoTmp) {
	depth, nr := j.pl.depth, j.k.mk.nr
	t1 := j.ty * j.tx
	runs := (depth + j.runLen - 1) / j.runLen
	n, b, sp := q/(j.perSlice*runs), q/runs%j.perSlice, q%runs
	t0 := b * winoBlock
	nt := min(winoBlock, t1-t0)
	cin, vs, ms := j.cin, j.vs, j.ms
	c1 := cin / 3
	ulen := len(j.urot) / 3
	if nt < winoBlock {
		clear(v) // the unused tiles' columns are multiplied too
	}
	d0, d1 := sp*j.runLen, min(depth, (sp+1)*j.runLen)
	have := d0 - 2 // slices below have were transformed
	for d := d0; d < d1; d++ {
		for s := max(d-1, have, 0); s <= min(d+1, depth-1); s++ {
			if act != nil {
				j.in.activate(j.k, n, s, depth, j.pl.hw, j.wd, j.tx, t0, t0+nt-1, act)
			}
			j.transform(v[s%3*c1*nr:], c1, cin, t0, nt, n, s, act, tmp)
			have = s + 1
		}
		for _, s := range [2]int{d - 1, d + 1} {
			if s < 0 || s >= depth {
				third := (s%3 + 3) % 3
				for pn := 0; pn < winoBlock; pn += nr {
					for xi := range winoPts {
						clear(v[xi*vs+pn*cin+third*c1*nr:][:c1*nr])
					}
				}
			}
		}
		u := j.urot[d%3*ulen:][:ulen]
		for xi := range winoPts {
			j.multiply(u[xi*j.ng*cin*j.k.mk.mr:], cin, v[xi*vs:][:vs], m[xi*ms:][:ms], 0)
		}
		j.inverse(m, (n*depth+d)*t1+t0, nt, t1, tmp)
	}
}

// rotateKd lays up, [ξ][row panel][(kd, channel) pair, kd first][mr] with
// ng row panels and cin pairs, out in rot three times: rotation r puts in
// third t of the pairs the filters' kd that output slice d, d%3 = r, reads
// from input slice s with s%3 = t, s = d + dir·(kd−1).
func rotateKd(up, rot []float32, ng, cin, mr, dir int) {
	c1 := cin / 3
	blk := c1 * mr
	for r := range 3 {
		dst := rot[r*len(up):][:len(up)]
		for kd := range 3 {
			t := ((r+dir*(kd-1))%3 + 3) % 3
			for p := 0; p < len(up); p += cin * mr { // each (ξ, row panel)
				copy(dst[p+t*blk:][:blk], up[p+kd*blk:][:blk])
			}
		}
	}
}

// transform sets v, [ξ][tile panel][channel][lane] with kp channels a
// panel, to the input transforms of cin channels of nt tiles from t0
// (the unused tiles' lanes are left as they are). With sl < 0 the tiles
// are numbered image by image and channels are j.pl's; otherwise they lie
// in depth slice sl of sample n, and channels are the input's own, the
// parts read through LeakyRelu read from act (winoChannels.activate).
func (j *winoFwdJob) transform(v []float32, cin, kp, t0, nt, n, sl int, act []float32, tmp *winoTmp) {
	k, wd, ty, tx, nr := j.k, j.wd, j.ty, j.tx, j.k.mk.nr
	t1, hw := ty*tx, j.pl.hw
	vs := kp * winoBlock
	// pairs is the path's channels per input channel: 3 in 3D, where
	// they are (channel, kd) pairs, outside a ring's slices.
	pairs := 1
	if sl < 0 && j.pl.depth > 0 {
		pairs = 3
	}
	// A block's tiles go through the transforms in runs of up to 16
	// within one 16-column group of the block, so that a run lies in one
	// micro-kernel panel, and within one image, except where images are
	// smaller than a run (winoAcross).
	for s := 0; s < nt; {
		img, tl := (t0+s)/t1, (t0+s)%t1
		run := min(16-s%16, nt-s, t1-tl)
		if sl < 0 && run < min(16-s%16, nt-s) && j.in.max < winoAcrossMax {
			run = min(16-s%16, nt-s)
			r := newWinoAcross(t0+s, run, ty, tx)
			for _, pt := range j.in.parts {
				// The layouts hold lane offsets, which depend on how far
				// apart a part's samples lie: laid out anew for each part.
				var segs winoAcrossSegs
				c0, pc := pairs*pt.c0, pairs*pt.c
				for c := c0; c < c0+pc; c++ {
					segs.in(k, r, &j.pl, pt.x, j.offX, wd, pc, c-c0, v[s/nr*kp*nr+c*nr+s%nr:], vs, tmp)
				}
			}
			s += run
			continue
		}
		ri := newWinoRunIn(k, j.rows && tl%tx+16 <= tx, j.offX, tl, run, ty, tx, wd, tmp)
		for _, pt := range j.in.parts {
			c0, pc := pairs*pt.c0, pairs*pt.c
			for c := c0; c < c0+pc; c++ {
				var plane []float32
				if sl < 0 {
					plane = j.pl.in(pt.x, pc, img, c-c0)
				} else {
					plane = pt.plane(n, c-c0, sl, j.pl.depth, hw, act)
				}
				ri.in(k, plane, j.offX, wd, v[s/nr*kp*nr+c*nr+s%nr:], vs, tmp) // panel s/nr, lane s%nr
			}
		}
		s += run
	}
}

// winoRunIn is the input transform of a run of tiles within one image,
// its kernel chosen once for all the run's channels: the row kernel for
// 16 tiles in one tile row, else the run layout (winoInSegs, kept in
// tmp.inSegs(0)) where the tier has it and the tiles fit one, else the
// gathers.
type winoRunIn struct {
	row, bySegs  bool
	tl, run      int
	masks, edges uint64
	segs         *winoInSegs
}

// newWinoRunIn chooses the kernel for the run of tiles [tl, tl+run) of an
// image of ty×tx tiles and rows of wd values; row says whether 16 tiles
// would lie in one tile row.
func newWinoRunIn(k winoKernels, row bool, offX []int32, tl, run, ty, tx, wd int, tmp *winoTmp) winoRunIn {
	r := winoRunIn{row: row && k.inRow != nil && run == 16, tl: tl, run: run}
	switch {
	case r.row:
		r.masks = winoRowMasks(tl, ty, tx)
	case k.inSegs != nil && tmp.inSegs(0).set(offX[tl:], tl, run, ty, tx, wd, 0):
		r.bySegs, r.segs = true, tmp.inSegs(0)
	default:
		r.edges = winoEdges(tl, run, ty, tx)
	}
	return r
}

// in transforms the run's tiles of plane into v (point ξ of lane i at
// v[ξ·vs + i]).
func (r *winoRunIn) in(k winoKernels, plane []float32, offX []int32, wd int, v []float32, vs int, tmp *winoTmp) {
	switch {
	case r.row:
		k.inRow(plane, int(offX[r.tl]), r.masks, wd, v, vs, tmp)
	case r.bySegs:
		k.inSegs(plane, r.segs, wd, v, vs, tmp)
	default:
		k.in(plane, offX[r.tl:], r.run, wd, r.edges, v, vs, tmp)
	}
}

// winoAcrossMax bounds the tensors of winoAcross, whose offsets from
// their start are int32s.
const winoAcrossMax = 1 << 30

// winoAcross is a run of n ≤ 16 tiles from tile t, numbered image by
// image with t1 tiles an image, that spans images, and their winoEdges.
// The transform kernels read or write each lane's tile at its own
// offset, so a run may take tiles of several images at once, offsets
// counted from the tensor's start. Runs cut at every image left most of
// the kernels' lanes idle where an image has fewer tiles than a run (the
// 12² and 24² slices of the 3D U-Nets: 9 and 36 tiles; a 48-tile block
// went through 8 kernel calls instead of 3).
type winoAcross struct {
	t, n, t1, ty, tx int
	edges            uint64
}

func newWinoAcross(t, n, ty, tx int) winoAcross {
	r := winoAcross{t: t, n: n, t1: ty * tx, ty: ty, tx: tx}
	for i := range n {
		r.edges |= winoEdges((t+i)%r.t1, 1, ty, tx) << i
	}
	return r
}

// in is k.in on channel c (of cin) of the run's tiles, lane i written at
// v[i]; lanes whose plane is pl's zero plane (3D slices past the ends)
// are set to zero instead.
func (r winoAcross) in(k winoKernels, pl *winoPlanes, x []float32, offX []int32, wd, cin, c int, v []float32, vs int, tmp *winoTmp) {
	off := tmp.acrossOffsets() // lane i's; 16 past any lane for the kernel's full loads
	for i := 0; i < r.n; {
		// Lanes [i, e): planes all in x, or all the zero plane.
		_, in := pl.inAt(cin, (r.t+i)/r.t1, c)
		e := i
		for e < r.n {
			img := (r.t + e) / r.t1
			p, ok := pl.inAt(cin, img, c)
			if ok != in {
				break
			}
			for end := min(r.n, (img+1)*r.t1-r.t); e < end; e++ {
				off[e] = int32(p + int(offX[(r.t+e)%r.t1]))
			}
		}
		if in {
			k.in(x, off[i:i+16], e-i, wd, r.edges>>i, v[i:], vs, tmp)
		} else {
			for xi := range winoPts {
				clear(v[xi*vs+i : xi*vs+e])
			}
		}
		i = e
	}
}

// outOffsets sets the run's offsets in output channel o's planes (of
// cout), blocks at offY, and returns them.
func (r winoAcross) outOffsets(pl *winoPlanes, offY []int32, cout, o int, tmp *winoTmp) *[32]int32 {
	off := tmp.acrossOffsets()
	for i := range r.n {
		img := (r.t + i) / r.t1
		off[i] = int32(pl.outAt(cout, img, o) + int(offY[(r.t+i)%r.t1]))
	}
	return off
}

// dy is k.dy on output channel o (of cout) of dy's blocks at offY.
func (r winoAcross) dy(k winoKernels, pl *winoPlanes, dy []float32, offY []int32, wd, cout, o int, v []float32, vs int, tmp *winoTmp) {
	k.dy(dy, r.outOffsets(pl, offY, cout, o, tmp)[:], r.n, wd, v, vs, tmp)
}

// out is k.out writing output channel o (of cout) of y, with bias.
func (r winoAcross) out(k winoKernels, pl *winoPlanes, m []float32, ms int, offY []int32, wd, cout, o int, bias float32, y []float32, tmp *winoTmp) {
	k.out(m, ms, r.outOffsets(pl, offY, cout, o, tmp)[:], r.n, wd, bias, y, tmp)
}

// multiply sets (beta 0) or adds to (beta 1) one point's products mx of
// the U panels at a, kc channels deep (rows of the full channel count
// apart), with that point's transforms vx of kc channels.
func (j *winoFwdJob) multiply(a []float32, kc int, vx, mx []float32, beta float32) {
	mr, nr := j.k.mk.mr, j.k.mk.nr
	for g := range j.ng {
		ag := a[g*j.cin*mr:][:kc*mr]
		for pn := 0; pn < winoBlock; pn += nr {
			j.k.mk.fn(kc, ag, vx[pn*kc:], mx[g*mr*winoBlock+pn:], winoBlock, beta)
		}
	}
}

// inverse writes the output transforms of m's nt tiles, numbered image by
// image from t0, with the bias.
func (j *winoFwdJob) inverse(m []float32, t0, nt, t1 int, tmp *winoTmp) {
	k, wd, tx, ms := j.k, j.wd, j.tx, j.ms
	for s := 0; s < nt; {
		img, tl := (t0+s)/t1, (t0+s)%t1
		run := min(16-s%16, nt-s, t1-tl)
		if run < min(16-s%16, nt-s) && j.out.max < winoAcrossMax {
			run = min(16-s%16, nt-s)
			r := newWinoAcross(t0+s, run, j.ty, tx)
			for _, pt := range j.out.parts {
				// The runs' layout in the part's channel 0's planes:
				// channel o's lie at one offset from them.
				var segs winoSegs
				bySegs := k.outSegs != nil && segs.set(r.outOffsets(&j.pl, j.offY, pt.c, 0, tmp)[:], r.t, r.n, tx)
				for o := pt.c0; o < pt.c0+pt.c; o++ {
					bo := j.biasOf(o)
					if bySegs {
						k.outSegs(m[o*winoBlock+s:], ms, wd, bo, pt.x[j.pl.outAt(pt.c, 0, o-pt.c0):], segs, tmp)
						continue
					}
					r.out(k, &j.pl, m[o*winoBlock+s:], ms, j.offY, wd, pt.c, o-pt.c0, bo, pt.x, tmp)
				}
			}
			s += run
			continue
		}
		inRow := j.rows && run == 16 && tl%tx+16 <= tx
		var segs winoSegs
		bySegs := !inRow && k.outSegs != nil && segs.set(j.offY[tl:], tl, run, tx)
		for _, pt := range j.out.parts {
			for o := pt.c0; o < pt.c0+pt.c; o++ {
				bo := j.biasOf(o)
				yo := j.pl.out(pt.x, pt.c, img, o-pt.c0)
				mo := m[o*winoBlock+s:]
				switch {
				case inRow:
					k.outRow(mo, ms, wd, bo, yo[j.offY[tl]:], tmp)
				case bySegs:
					k.outSegs(mo, ms, wd, bo, yo, segs, tmp)
				default:
					k.out(mo, ms, j.offY[tl:], run, wd, bo, yo, tmp)
				}
			}
		}
		s += run
	}
}

// biasOf returns output channel o's bias (0 without one).
func (j *winoFwdJob) biasOf(o int) float32 {
	if j.bias == nil {
		return 0
	}
	return j.bias[o]
}

// Blocking of the weight gradient: each chunk of blocks sums its own
// products, and the chunks' sums are added in chunk order, so that the
// result does not depend on the number of workers.
const (
	winoDWBlock  = 48 // tiles per block: the micro-kernel's depth
	winoDWChunks = 4
	// winoDWShared is the most blocks whose transforms share one buffer
	// (convWinogradDW), and winoDWSharedMax the most values that buffer
	// may hold (32 MB): a layer of many channels on few tiles takes the
	// per-block path instead.
	winoDWShared    = 8
	winoDWSharedMax = 8 << 20
)

// convWinogradDW computes ConvBackwardWeight's dw (not the bias gradient)
// for p (winoFits) with the kernels of k. The gradient of the forward
// Winograd form with respect to the filter g is
//
//	dg = Gᵀ · [ Σ_tiles (A·dY·Aᵀ) ⊙ (Bᵀ·d·B) ] · G
//
// summed over every 4×4 output block dY and its 6×6 input tile d: per
// point ξ, a product over tiles, Sᵀ_ξ (Cin×Cout) += V_ξ · Dᵀ_ξ. The
// transforms put 16 tiles in the vector lanes, as in the forward pass,
// for 16 channels at a time into a buffer that stays in L1, which 16×16
// transposes then lay out as the 8×48 micro-kernel's panels: V as A
// panels of 8 input channels, D as B panels of 48 output channels, [tile]
// rows in both.
//
// xs, when not nil, are the input instead of x: the channels of their
// concatenation (ConvBackwardWeightConcat).
func convWinogradDW(k winoKernels, p ConvParams, x []float32, xs []winoPart, dy, dw []float32) {
	n, cin, h, wd, pl, zh := winoShape(p, 1)
	cout := p.Cout
	ty, tx := h/winoOut, wd/winoOut
	t1 := ty * tx
	total := n * t1
	blocks := (total + winoDWBlock - 1) / winoDWBlock
	chunks := min(blocks, winoDWChunks)
	// Rows of Sᵀ are whole groups of 16 channels, its columns whole B
	// panels of 48. Input channels go on the rows unless output channels
	// there pad less: a 3D layer's 16 output channels would fill a third
	// of a B panel, its (channel, kd) pairs, 48, one.
	rows, cols, swap := (cin+15)&^15, (cout+47)/48*48, false
	if r, c := (cout+15)&^15, (cin+47)/48*48; r*c < rows*cols {
		rows, cols, swap = r, c, true
	}
	nb := cout // channels on the B side
	if swap {
		nb = cin
	}
	offh, offX, offY := winoOffsets(ty, tx, wd)
	j := getJob[winoDWJob](&winoDWJobs)
	*j = winoDWJob{k: k, dy: dy, offX: offX, offY: offY, pl: pl, cin: cin, cout: cout,
		wd: wd, ty: ty, tx: tx, total: total, blocks: blocks, chunks: chunks, rows: rows, cols: cols, swap: swap,
		span: winoDWBlock, padB: (nb+15)&^15 < cols}
	j.in.set(x, xs, p.Cin)
	if j.in.leaky && !winoDWRing(p) {
		panic("kernels: a Winograd weight gradient's input read through LeakyRelu off rings of slices")
	}
	sLen := winoPts * rows * cols // Sᵀ, [ξ][row][col]
	var ph *[]float32
	if span := blocks * winoDWBlock; winoDWRing(p) {
		// 3D slices of at least a block of tiles: each item takes one
		// block of tile positions through a run of slices, keeping the
		// input transforms of three consecutive slices (winoDWJob.slices),
		// so that each slice is transformed once instead of once per kd.
		// Its (channel, kd) pairs are ordered kd first.
		d := pl.depth
		j.perSlice = (t1 + winoDWBlock - 1) / winoDWBlock
		runs := min(d, (winoDWRingItems+p.N*j.perSlice-1)/(p.N*j.perSlice))
		j.runLen = (d + runs - 1) / runs
		runs = (d + j.runLen - 1) / j.runLen
		j.c1 = p.Cin
		chunks = p.N * j.perSlice * runs
		ph = getScratch[float32](chunks * sLen)
		j.parts = (*ph)[:chunks*sLen]
		parallelJob(chunks, 1, j)
	} else if blocks <= winoDWShared && winoPts*(rows+cols)*span <= winoDWSharedMax {
		// Few tiles: every tile's transforms go to one buffer, and each
		// point's GEMM runs all tiles deep, so Sᵀ is written once
		// instead of once per block and chunk.
		ph = getScratch[float32](sLen + winoPts*(rows+cols)*span)
		j.parts = (*ph)[:sLen]
		j.ap = (*ph)[sLen:][:winoPts*rows*span]
		j.bp = (*ph)[sLen+winoPts*rows*span:][:winoPts*cols*span]
		j.span, j.shared = span, true
		if j.padB {
			clear(j.bp)
		}
		parallelJob(blocks, 1, j)
		j.phase = 2
		parallelJob(winoPts, 1, j)
		chunks = 1
	} else {
		ph = getScratch[float32](chunks * sLen)
		j.parts = (*ph)[:chunks*sLen]
		parallelJob(chunks, 1, j)
	}
	parts, j1 := j.parts, j.c1
	putJob(&winoDWJobs, j)
	putScratch(offh)
	if zh != nil {
		putScratch(zh)
	}
	if chunks > 1 {
		sj := getJob[winoSumJob](&winoSumJobs)
		*sj = winoSumJob{add: k.add, parts: parts, chunks: chunks, sLen: sLen}
		parallelJob(sLen, 1<<14, sj)
		putJob(&winoSumJobs, sj)
	}
	winoDWInverse(k.inv, parts[:sLen], cout, cin, rows, cols, swap, j1, dw)
	putScratch(ph)
}

// winoSumJob adds the chunks' sums into the first, in chunk order, so
// that the result does not depend on which worker ran which range.
type winoSumJob struct {
	add          func(dst, a, b []float32)
	parts        []float32
	chunks, sLen int
}

var winoSumJobs jobList

func (j *winoSumJob) run(lo, hi int) {
	dst := j.parts[lo:hi]
	for ch := 1; ch < j.chunks; ch++ {
		j.add(dst, dst, j.parts[ch*j.sLen+lo:][:hi-lo])
	}
}

// winoDWJob runs convWinogradDW's chunks from a free list, so that a pass
// allocates nothing.
type winoDWJob struct {
	k                     winoKernels
	in                    winoChannels
	dy, parts             []float32
	offX, offY            []int32
	pl                    winoPlanes
	cin, cout, wd, ty, tx int
	total, blocks, chunks int
	rows, cols            int  // of Sᵀ
	swap                  bool // output channels on Sᵀ's rows, A's side
	padB                  bool // B panels hold channels past the last group of 16
	// span is the panels' depth in tiles: a block's, or, when shared,
	// every tile's, whose transforms (phase 1, by block) fill ap and bp
	// before the GEMMs (phase 2, by point).
	span   int
	shared bool
	phase  int
	ap, bp []float32
	// perSlice, runLen and c1, when set, make the items the perSlice
	// blocks of each slice's tiles, each over a run of runLen slices, the
	// (channel, kd) pairs ordered kd first for c1 channels
	// (winoDWJob.slices).
	perSlice, runLen, c1 int
}

// winoDWRingItems is the fewest items the 3D weight gradient's slice
// runs aim for: enough for two or three workers to balance, few enough
// that each run is long beside the two slices it starts with.
const winoDWRingItems = 8

var winoDWJobs jobList

func (j *winoDWJob) run(lo, hi int) {
	const wb = winoDWBlock
	k, rows, cols := j.k, j.rows, j.cols
	if j.shared && j.phase == 2 {
		span := j.span
		for xi := lo; xi < hi; xi++ {
			ax, bx := j.ap[xi*rows*span:][:rows*span], j.bp[xi*cols*span:][:cols*span]
			sx := j.parts[xi*rows*cols:][:rows*cols]
			for g := 0; g < rows; g += 8 {
				for q := 0; q < cols; q += 48 {
					k.dwk(j.total, ax[g*span:], bx[q*span:], sx[g*cols+q:], cols, 0)
				}
			}
		}
		return
	}
	as, bs := rows*wb, cols*wb // point strides of a block's A and B panels
	sLen := winoPts * rows * cols
	n := winoPts * 256
	if !j.shared {
		n += winoPts * (as + bs)
	}
	bufh := getScratch[float32](n)
	buf := (*bufh)[:n]
	loc := buf[:winoPts*256]
	th := getScratch[float32](winoTmpLen)
	tmp := (*winoTmp)((*th)[:winoTmpLen])
	if j.perSlice > 0 {
		ap, bp := buf[winoPts*256:][:winoPts*as], buf[winoPts*(256+as):][:winoPts*bs]
		// Three rings of slices' transforms and, after them, the zeros
		// that stand for the planes past the depth's ends.
		ringLen := winoPts * wb * j.c1
		rh := getScratch[float32](4 * ringLen)
		ring := (*rh)[:4*ringLen]
		clear(ring[3*ringLen:])
		act, ah := j.in.actScratch(j.pl.hw)
		if ah != nil {
			defer putScratch(ah)
		}
		for q := lo; q < hi; q++ {
			j.slices(q, ap, bp, loc, ring, act, tmp)
		}
		putScratch(rh)
	} else if j.shared {
		for b := lo; b < hi; b++ {
			t0 := b * wb
			j.transform(t0, min(wb, j.total-t0), t0, j.ap, j.bp, loc, tmp)
		}
	} else {
		ap, bp := buf[winoPts*256:][:winoPts*as], buf[winoPts*(256+as):][:winoPts*bs]
		// The B panels' padding channels past the last group of 16 are
		// multiplied too: zeros, not what the scratch held. The
		// transposes write every other panel value a block reads (zeros
		// for a partial group's missing channels).
		if j.padB {
			clear(bp)
		}
		for ch := lo; ch < hi; ch++ {
			s := j.parts[ch*sLen:][:sLen]
			b0 := ch * j.blocks / j.chunks
			for b := b0; b < (ch+1)*j.blocks/j.chunks; b++ {
				t0 := b * wb
				nt := min(wb, j.total-t0)
				j.transform(t0, nt, 0, ap, bp, loc, tmp)
				// The chunk's first block sets Sᵀ, the others add to it.
				var beta float32
				if b > b0 {
					beta = 1
				}
				for xi := range winoPts {
					ax, bx := ap[xi*as:][:as], bp[xi*bs:][:bs]
					sx := s[xi*rows*cols:][:rows*cols]
					for g := 0; g < rows; g += 8 {
						for q := 0; q < cols; q += 48 {
							k.dwk(nt, ax[g*wb:], bx[q*wb:], sx[g*cols+q:], cols, beta)
						}
					}
				}
			}
		}
	}
	putScratch(th)
	putScratch(bufh)
}

// transform lays the transforms of the nt tiles from t0, of the input and
// of dy, out in the panels ap and bp from tile base.
func (j *winoDWJob) transform(t0, nt, base int, ap, bp, loc []float32, tmp *winoTmp) {
	k, cin, cout, wd, ty, tx := j.k, j.cin, j.cout, j.wd, j.ty, j.tx
	t1 := ty * tx
	for g0 := 0; g0 < nt; g0 += 16 {
		// The group's runs of tiles, one per image it touches: up to 16
		// for images of one tile.
		var rs [16]dwRun
		nr := 0
		for s0 := g0; s0 < min(g0+16, nt); nr++ {
			img, tl := (t0+s0)/t1, (t0+s0)%t1
			run := min(g0+16-s0, nt-s0, t1-tl)
			rs[nr] = dwRun{s0: s0 - g0, img: img, tl: tl, run: run, edges: winoEdges(tl, run, ty, tx)}
			s0 += run
		}
		runs := rs[:nr]
		if nr > 1 && j.in.max < winoAcrossMax && len(j.dy) < winoAcrossMax {
			// One run across the images (winoAcross).
			n := min(16, nt-g0)
			rs[0] = dwRun{run: n, across: newWinoAcross(t0+g0, n, ty, tx)}
			runs = rs[:1]
		}
		var ri winoRunIn
		if nr == 1 {
			ri = newWinoRunIn(k, tx%16 == 0, j.offX, runs[0].tl, runs[0].run, ty, tx, wd, tmp)
		}
		var across winoAcrossSegs
		acrossPart := 0
		pairs := cin / j.in.c
		// Input channels into the A panels (B when swapped), then dy's.
		j.eachGroup(cin, !j.swap, base+g0, runs, ap, bp, loc, func(c int, rn dwRun, dst []float32) {
			pi, x, pc, cl := j.in.part(c, pairs)
			switch {
			case rn.across.n > 0:
				if pi != acrossPart {
					// Each part's samples lie its own channels apart: its
					// layouts are its own. Channels come in order.
					across, acrossPart = winoAcrossSegs{}, pi
				}
				across.in(k, rn.across, &j.pl, x, j.offX, wd, pc, cl, dst, 256, tmp)
			case nr == 1:
				ri.in(k, j.pl.in(x, pc, rn.img, cl), j.offX, wd, dst, 256, tmp)
			default:
				k.in(j.pl.in(x, pc, rn.img, cl), j.offX[rn.tl:], rn.run, wd, rn.edges, dst, 256, tmp)
			}
		})
		// dy's blocks: a layout of the run's blocks in output channel 0's
		// planes, those of channel o lying at one offset from them.
		dys := tmp.dySegs()
		dyBySegs := false
		if k.dySegs != nil {
			if r := runs[0].across; r.n > 0 {
				dyBySegs = dys.set(r.outOffsets(&j.pl, j.offY, cout, 0, tmp)[:], r.t, r.n, tx, wd)
			} else if nr == 1 {
				dyBySegs = dys.set(j.offY[runs[0].tl:], runs[0].tl, runs[0].run, tx, wd)
			}
		}
		j.eachGroup(cout, j.swap, base+g0, runs, ap, bp, loc, func(o int, rn dwRun, dst []float32) {
			switch {
			case dyBySegs && rn.across.n > 0:
				k.dySegs(j.dy[j.pl.outAt(cout, 0, o):], dys, wd, dst, 256, tmp)
			case dyBySegs:
				k.dySegs(j.pl.out(j.dy, cout, rn.img, o), dys, wd, dst, 256, tmp)
			case rn.across.n > 0:
				rn.across.dy(k, &j.pl, j.dy, j.offY, wd, cout, o, dst, 256, tmp)
			default:
				k.dy(j.pl.out(j.dy, cout, rn.img, o), j.offY[rn.tl:], rn.run, wd, dst, 256, tmp)
			}
		})
	}
}

// slices runs item q of a ring pass (convWinogradDW): one block of
// tiles of one sample's slices over one run of slices, numbered sample by
// sample, then block by block, then run by run, into the item's own Sᵀ.
// For output slice d, pair (kd, c) reads input slice d+kd−1, whose
// transforms are computed once into one of three rings (slice s in ring
// s%3, see ringSlice) and read from there: with the pairs on the B side
// (swap) in place by the micro-kernel (dwk3), else placed in the A panels.
func (j *winoDWJob) slices(q int, ap, bp, loc, ring, act []float32, tmp *winoTmp) {
	const wb = winoDWBlock
	k, rows, cols, c1 := j.k, j.rows, j.cols, j.c1
	depth, t1, wd := j.pl.depth, j.ty*j.tx, j.wd
	runs := (depth + j.runLen - 1) / j.runLen
	n, b, sp := q/(j.perSlice*runs), q/runs%j.perSlice, q%runs
	t0 := b * wb
	nt := min(wb, t1-t0)
	ringLen := len(ring) / 4
	zero := ring[3*ringLen:]
	if j.padB {
		clear(bp)
	}
	as, bs := rows*wb, cols*wb
	s := j.parts[q*winoPts*rows*cols:][:winoPts*rows*cols]
	if j.swap && j.cout%16 != 0 {
		// The rows of the last 8 output channels' panel past the last
		// channel (8 output channels fill half of a group of 16) are
		// zeros, not multiplied: Sᵀ has them zero.
		clear(s)
	}
	d0, d1 := sp*j.runLen, min(depth, (sp+1)*j.runLen)
	have := d0 - 1 // slices below have are in the rings
	for d := d0; d < d1; d++ {
		for sl := max(d-1, have, 0); sl <= min(d+1, depth-1); sl++ {
			j.ringSlice(ring[sl%3*ringLen:][:ringLen], n, sl, t0, nt, loc, act, tmp)
			have = sl + 1
		}
		// src[kd] is the ring of input slice d+kd−1.
		var src [3][]float32
		for kd := range 3 {
			src[kd] = zero
			if sl := d + kd - 1; sl >= 0 && sl < depth {
				src[kd] = ring[sl%3*ringLen:][:ringLen]
			}
		}
		img := n*depth + d
		for g0 := 0; g0 < nt; g0 += 16 {
			rn := []dwRun{{s0: 0, img: img, tl: t0 + g0, run: min(16, nt-g0)}}
			dys := tmp.dySegs()
			dyBySegs := k.dySegs != nil && dys.set(j.offY[t0+g0:], t0+g0, rn[0].run, j.tx, wd)
			j.eachGroup(j.cout, j.swap, g0, rn, ap, bp, loc, func(o int, rn dwRun, dst []float32) {
				if dyBySegs {
					k.dySegs(j.pl.out(j.dy, j.cout, rn.img, o), dys, wd, dst, 256, tmp)
					return
				}
				k.dy(j.pl.out(j.dy, j.cout, rn.img, o), j.offY[rn.tl:], rn.run, wd, dst, 256, tmp)
			})
			if !j.swap {
				for kd := range 3 {
					for c0 := 0; c0 < c1; c0 += 16 {
						j.place(true, kd*c1+c0, g0, ap, bp, src[kd][g0/16*winoPts*c1*16+c0*16:], c1*16)
					}
				}
			}
		}
		var beta float32
		if d > d0 {
			beta = 1
		}
		for xi := range winoPts {
			ax := ap[xi*as:][:as]
			sx := s[xi*rows*cols:][:rows*cols]
			if j.swap {
				for qc := 0; qc < cols; qc += 48 {
					// The 16-pair thirds of the panel, each in the ring of
					// its kd: the panel's alone, so found once for all the
					// row groups rather than with two divisions each before
					// every 48-deep sum.
					var bt [3][]float32
					for t := range bt {
						p := qc + 16*t
						bt[t] = src[p/c1][xi*wb*c1+p%c1:]
					}
					for g := 0; g < j.cout; g += 8 {
						k.dwk3(nt, ax[g*wb:], bt[0], bt[1], bt[2], c1, sx[g*cols+qc:], cols, beta)
					}
				}
				continue
			}
			bx := bp[xi*bs:][:bs]
			for g := 0; g < rows; g += 8 {
				for qc := 0; qc < cols; qc += 48 {
					k.dwk(nt, ax[g*wb:], bx[qc*wb:], sx[g*cols+qc:], cols, beta)
				}
			}
		}
	}
}

// ringSlice sets r to the input transforms of the c1 channels of sample
// n's slice sl for the nt tiles from t0 of a slice: with swap [ξ][tile]
// [channel], the rows the micro-kernel reads in place (through loc's
// [ξ][channel][tile] and a transpose per 16 channels and tiles); else
// [group of 16 tiles][ξ][channel][tile], as place reads them.
func (j *winoDWJob) ringSlice(r []float32, n, sl, t0, nt int, loc, act []float32, tmp *winoTmp) {
	const wb = winoDWBlock
	k, c1, wd, ty, tx, hw := j.k, j.c1, j.wd, j.ty, j.tx, j.pl.hw
	if act != nil {
		j.in.activate(k, n, sl, j.pl.depth, hw, wd, tx, t0, t0+nt-1, act)
	}
	for g0 := 0; g0 < nt; g0 += 16 {
		tl, run := t0+g0, min(16, nt-g0)
		ri := newWinoRunIn(k, tx%16 == 0, j.offX, tl, run, ty, tx, wd, tmp)
		in := func(c int, dst []float32, vs int) {
			i, _, _, cl := j.in.part(c, 1)
			ri.in(k, j.in.parts[i].plane(n, cl, sl, j.pl.depth, hw, act), j.offX, wd, dst, vs, tmp)
		}
		if j.swap {
			// The lanes past the last tile make rows past nt, never read.
			for c0 := 0; c0 < c1; c0 += 16 {
				for c := c0; c < c0+16; c++ {
					in(c, loc[(c-c0)*16:], 256)
				}
				for xi := range winoPts {
					k.transpose16(r[xi*wb*c1+g0*c1+c0:], c1, loc[xi*256:][:256], 16)
				}
			}
			continue
		}
		dst := r[g0/16*winoPts*c1*16:][:winoPts*c1*16]
		if run < 16 {
			clear(dst) // the lanes past the last tile are placed too
		}
		for c := range c1 {
			in(c, dst[c*16:], c1*16)
		}
	}
}

// dwRun is a run of a group's tiles within one image: from lane s0 of
// the group, tile tl of image img onwards; or, where across has tiles,
// all of the group's tiles.
type dwRun struct {
	s0, img, tl, run int
	edges            uint64     // winoEdges'
	across           winoAcross // with n > 0: the group's one run across images
}

// eachGroup transforms the n channels of the group's runs of tiles, 16
// at a time, into loc, [ξ][channel][tile], with tr (which writes channel
// c of run rn from dst[0]), and lays each 16 out with place.
func (j *winoDWJob) eachGroup(n int, toA bool, g0 int, runs []dwRun, ap, bp, loc []float32, tr func(c int, rn dwRun, dst []float32)) {
	for c0 := 0; c0 < n; c0 += 16 {
		if c0+16 > n {
			clear(loc)
		}
		for c := c0; c < min(c0+16, n); c++ {
			for r := range runs {
				tr(c, runs[r], loc[(c-c0)*16+runs[r].s0:])
			}
		}
		j.place(toA, c0, g0, ap, bp, loc, 256)
	}
}

// place lays loc's transforms of 16 channels from ch0, for the block's
// tiles from g0, out as the micro-kernel's A panels (toA: two of 8
// channels) or in its B panels (48 channels). loc holds them [ξ][channel]
// [tile], 16 tiles a channel and ls values a point.
func (j *winoDWJob) place(toA bool, ch0, g0 int, ap, bp, loc []float32, ls int) {
	wb := j.span
	as, bs := j.rows*wb, j.cols*wb
	for xi := range winoPts {
		l := loc[xi*ls:][:256]
		if toA {
			ax := ap[xi*as:][:as]
			j.k.splitT16(ax[ch0*wb+g0*8:], ax[(ch0+8)*wb+g0*8:], 8, l, 16)
		} else {
			j.k.transpose16(bp[xi*bs+ch0/48*48*wb+g0*48+ch0%48:], 48, l, 16)
		}
	}
}

// winoDWInverse sets dw = Gᵀ·S·G for every filter, in float64, from the
// summed Sᵀ laid out [ξ][row][col], with input channels on the rows
// (output channels with swap), the 3D path's (channel, kd) pairs ordered
// kd first for c1 channels when c1 > 0. A job takes rows, which it reads along
// their columns.
func winoDWInverse(inv func(s []float32, ld int, t *[72]float32), st []float32, cout, cin, rows, cols int, swap bool, c1 int, dw []float32) {
	j := getJob[winoInvJob](&winoInvJobs)
	*j = winoInvJob{inv: inv, st: st, cout: cout, cin: cin, rows: rows, cols: cols, swap: swap, c1: c1, dw: dw}
	nr, nc := cin, cout
	if swap {
		nr, nc = cout, cin
	}
	parallelJob(nr, max(1, 256/nc), j)
	putJob(&winoInvJobs, j)
}

// winoInvJob runs winoDWInverse's rows from a free list.
type winoInvJob struct {
	inv                   func(s []float32, ld int, t *[72]float32)
	st, dw                []float32
	cout, cin, rows, cols int
	swap                  bool
	c1                    int // when set, the pairs are ordered kd first for c1 channels
}

var winoInvJobs jobList

func (j *winoInvJob) run(lo, hi int) {
	st, dw, cin, rows, cols := j.st, j.dw, j.cin, j.rows, j.cols
	nc := j.cout
	if j.swap {
		nc = cin
	}
	// The 36 points of a filter lie rows·cols values apart, and Sᵀ is
	// several L2s: read one line at a time, point after point, they came
	// from memory at a line per cache miss. Each row's 36 runs are copied
	// out whole first, which the prefetchers stream; the inverse of the
	// last 8 filters reads up to 7 values past the last run.
	// The kernel's output lies in the scratch too: a local array passed
	// through the func value would escape to the heap.
	bh := getScratch[float32](winoPts*nc + 8 + 72)
	buf := (*bh)[:winoPts*nc+8]
	t := (*[72]float32)((*bh)[winoPts*nc+8:])
	for r := lo; r < hi; r++ {
		for p := range winoPts {
			copy(buf[p*nc:][:nc], st[(p*rows+r)*cols:][:nc])
		}
		for q0 := 0; q0 < nc; q0 += 8 {
			j.inv(buf[q0:], nc, t)
			for i := range min(8, nc-q0) {
				o, c := q0+i, r
				if j.swap {
					o, c = r, q0+i
				}
				if j.c1 > 0 {
					c = c%j.c1*3 + c/j.c1 // pair (kd, ch) is dw's (ch, kd)
				}
				out := dw[(o*cin+c)*9:][:9]
				for k := range out {
					out[k] = t[k*8+i]
				}
			}
		}
	}
	putScratch(bh)
}

// winoInv8Go is the pure-Go twin of the weight gradient's inverse
// transform: it sets t[k·8 + i], for the 9 taps k of a 3×3 filter and
// i < 8, to tap k of Gᵀ·S·G, in float64, for the 8 filters whose point ξ
// of S is s[ξ·ld + i].
func winoInv8Go(s []float32, ld int, t *[72]float32) {
	_ = s[35*ld+7]
	for i := range 8 {
		var u [3][6]float64 // Gᵀ·S
		for l := range 6 {
			v := s[l*ld+i:]
			u[0][l], u[1][l], u[2][l] = winoGT6(float64(v[0]), float64(v[6*ld]), float64(v[12*ld]),
				float64(v[18*ld]), float64(v[24*ld]), float64(v[30*ld]))
		}
		for k := range 3 {
			a, b, e := winoGT6(u[k][0], u[k][1], u[k][2], u[k][3], u[k][4], u[k][5])
			t[3*k*8+i], t[(3*k+1)*8+i], t[(3*k+2)*8+i] = float32(a), float32(b), float32(e)
		}
	}
}

// winoGT6 applies Gᵀ to six values, G's rows being (1/4, 0, 0),
// (−1/6)(1, 1, 1), (−1/6)(1, −1, 1), (1/24, 1/12, 1/6), (1/24, −1/12, 1/6)
// and (0, 0, 1), with their shared sums. It multiplies by the fractions'
// float64 values rather than dividing: a float64 division takes several
// times a multiplication's throughput, and the weight gradient's inverse
// transform of a 128→128 3D layer at 12³ spent 40 % of its time dividing.
// The products differ from the quotients by an ulp of float64, far below
// the float32 the results are rounded to.
func winoGT6(s0, s1, s2, s3, s4, s5 float64) (o0, o1, o2 float64) {
	const sixth, twelfth, twentyFourth = 1.0 / 6, 1.0 / 12, 1.0 / 24
	a, b := s1+s2, s1-s2
	c, d := s3+s4, s3-s4
	// The conversions round each product, so that no GOAMD64 level fuses
	// them into the sums: the assembly twin (winoInv8AVX512) rounds each.
	o0 = float64(s0*0.25) - float64(a*sixth) + float64(c*twentyFourth)
	o1 = float64(d*twelfth) - float64(b*sixth)
	o2 = float64((c-a)*sixth) + s5
	return
}
