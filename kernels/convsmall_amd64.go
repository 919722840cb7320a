//go:build !purego

package kernels

// The backward passes of convolutions with few input channels (a
// network's first layer: 1 to smallMaxCin channels in, 2D or 3D, kernels
// of 3×3 slices, stride 1), which the implicit-GEMM path handles badly: it copies
// the output gradient, 16 to 32 times the size of the input, into a
// padded image for backward-data and into padded blocks for the weight
// gradient, and those copies were most of both passes (1→32 at 128², batch
// 8: 60 % of the CPU profile). Here neither pass copies dy.
//
// Backward-data computes dx in tiles of 16 rows by 16 positions
// (convDXTileAVX512), each summing the rows of dy that the kernel maps
// onto it straight from dy, one load feeding the up to three tile rows it
// reaches, with masks at the ends of the rows instead of padding.
// Backward-weight pads only x (one or a few channels, cheap) and computes
// the taps of a 3×3 kernel slice for three output channels at a time
// with convDW3x9AVX512 (two with convDW2x9AVX512 at the end), dy being
// read as it is, once per input channel and kernel plane. Both sum in an order fixed by the problem alone.

// smallMaxCin is the most input channels for which backward-data takes
// the few-channel kernel, and smallMaxCinDW the most for which the weight
// gradient does: each dx channel reads all of dy again, and the weight
// gradient reads dy once per input channel and kernel plane. Measured
// (1 worker, CPU, 15 paired rounds, old path → this one): backward-data
// 4→32 at 128² 11.5 → 5.2 ms, 4→16 at 48³ 28.5 → 10.9; the weight
// gradient 2→32 at 128² 2.8 → 1.7, 2→16 at 48³ 5.1 → 4.5, but 4→32 at
// 128² 2.9 → 3.4 and 4→16 at 48³ 7.1 → 9.7.
const (
	smallMaxCin   = 4
	smallMaxCinDW = 2
)

// convDXTileAVX512 is convDXTileGo: the caller guarantees that every
// lane its masks leave set in rows [s0, s1) of every group reads inside
// src, nrows rows of 16 values (those of masks[3]) at stride ldd in dst,
// and 9 weights per group in w.
//
//go:noescape
func convDXTileAVX512(dst []float32, ldd, nrows int, src []float32, base, ldr, s0, s1 int, groups []int32, w []float32, masks *[4]uint16, beta int)

// convDW2x9AVX512 is convDW2x9Go: the caller guarantees planes×rows rows
// of wo values in dy0 and dy1 and every tap's row inside x.
//
//go:noescape
func convDW2x9AVX512(dy0, dy1, x []float32, planes, rows, wo, wp, plane, ldk int, acc *[288]float64)

// convDW3x9AVX512 is convDW3x9Go: the caller guarantees planes×rows rows
// of wo values in dy from 0, ldy and 2·ldy on and every tap's row inside
// x.
//
//go:noescape
func convDW3x9AVX512(dy []float32, ldy int, x []float32, planes, rows, wo, wp, plane, ldk int, acc *[432]float64)

// convFwd6x64AVX512 is convFwd6x64Go: the caller guarantees x[q[v] +
// off[p] : +16] inside x, ⌈cout/6⌉·6·k weights in w and as many biases
// in b, and cout rows of the 4 vectors at yo in y, ldy apart.
//
//go:noescape
func convFwd6x64AVX512(k int, x []float32, q *[4]int32, off []int32, w, b []float32, y []float32, ldy int, yo *[4]int32, cout int)

// convFwd6x64NTAVX512 is convFwd6x64AVX512 with non-temporal stores, for
// outputs too large to stay in the caches until the next layer reads
// them: the caller guarantees, besides, that every vector it stores,
// y[c·ldy + yo[v]:][:16], starts on a 64-byte line.
//
// Its callers run sfence after their last call, a fence per run of calls
// rather than per call.
//
//go:noescape
func convFwd6x64NTAVX512(k int, x []float32, q *[4]int32, off []int32, w, b []float32, y []float32, ldy int, yo *[4]int32, cout int)

// sfence orders the non-temporal stores before it before every store
// after it, so that another thread that sees the work done sees its
// output.
func sfence()

// convFwd6x64Go sets y[c·ldy + yo[v] + i] = (Σ_{p<k} w[(c/6·k + p)·6 +
// c%6]·x[q[v] + off[p] + i]) + b[c] for c < cout, v < 4 and i < 16.
func convFwd6x64Go(k int, x []float32, q *[4]int32, off []int32, w, b []float32, y []float32, ldy int, yo *[4]int32, cout int) {
	convFwdSmallGo(6, k, x, q[:], off, w, b, y, ldy, yo[:], cout)
}

// convFwd8x48AVX512 is convFwd8x48Go: the caller guarantees x[q[v] +
// off[p] : +16] inside x, ⌈cout/8⌉·8·k weights in w and as many biases
// in b, or none, and cout rows of the 3 vectors at yo in y, ldy apart.
//
//go:noescape
func convFwd8x48AVX512(k int, x []float32, q *[3]int32, off []int32, w, b []float32, y []float32, ldy int, yo *[3]int32, cout int)

// convFwd8x48NTAVX512 is convFwd8x48AVX512 with non-temporal stores, on
// the terms of convFwd6x64NTAVX512.
//
//go:noescape
func convFwd8x48NTAVX512(k int, x []float32, q *[3]int32, off []int32, w, b []float32, y []float32, ldy int, yo *[3]int32, cout int)

// convFwd8x48Go sets y[c·ldy + yo[v] + i] = (Σ_{p<k} w[(c/8·k + p)·8 +
// c%8]·x[q[v] + off[p] + i]) + b[c] for c < cout, v < 3 and i < 16, with
// no bias added where b is empty.
func convFwd8x48Go(k int, x []float32, q *[3]int32, off []int32, w, b []float32, y []float32, ldy int, yo *[3]int32, cout int) {
	convFwdSmallGo(8, k, x, q[:], off, w, b, y, ldy, yo[:], cout)
}

// convFwdSmallGo is the few-channel forward kernels' twin for blocks of
// rows channels and len(q) vectors of positions.
func convFwdSmallGo(rows, k int, x []float32, q, off []int32, w, b []float32, y []float32, ldy int, yo []int32, cout int) {
	for c := 0; c < cout; c++ {
		for v := range q {
			for i := 0; i < 16; i++ {
				var s float32
				for p := 0; p < k; p++ {
					s += w[(c/rows*k+p)*rows+c%rows] * x[int(q[v])+int(off[p])+i]
				}
				if len(b) > 0 {
					s += b[c]
				}
				y[c*ldy+int(yo[v])+i] = s
			}
		}
	}
}

// convDXTileGo sets, for a < nrows and the lanes l < 16 set in masks[3],
// dst[a·ldd+l] = beta·dst[a·ldd+l] + Σ_g Σ_{kh,t<3} w[9g+3kh+t] · src[base+groups[g]+(a−kh)·ldr+l−t]
// over the terms with a − kh in [s0, s1) and lane l set in masks[t],
// summed in the kernel's order (group, then row a − kh, then tap t).
func convDXTileGo(dst []float32, ldd, nrows int, src []float32, base, ldr, s0, s1 int, groups []int32, w []float32, masks *[4]uint16, beta int) {
	var acc [16][16]float32
	for g, o := range groups {
		for s := max(s0, -2); s < min(s1, 16); s++ {
			for t := 0; t < 3; t++ {
				for kh := 0; kh < 3; kh++ {
					a := s + kh
					if a < 0 || a >= 16 {
						continue
					}
					for l := 0; l < 16; l++ {
						if masks[t]>>l&1 != 0 {
							acc[a][l] += w[9*g+3*kh+t] * src[base+int(o)+s*ldr+l-t]
						}
					}
				}
			}
		}
	}
	for a := 0; a < nrows; a++ {
		for l := 0; l < 16; l++ {
			if masks[3]>>l&1 == 0 {
				continue
			}
			if beta != 0 {
				acc[a][l] += dst[a*ldd+l]
			}
			dst[a*ldd+l] = acc[a][l]
		}
	}
}

// convDW2x9Go is convDW2x9AVX512: each lane summed in position order in
// float32, then added to acc.
func convDW2x9Go(dy0, dy1, x []float32, planes, rows, wo, wp, plane, ldk int, acc *[288]float64) {
	var a [288]float32
	for od := 0; od < planes; od++ {
		for oh := 0; oh < rows; oh++ {
			d := (od*rows + oh) * wo
			xr := od*plane + oh*wp
			for ow := 0; ow < wo; ow++ {
				l := ow % 16
				for p := 0; p < 9; p++ {
					xv := x[xr+ow+p/3*ldk+p%3]
					a[16*p+l] += dy0[d+ow] * xv
					a[144+16*p+l] += dy1[d+ow] * xv
				}
			}
		}
	}
	for i, v := range a {
		acc[i] += float64(v)
	}
}

// convDW3x9Go is convDW3x9AVX512: each lane summed in position order in
// float32, then added to acc.
func convDW3x9Go(dy []float32, ldy int, x []float32, planes, rows, wo, wp, plane, ldk int, acc *[432]float64) {
	convDW2x9Go(dy, dy[ldy:], x, planes, rows, wo, wp, plane, ldk, (*[288]float64)(acc[:288]))
	var a [288]float64
	convDW2x9Go(dy[2*ldy:], dy[2*ldy:], x, planes, rows, wo, wp, plane, ldk, &a)
	for i, v := range a[:144] {
		acc[288+i] += v
	}
}

// smallGeom returns the geometry of p for the few-channel backward
// passes, or false where they do not apply: more than smallMaxCin input
// channels, groups, a stride, one spatial dimension, kernel slices other
// than 3×3 or dilated, or sizes past int32 offsets.
func smallGeom(p ConvParams) (convGeom, bool) {
	var g convGeom
	if convKern == nil || !convKern.small || p.Groups > 1 || p.Cin > smallMaxCin || len(p.In) < 2 || len(p.In) > 3 || len(p.Kernel) != len(p.In) {
		return g, false
	}
	g = p.geom("convSmall")
	for i := 0; i < 3; i++ {
		if g.s[i] != 1 {
			return g, false
		}
	}
	if g.k[1] != 3 || g.k[2] != 3 || g.d[1] != 1 || g.d[2] != 1 || g.n*g.cout*g.outVol() >= 1<<31 || g.n*g.cin*g.inVol() >= 1<<31 {
		return g, false
	}
	return g, true
}

// dxTileRows is the height of convDXTileAVX512's tile: its 16 rows read
// 18 rows of dy, one load feeding 2.7 FMAs, where 8 rows read 10 and fed
// 2.4 (1 worker, CPU, 9 interleaved rounds, medians: 1→32 at 128²
// 1.54 → 1.44 ms, 1→16 at 48³ 2.75 → 2.59).
const dxTileRows = 16

// dxGroupChunk is the most groups (planes of an output channel) per call
// of convDXTileAVX512: their 18 rows of 2 lines (18 KB) stay in L1 for the
// call to the right, which reads half of those lines again. With all 48
// groups of a 1→16 3×3×3 layer each line came from L2 twice; 16 groups
// (37 KB) measured slower than 8.
const dxGroupChunk = 8

// smallDXBuf holds the group offsets and weights of one backward-data
// pass, or a worker's filtered copy of them, and the masks of the column
// blocks, reused from call to call.
type smallDXBuf struct {
	groups []int32
	w      []float32
	masks  []uint16
}

var smallDXBufs jobList

// grow returns b with room for ng groups of 9 weights per input channel
// and nm masks.
func (b *smallDXBuf) grow(ng, cin, nm int) *smallDXBuf {
	if cap(b.groups) < ng {
		b.groups = make([]int32, ng)
	}
	if cap(b.w) < ng*9*cin {
		b.w = make([]float32, ng*9*cin)
	}
	if cap(b.masks) < nm {
		b.masks = make([]uint16, nm)
	}
	b.groups, b.w, b.masks = b.groups[:ng], b.w[:ng*9*cin], b.masks[:nm]
	return b
}

var smallDXJobs jobList

// smallDXJob is a backward-data pass cut into units of one image plane's
// band of dxTileRows rows (all input channels).
type smallDXJob struct {
	g      convGeom
	dy, dx []float32
	full   *smallDXBuf
	bands  int // bands per plane
}

// convBackwardDataSmall computes dx for a geometry smallGeom accepts, in
// tiles of dxTileRows rows by 16 positions (convDXTileAVX512): each reads
// the rows of dy it needs once per output channel and kernel plane, with
// masks at the ends of the rows instead of a padded copy of dy.
func convBackwardDataSmall(g *convGeom, dy, w, dx []float32) {
	ng := g.cout * g.k[0]
	W, Wo := g.in[2], g.out[2]
	blocks := ceilDiv(W, 16)
	b := getJob[smallDXBuf](&smallDXBufs).grow(ng, g.cin, 4*blocks)
	defer keepJob(&smallDXBufs, b)
	// Lane l of block j0 reads dy at j0 + l + pw − t for tap t.
	for k := 0; k < blocks; k++ {
		for t := 0; t < 3; t++ {
			var m uint16
			for l := 0; l < 16; l++ {
				if j := 16*k + l + g.p[2] - t; 16*k+l < W && j >= 0 && j < Wo {
					m |= 1 << l
				}
			}
			b.masks[4*k+t] = m
		}
		b.masks[4*k+3] = uint16(1<<min(W-16*k, 16) - 1)
	}
	// Group (co, kd) is the plane id + pd − kd·dd of channel co, relative
	// to plane id; its weights for input channel ci are w[co, ci, kd].
	ovol, kvol := g.outVol(), g.kVol()
	plane := g.out[1] * Wo
	for co := 0; co < g.cout; co++ {
		for kd := 0; kd < g.k[0]; kd++ {
			r := co*g.k[0] + kd
			b.groups[r] = int32(co*ovol + (g.p[0]-kd*g.d[0])*plane)
			for ci := 0; ci < g.cin; ci++ {
				copy(b.w[(ci*ng+r)*9:(ci*ng+r)*9+9], w[(co*g.cin+ci)*kvol+kd*9:])
			}
		}
	}
	j := getJob[smallDXJob](&smallDXJobs)
	*j = smallDXJob{g: *g, dy: dy, dx: dx, full: b, bands: ceilDiv(g.in[1], dxTileRows)}
	parallelJob(g.n*g.in[0]*j.bands, 1, j)
	*j = smallDXJob{}
	putJob(&smallDXJobs, j)
}

// run computes the bands [lo, hi).
func (j *smallDXJob) run(lo, hi int) {
	g := &j.g
	D, H, W := g.in[0], g.in[1], g.in[2]
	Do, Ho, Wo := g.out[0], g.out[1], g.out[2]
	ng := len(j.full.groups)
	f := getJob[smallDXBuf](&smallDXBufs).grow(ng, g.cin, 0)
	defer keepJob(&smallDXBufs, f)
	asm := convKern.smallAsm
	for u := lo; u < hi; u++ {
		n, id, ih := u/(D*j.bands), u/j.bands%D, u%j.bands*dxTileRows
		nrows := min(dxTileRows, H-ih)
		gs, ws := j.full.groups, j.full.w
		// The kernel planes that land inside dy.
		kd0, kd1 := validTaps(id+g.p[0], g.d[0], g.k[0], Do)
		if kd0 > 0 || kd1 < g.k[0] {
			m := 0
			for co := 0; co < g.cout; co++ {
				for kd := kd0; kd < kd1; kd++ {
					r := co*g.k[0] + kd
					f.groups[m] = j.full.groups[r]
					for ci := 0; ci < g.cin; ci++ {
						copy(f.w[(ci*ng+m)*9:(ci*ng+m)*9+9], j.full.w[(ci*ng+r)*9:])
					}
					m++
				}
			}
			gs, ws = f.groups[:m], f.w
		}
		// Row s of the tile's dy rows is ih + ph + s, inside dy for s in
		// [s0, s1), and no row past the tile's last is needed.
		c := ih + g.p[1]
		s0, s1 := max(-2, -c), min(nrows, Ho-c)
		for ci := 0; ci < g.cin; ci++ {
			wc := ws[ci*ng*9:][:len(gs)*9]
			row := ((n*g.cin+ci)*D+id)*H + ih
			// Chunks of groups, each over the whole band, the first
			// writing the tiles and the others adding to them.
			for c0 := 0; c0 == 0 || c0 < len(gs); c0 += dxGroupChunk {
				c1 := min(c0+dxGroupChunk, len(gs))
				beta := min(c0, 1)
				for k := 0; k*16 < W; k++ {
					dst := j.dx[row*W+16*k : (row+nrows-1)*W+min(16*k+16, W)]
					base := n*g.cout*Do*Ho*Wo + (id*Ho+c)*Wo + 16*k + g.p[2]
					masks := (*[4]uint16)(j.full.masks[4*k : 4*k+4])
					if asm {
						convDXTileAVX512(dst, W, nrows, j.dy, base, Wo, s0, s1, gs[c0:c1], wc[9*c0:9*c1], masks, beta)
					} else {
						convDXTileGo(dst, W, nrows, j.dy, base, Wo, s0, s1, gs[c0:c1], wc[9*c0:9*c1], masks, beta)
					}
				}
			}
		}
	}
}

// validTaps returns the taps [k0, k1) of a kernel axis of k taps at
// dilation d for which c − kd·d lies in [0, n).
func validTaps(c, d, k, n int) (k0, k1 int) {
	k0, k1 = 0, k
	for k0 < k && c-k0*d >= n {
		k0++
	}
	for k1 > k0 && c-(k1-1)*d < 0 {
		k1--
	}
	return k0, k1
}

var smallDWJobs jobList

// dwChunk is about the most output positions a call of the
// weight-gradient kernels sums in float32 lanes before adding them to
// float64 ones: summed over a whole 48³ image, each lane added up 6912
// products and the gradient of a 1→16 layer was 5 times less exact than
// the implicit GEMM's (relative RMS error 1.3e-6 against 2.5e-7; 2.2e-7
// in chunks).
const dwChunk = 8192

// smallDWJob is a weight-gradient pass cut into units of (image, group
// of output channels, input channel, kernel plane), each writing its own
// partial sums.
type smallDWJob struct {
	g      convGeom
	dg     directGeom // the padded input's layout
	xp, dy []float32
	parts  []float32 // n × cout × cin × kvol
}

// convBackwardWeightSmall computes dw (and dbias) for a geometry
// smallGeom accepts; it returns false, having done nothing, for more than
// smallMaxCinDW input channels.
func convBackwardWeightSmall(p ConvParams, g *convGeom, x, dy, dw, dbias []float32) bool {
	if g.cin > smallMaxCinDW {
		return false
	}
	dg, ok := newDirectGeom(p, 32)
	if !ok {
		return false
	}
	xb := getPack(g.n * dg.stride)
	defer putPack(xb)
	xp := (*xb)[:g.n*dg.stride]
	dg.padInput(x, xp)
	size := g.cout * g.cin * g.kVol()
	pb := getPack(g.n * size)
	defer putPack(pb)
	j := getJob[smallDWJob](&smallDWJobs)
	*j = smallDWJob{g: *g, dg: dg, xp: xp, dy: dy, parts: (*pb)[:g.n*size]}
	parallelJob(g.n*ceilDiv(g.cout, 3)*g.cin*g.k[0], 1, j)
	*j = smallDWJob{}
	putJob(&smallDWJobs, j)
	// The images' sums in image order: the result depends on the problem
	// alone, not on the workers.
	parts := (*pb)[:g.n*size]
	copy(dw, parts[:size])
	for n := 1; n < g.n; n++ {
		for i, v := range parts[n*size : (n+1)*size] {
			dw[i] += v
		}
	}
	if dbias != nil {
		biasGradient(g.n, g.cout, g.outVol(), dy, dbias)
	}
	return true
}

// run computes the units [lo, hi): unit u is, from the fastest-varying,
// kernel plane kd, input channel ci, group of output channels and image.
// The groups are the channels in threes (convDW3x9AVX512), the last one
// or two as a pair (convDW2x9AVX512, a lone channel paired with itself
// and its second sums dropped).
func (j *smallDWJob) run(lo, hi int) {
	g, dg := &j.g, &j.dg
	groups := ceilDiv(g.cout, 3)
	ovol, kvol := g.outVol(), g.kVol()
	var acc [432]float64
	asm := convKern.smallAsm
	do, ho, wo, wp, ldk := g.out[0], g.out[1], g.out[2], dg.pa[2], g.d[1]*dg.pa[2]
	// The kernel sums about dwChunk positions a call: whole planes where
	// they are smaller, else runs of whole rows of one plane.
	rows, planes := ho, max(1, dwChunk/(ho*wo))
	if ho*wo > dwChunk {
		rows, planes = max(1, dwChunk/wo), 1
	}
	for u := lo; u < hi; u++ {
		kd, ci := u%g.k[0], u/g.k[0]%g.cin
		gi, n := u/(g.k[0]*g.cin)%groups, u/(g.k[0]*g.cin*groups)
		co := 3 * gi
		m := min(3, g.cout-co)
		dy := j.dy[(n*g.cout+co)*ovol : (n*g.cout+co+m)*ovol]
		x := j.xp[n*dg.stride+ci*dg.vp+kd*g.d[0]*dg.plane:]
		clear(acc[:144*m])
		for od := 0; od < do; od += planes {
			np := min(planes, do-od)
			for oh := 0; oh < ho; oh += rows {
				nr := min(rows, ho-oh)
				o := (od*ho + oh) * wo
				xo := x[od*dg.plane+oh*wp:]
				dyo := dy[o:]
				dy1 := dy[(m-1)*ovol+o:]
				switch {
				case m == 3 && asm:
					convDW3x9AVX512(dyo, ovol, xo, np, nr, wo, wp, dg.plane, ldk, &acc)
				case m == 3:
					convDW3x9Go(dyo, ovol, xo, np, nr, wo, wp, dg.plane, ldk, &acc)
				case asm:
					convDW2x9AVX512(dyo, dy1, xo, np, nr, wo, wp, dg.plane, ldk, (*[288]float64)(acc[:288]))
				default:
					convDW2x9Go(dyo, dy1, xo, np, nr, wo, wp, dg.plane, ldk, (*[288]float64)(acc[:288]))
				}
			}
		}
		for c := 0; c < m; c++ {
			dst := j.parts[((n*g.cout+co+c)*g.cin+ci)*kvol+kd*9:][:9]
			for p := range dst {
				var s float64
				for _, v := range acc[144*c+16*p : 144*c+16*p+16] {
					s += v
				}
				dst[p] = float32(s)
			}
		}
	}
}

// smallFwdRows is the number of output channels of a block of the
// few-channel forward for cout channels and K taps (input channels times
// kernel volume): 8 (convFwd8x48AVX512) where blocks of 8 compute no more
// channels than blocks of 6 (convFwd6x64AVX512) would and K is 18 or
// more, else 6. With 9 taps the stores bound both kernels, and the
// 6-channel one, which writes each row 64 values at a time, is the faster:
// 1→32 at 128², batch 8, 0.48 against 0.55 ms. From 18 taps the FMAs bound
// them, and blocks of 8 pad fewer channels (16 and 32 fill whole blocks
// where blocks of 6 compute 18 and 36): 1→16 at 48³, batch 2, 0.84 → 0.78
// ms; 1→32 1.54 → 1.41; 3→32 at 128², batch 8, 0.94 → 0.87 (medians of
// 60 alternating calls).
func smallFwdRows(cout, K int) int {
	if K >= 18 && ceilDiv(cout, 8)*8 <= ceilDiv(cout, 6)*6 {
		return 8
	}
	return 6
}

type directSmallFwdJob directFwdJob

// packSmallFwd packs w (cout rows of K taps) for the few-channel forward
// kernel of blocks of rows channels into dst: tap-major, the last block
// padded with zeros.
func packSmallFwd(dst, w []float32, cout, K, rows int) {
	clear(dst)
	for co := 0; co < cout; co++ {
		b, c := co/rows, co%rows
		for p, v := range w[co*K : (co+1)*K] {
			dst[(b*K+p)*rows+c] = v
		}
	}
}

// run computes the chunks [lo, hi) of output positions 64 at a time (4
// vectors of 16, each inside an output row, as the output rows are a
// multiple of 16 long), or 48 for blocks of 8 channels, all channels in
// one kernel call.
func (j *directSmallFwdJob) run(lo, hi int) {
	g, xp, y, chunk, chunks := &j.g, j.xp, j.y, j.chunk, j.chunks
	K, outVol := g.kdim, g.out[0]*g.out[1]*g.out[2]
	asm := j.ck.smallAsm
	nv := 4
	if j.rows == 8 {
		nv = 3
	}
	var q, yo [4]int32
	q3, yo3 := (*[3]int32)(q[:3]), (*[3]int32)(yo[:3])
	for u := lo; u < hi; u++ {
		n, o0 := u/chunks, u%chunks*chunk
		wq := min(chunk, outVol-o0)
		xn := xp[n*g.stride : (n+1)*g.stride]
		yn := y[n*g.cout*outVol : (n+1)*g.cout*outVol]
		for o := o0; o < o0+wq; o += 16 * nv {
			// Past the chunk's last vector the last one is repeated:
			// computed and stored again, the same values. A vector
			// that continues the previous one's row continues its
			// virtual positions too.
			for v := 0; v < nv; v++ {
				ov := min(o+16*v, o0+wq-16)
				if v > 0 && ov == int(yo[v-1])+16 && ov%g.out[2] != 0 {
					q[v] = q[v-1] + 16
				} else {
					qv, _ := g.run(ov, 16)
					q[v] = int32(qv)
				}
				yo[v] = int32(ov)
			}
			switch {
			case nv == 3 && j.nt:
				convFwd8x48NTAVX512(K, xn, q3, j.off, j.wp, j.bp, yn, outVol, yo3, g.cout)
			case nv == 3 && asm:
				convFwd8x48AVX512(K, xn, q3, j.off, j.wp, j.bp, yn, outVol, yo3, g.cout)
			case nv == 3:
				convFwd8x48Go(K, xn, q3, j.off, j.wp, j.bp, yn, outVol, yo3, g.cout)
			case j.nt:
				convFwd6x64NTAVX512(K, xn, &q, j.off, j.wp, j.bp, yn, outVol, &yo, g.cout)
			case asm:
				convFwd6x64AVX512(K, xn, &q, j.off, j.wp, j.bp, yn, outVol, &yo, g.cout)
			default:
				convFwd6x64Go(K, xn, &q, j.off, j.wp, j.bp, yn, outVol, &yo, g.cout)
			}
		}
	}
	if j.nt {
		sfence()
	}
}
