//go:build !purego

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// TestWinoInSegsAVX512 checks the input transform of tiles in runs of
// tile rows against winoInputGo, for planes of 1 to 20 tiles a row, every
// start and 16 or fewer tiles, with NaN around the plane (a value read
// outside it spoils the tile) and guard values around the lanes written.
func TestWinoInSegsAVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512")
	}
	r := rand.New(rand.NewPCG(11, 12))
	var tmp winoTmp
	taken, multi := 0, 0
	for tx := 1; tx <= 20; tx++ {
		w := 4*tx + tx%3 // a row longer than its tiles, at times
		ty := 16/tx + 3
		plane := 4 * ty * w
		x := nanPadded(r, plane)
		off := make([]int32, ty*tx)
		for i := range off {
			off[i] = int32((4*(i/tx)-1)*w + 4*(i%tx) - 1)
		}
		for _, n := range []int{16, 15, 9, 1} {
			for t0 := 0; t0+n <= ty*tx; t0++ {
				var s winoInSegs
				if !s.set(off[t0:], t0, n, ty, tx, w, 0) {
					// Rows of two tiles take it in runs of two, from an
					// even start.
					if n == 16 && (tx >= 3 || tx == 2 && t0%2 == 0) {
						t.Fatalf("tx %d, t0 %d: 16 tiles not laid out", tx, t0)
					}
					continue
				}
				taken++
				if s.nfix > 0 {
					multi++
				}
				name := fmt.Sprintf("tx %d, t0 %d, %d tiles in %d runs", tx, t0, n, s.nfix+1)
				vs := 16 + 3
				v := make([]float32, 36*vs)
				for i := range v {
					v[i] = guard
				}
				winoInputSegsAVX512(x, &s, w, v, vs, &tmp)
				want := make([]float32, 36*vs)
				winoInputGo(x, off[t0:], n, w, winoEdges(t0, n, ty, tx), want, vs, &tmp)
				for xi := range 36 {
					for l := range vs {
						got, wv := v[xi*vs+l], want[xi*vs+l]
						if l >= n {
							if got != guard {
								t.Fatalf("%s: point %d lane %d written: %v", name, xi, l, got)
							}
							continue
						}
						if d := math.Abs(float64(got - wv)); !(d <= 1e-5*(1+math.Abs(float64(wv)))) {
							t.Fatalf("%s: point %d lane %d = %v, want %v", name, xi, l, got, wv)
						}
					}
				}
				// The Go twin reads the layout the same way.
				twin := make([]float32, 36*vs)
				winoInSegsGo(x, &s, w, twin, vs, &tmp)
				for i := range twin {
					if i%vs < n && twin[i] != want[i] {
						t.Fatalf("%s: twin [%d] = %v, want %v", name, i, twin[i], want[i])
					}
				}
			}
		}
	}
	if taken < 500 || multi < 300 {
		t.Fatalf("only %d layouts took the kernel, %d of them in several runs", taken, multi)
	}
}

// TestWinoInSegsAcross checks runs of tiles across small images (as
// winoAcross takes them), some images being all zeros, against
// winoInputGo.
func TestWinoInSegsAcross(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512")
	}
	r := rand.New(rand.NewPCG(13, 14))
	var tmp winoTmp
	taken := 0
	for _, tx := range []int{3, 4, 5, 6, 7} {
		for _, ty := range []int{1, 2, 3} {
			w, t1 := 4*tx, ty*tx
			imgs := 16/t1 + 3
			hw := 4 * ty * w
			x := nanPadded(r, imgs*hw)
			for t0 := 0; t0+16 <= imgs*t1; t0++ {
				var off [16]int32
				var zero uint16
				zeroImg := r.IntN(imgs + 1) // one image of zeros, or none
				for i := range off {
					img, tl := (t0+i)/t1, (t0+i)%t1
					off[i] = int32(img*hw + (4*(tl/tx)-1)*w + 4*(tl%tx) - 1)
					if img == zeroImg {
						zero |= 1 << i
					}
				}
				var s winoInSegs
				if !s.set(off[:], t0, 16, ty, tx, w, zero) {
					continue
				}
				taken++
				name := fmt.Sprintf("%d×%d tiles, t0 %d, zeros %016b", ty, tx, t0, zero)
				v := make([]float32, 36*16)
				winoInputSegsAVX512(x, &s, w, v, 16, &tmp)
				want := make([]float32, 36*16)
				var edges uint64
				for i := range 16 {
					edges |= winoEdges((t0+i)%t1, 1, ty, tx) << i
				}
				winoInputGo(x, off[:], 16, w, edges, want, 16, &tmp)
				for i := range want {
					if zero>>(i%16)&1 != 0 {
						want[i] = 0
					}
					if d := math.Abs(float64(v[i] - want[i])); !(d <= 1e-5*(1+math.Abs(float64(want[i])))) {
						t.Fatalf("%s: point %d lane %d = %v, want %v", name, i/16, i%16, v[i], want[i])
					}
				}
			}
		}
	}
	if taken < 100 {
		t.Fatalf("only %d layouts took the kernel", taken)
	}
}

// TestWinoDySegsAVX512 checks the output gradient's transform of blocks in
// runs of block rows against winoDyGo, for planes of 1 to 20 blocks a
// row, every start and 16 or fewer blocks, with NaN around the plane and
// guard values around the lanes written.
func TestWinoDySegsAVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512")
	}
	r := rand.New(rand.NewPCG(17, 18))
	var tmp winoTmp
	taken, multi := 0, 0
	for tx := 1; tx <= 20; tx++ {
		w := 4*tx + tx%3
		ty := 16/tx + 3
		plane := 4 * ty * w
		dy := nanPadded(r, plane)
		off := make([]int32, ty*tx)
		for i := range off {
			off[i] = int32(4*(i/tx)*w + 4*(i%tx))
		}
		for _, n := range []int{16, 13, 1} {
			for t0 := 0; t0+n <= ty*tx; t0++ {
				var s winoDySegs
				if !s.set(off[t0:], t0, n, tx, w) {
					if tx >= 3 {
						t.Fatalf("tx %d, t0 %d: not laid out", tx, t0)
					}
					continue
				}
				taken++
				if s.hasS != 0 {
					multi++
				}
				name := fmt.Sprintf("tx %d, t0 %d, %d blocks", tx, t0, n)
				vs := 16 + 3
				v := make([]float32, 36*vs)
				for i := range v {
					v[i] = guard
				}
				winoDyTransformSegsAVX512(dy, &s, w, v, vs, &tmp)
				want := make([]float32, 36*vs)
				winoDyGo(dy, off[t0:], n, w, want, vs, &tmp)
				twin := make([]float32, 36*vs)
				winoDySegsGo(dy, &s, w, twin, vs, &tmp)
				for i := range v {
					if i%vs >= n {
						if v[i] != guard {
							t.Fatalf("%s: point %d lane %d written: %v", name, i/vs, i%vs, v[i])
						}
						continue
					}
					if d := math.Abs(float64(v[i] - want[i])); !(d <= 1e-5*(1+math.Abs(float64(want[i])))) {
						t.Fatalf("%s: point %d lane %d = %v, want %v", name, i/vs, i%vs, v[i], want[i])
					}
					if twin[i] != want[i] {
						t.Fatalf("%s: twin [%d] = %v, want %v", name, i, twin[i], want[i])
					}
				}
			}
		}
	}
	if taken < 500 || multi < 100 {
		t.Fatalf("only %d layouts took the kernel, %d with two runs in a vector", taken, multi)
	}
}

// TestWinoSegsLayout checks the field offsets that the segment kernels
// name (winoinsegs_amd64.s, winooutsegs_amd64.s, winodysegs_amd64.s)
// against the structs.
func TestWinoSegsLayout(t *testing.T) {
	var in winoInSegs
	var out winoSegs
	var dy winoDySegs
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"in.nfix", unsafe.Offsetof(in.nfix), 0},
		{"in.offP", unsafe.Offsetof(in.offP), 8},
		{"in.offS", unsafe.Offsetof(in.offS), 48},
		{"in.fix", unsafe.Offsetof(in.fix), 88},
		{"in.maskP", unsafe.Offsetof(in.maskP), 144},
		{"in.maskS", unsafe.Offsetof(in.maskS), 174},
		{"in.fixMask", unsafe.Offsetof(in.fixMask), 204},
		{"in.hasS", unsafe.Offsetof(in.hasS), 246},
		{"in.keep", unsafe.Offsetof(in.keep), 248},
		{"in.store", unsafe.Offsetof(in.store), 250},
		{"out.off", unsafe.Offsetof(out.off), 8},
		{"out.mask", unsafe.Offsetof(out.mask), 72},
		{"dy.offP", unsafe.Offsetof(dy.offP), 0},
		{"dy.offS", unsafe.Offsetof(dy.offS), 32},
		{"dy.maskP", unsafe.Offsetof(dy.maskP), 64},
		{"dy.maskS", unsafe.Offsetof(dy.maskS), 72},
		{"dy.hasS", unsafe.Offsetof(dy.hasS), 80},
		{"dy.store", unsafe.Offsetof(dy.store), 82},
	} {
		if c.got != c.want {
			t.Errorf("%s at byte %d, the kernel reads it at %d", c.name, c.got, c.want)
		}
	}
}

// nanPadded returns n random values in [−1, 1) between 64 NaNs on each
// side: a kernel that reads past them spoils its result.
func nanPadded(r *rand.Rand, n int) []float32 {
	buf := make([]float32, n+2*64)
	for i := range buf {
		buf[i] = float32(math.NaN())
	}
	x := buf[64 : 64+n]
	for i := range x {
		x[i] = r.Float32()*2 - 1
	}
	return x
}
