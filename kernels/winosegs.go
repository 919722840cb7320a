package kernels

import "math"

// The layouts of runs of tiles for the transform kernels that load tile
// rows whole (winoOutSegsAVX512, winoInSegsAVX512, winoDySegsAVX512)
// instead of gathering or scattering each tile's values: 16 tiles of a
// 3D U-Net's slices (12, 6 or 3 tiles a row) lie in two to six tile rows.

// winoSegs describes n ≤ 16 consecutive tiles of planes of tx tiles a row
// as the runs of them that lie in one tile row, for the output transform:
// 16 tiles that cross a tile row (every 16 where a row has fewer, as in
// the 3D U-Nets' planes of 48 values) cannot take the row kernel, and
// scattering each tile's 4×4 block cost 2.5 times its 16-tile row stores
// (90 against 36 ns a call). Run i holds tiles[i] tiles whose
// first block is at(i) values into the plane; off[i] is the byte offset
// at which lane 0's block would be, were all 16 lanes in that run (at
// less 4 values a lane before the run's first, so possibly negative); and
// mask[i] has bit 4l+j set for each lane l of the run and j < 4: the
// store masks of a row's four vectors of 16 values, 16 bits each. The
// kernel reads n, off and mask as they lie.
type winoSegs struct {
	n     int
	off   [8]int64
	mask  [8]uint64
	at    [8]int
	tiles [8]int
}

// set lays out the n tiles from number t0 (numbered in images of whole
// tile rows) whose blocks are at off[0…n−1] in planes of tx tiles a row;
// false if they span more than eight rows.
func (s *winoSegs) set(off []int32, t0, n, tx int) bool {
	_ = off[n-1]
	s.n = 0
	for a := 0; a < n; {
		b := min(n, a+tx-(t0+a)%tx)
		if s.n == len(s.off) {
			return false
		}
		s.at[s.n], s.tiles[s.n] = int(off[a]), b-a
		s.off[s.n] = 4 * (int64(off[a]) - 4*int64(a))
		// (A shift by 64 gives 0: b = 16 takes all bits from 4a up.)
		s.mask[s.n] = (uint64(1)<<(4*b) - 1) &^ (uint64(1)<<(4*a) - 1)
		s.n++
		a = b
	}
	return true
}

// winoOutSegsGo is the pure-Go twin of winoOutSegsAVX512: winoOutputGo
// on the runs' tiles.
func winoOutSegsGo(m []float32, ms, w int, bias float32, y []float32, s winoSegs, tmp *winoTmp) {
	var off [16]int32
	l := 0
	for i := range s.n {
		for t := range s.tiles[i] {
			off[l] = int32(s.at[i] + 4*t)
			l++
		}
	}
	winoOutputGo(m, ms, off[:], l, w, bias, y, tmp)
}

// winoInSegs lays out, for the input transform, n ≤ 16 tiles from
// number t0 of a plane (ty×tx tiles, rows of w values) in runs of
// consecutive tiles, each in one tile row. The kernel (winoInSegsAVX512)
// loads each of the tiles' six rows as one row of 66 values in which lane
// l's tile starts at value 4l, as in a plane wide enough for all 16 side
// by side. Each of that row's five vectors takes its values from up to
// two runs, each from its own place: from offP[v] bytes past the row's
// start in the plane through maskP[k][v], then, where bit v of hasS is
// set, from offS[v] through maskS[k][v], where k is 0 for the tiles'
// first row, 1 for the middle four and 2 for the last (the masks leave
// out what lies outside the image).
//
// A run but the last ends its tile row, so its last tile's value past the
// image is zero (keep clears the lanes of those tiles), and its value
// before that, which the row puts in the next run's place, is loaded by
// itself: fix[i] bytes past the row's start, through fixMask[k][i], for
// each of the nfix runs but the last. The kernel reads the fields up to
// store as they lie.
type winoInSegs struct {
	nfix    int
	offP    [5]int64
	offS    [5]int64
	fix     [7]int64
	maskP   [3][5]uint16
	maskS   [3][5]uint16
	fixMask [3][7]uint16
	hasS    uint16
	keep    uint16
	store   uint16 // the n lanes
	// The tiles' corners and numbering, for winoInSegsGo; the first and
	// one past the last value of the plane read.
	corner        [16]int32
	zero          uint16 // lanes whose tiles are zeros (winoPlanes.zero)
	t0, n, ty, tx int
	lo, hi        int
}

// set lays out n tiles, numbered from t0 image by image in images of
// ty×tx tiles with rows of w values, lane i's corner at off[i], the
// tiles of the lanes set in zero being zeros (whole images of them);
// false if they span more than eight tile rows, if a vector of the row
// would take values from more than two runs (tile rows of one or two
// tiles), or if every lane is in zero.
func (s *winoInSegs) set(off []int32, t0, n, ty, tx, w int, zero uint16) bool {
	*s = winoInSegs{store: uint16(1<<n - 1), keep: 0xffff, zero: zero, t0: t0, n: n, ty: ty, tx: tx, lo: math.MaxInt, hi: math.MinInt}
	copy(s.corner[:], off[:n])
	t1 := ty * tx
	var taken [5]int // runs that each vector takes values from
	for a := 0; a < n; {
		r, c := (t0+a)%t1/tx, (t0+a)%tx
		b := min(n, a+tx-c)
		if zero>>a&1 != 0 {
			// Nothing loaded: the row is zero there but for the next
			// run's first values, which its last tile must not take.
			if b < n {
				s.keep &^= 1 << (b - 1)
			}
			a = b
			continue
		}
		anchor := int(off[a]) - 4*a
		lo, hi := 4*a, 4*b+2
		if c == 0 {
			lo++ // the column left of the image
		}
		if (t0+b-1)%tx == tx-1 {
			hi-- // the column right of it
		}
		// Whether the run's first and last rows lie inside the image.
		rows := [3]uint16{0, 0xffff, 0}
		first, last := 1, 4
		if r > 0 {
			rows[0], first = 0xffff, 0
		}
		if r < ty-1 {
			rows[2], last = 0xffff, 5
		}
		if b < n {
			// The row's values from 4b on are the next run's; the one
			// this run's last tile still needs is loaded by itself.
			if s.nfix == len(s.fix) {
				return false
			}
			hi = 4 * b
			s.keep &^= 1 << (b - 1)
			s.fix[s.nfix] = 4 * int64(anchor+4*b-(b-1))
			for k := range rows {
				s.fixMask[k][s.nfix] = rows[k] & (1 << (b - 1))
			}
			s.nfix++
		}
		for v := lo / 16; v <= (hi-1)/16; v++ {
			m := uint16(uint32(1)<<(min(hi, 16*v+16)-16*v)-1) &^ uint16(uint32(1)<<(max(lo, 16*v)-16*v)-1)
			off, mask := &s.offP[v], &s.maskP
			switch taken[v] {
			case 1:
				off, mask = &s.offS[v], &s.maskS
				s.hasS |= 1 << v
			case 2:
				return false
			}
			taken[v]++
			*off = 4 * int64(anchor+16*v)
			for k := range rows {
				mask[k][v] = m & rows[k]
			}
		}
		s.lo = min(s.lo, anchor+first*w+lo)
		s.hi = max(s.hi, anchor+last*w+max(hi, 4*b+1))
		a = b
	}
	return s.lo <= s.hi
}

// winoInSegsGo is the pure-Go twin of winoInSegsAVX512: winoInputGo on
// the runs' tiles.
func winoInSegsGo(x []float32, s *winoInSegs, w int, v []float32, vs int, tmp *winoTmp) {
	var edges uint64
	for i := range s.n {
		edges |= winoEdges((s.t0+i)%(s.ty*s.tx), 1, s.ty, s.tx) << i
	}
	winoInputGo(x, s.corner[:], s.n, w, edges, v, vs, tmp)
	for i := range s.n {
		if s.zero>>i&1 != 0 {
			for xi := range winoPts {
				v[xi*vs+i] = 0
			}
		}
	}
}

// winoDySegs lays out, for the output gradient's transform, n ≤ 16
// blocks from number t0 of a plane (rows of tx blocks and w values) in
// runs of consecutive blocks, each in one row of blocks. The kernel
// (winoDySegsAVX512) loads each of the blocks' four rows as one row of 64
// values in which lane l's block starts at value 4l, as in a plane wide
// enough for all 16 side by side: vector v of that row from offP[v] bytes
// past the row's start through maskP[v], then, where bit v of hasS is
// set, from offS[v] through maskS[v]. The kernel reads the fields up to
// store as they lie.
type winoDySegs struct {
	offP, offS   [4]int64
	maskP, maskS [4]uint16
	hasS         uint16
	store        uint16 // the n lanes
	// The blocks' offsets, for winoDySegsGo; the first and one past the
	// last value of the plane read.
	corner [16]int32
	n      int
	lo, hi int
}

// set lays out n blocks, numbered from t0 in rows of tx blocks (images
// of whole rows), lane i's block at off[i]; false if a vector of the row
// would take values from more than two runs (rows of one or two blocks).
func (s *winoDySegs) set(off []int32, t0, n, tx, w int) bool {
	*s = winoDySegs{store: uint16(1<<n - 1), n: n, lo: math.MaxInt, hi: math.MinInt}
	copy(s.corner[:], off[:n])
	var taken [4]int
	for a := 0; a < n; {
		b := min(n, a+tx-(t0+a)%tx)
		anchor := int(off[a]) - 4*a
		lo, hi := 4*a, 4*b
		for v := lo / 16; v <= (hi-1)/16; v++ {
			m := uint16(uint32(1)<<(min(hi, 16*v+16)-16*v)-1) &^ uint16(uint32(1)<<(max(lo, 16*v)-16*v)-1)
			switch taken[v] {
			case 0:
				s.offP[v], s.maskP[v] = 4*int64(anchor+16*v), m
			case 1:
				s.offS[v], s.maskS[v] = 4*int64(anchor+16*v), m
				s.hasS |= 1 << v
			default:
				return false
			}
			taken[v]++
		}
		s.lo = min(s.lo, anchor+lo)
		s.hi = max(s.hi, anchor+3*w+hi)
		a = b
	}
	return true
}

// winoDySegsGo is the pure-Go twin of winoDySegsAVX512: winoDyGo on the
// runs' blocks.
func winoDySegsGo(dy []float32, s *winoDySegs, w int, v []float32, vs int, tmp *winoTmp) {
	winoDyGo(dy, s.corner[:], s.n, w, v, vs, tmp)
}

// winoAcrossSegs says which of a winoAcross run's layouts for the input
// transform (winoInSegs, in tmp.inSegs(1+class)) are laid out, for the
// first channel of each class (winoPlanes.class) that asks, and which of
// those the kernel takes.
type winoAcrossSegs struct {
	laid, ok [3]bool
}

// in is r.in, through the class's layout where it has one.
func (a *winoAcrossSegs) in(k winoKernels, r winoAcross, pl *winoPlanes, x []float32, offX []int32, wd, cin, c int, v []float32, vs int, tmp *winoTmp) {
	if k.inSegs == nil {
		r.in(k, pl, x, offX, wd, cin, c, v, vs, tmp)
		return
	}
	cls, shift := pl.class(cin, c)
	s := tmp.inSegs(1 + cls)
	if !a.laid[cls] {
		// Channel cls's tiles, its lanes in pl's zero plane left out.
		var off [16]int32
		var zero uint16
		for i := range r.n {
			p, ok := pl.inAt(cin, (r.t+i)/r.t1, cls)
			if !ok {
				zero |= 1 << i
			}
			off[i] = int32(p + int(offX[(r.t+i)%r.t1]))
		}
		a.ok[cls] = s.set(off[:], r.t, r.n, r.ty, r.tx, wd, zero)
		a.laid[cls] = true
	}
	if !a.ok[cls] {
		r.in(k, pl, x, offX, wd, cin, c, v, vs, tmp)
		return
	}
	k.inSegs(x[shift:], s, wd, v, vs, tmp)
}
