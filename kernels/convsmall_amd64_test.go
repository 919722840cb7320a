//go:build !purego

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// The few-channel cases of convTierCases must take the few-channel
// backward passes on the AVX-512 tier, or TestConvTiers would not test
// them; the others must not.
func TestConvSmallApplies(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	defer setTier(tierAVX512)()
	n, ndw := 0, 0
	for i, p := range convTierCases {
		_, ok := smallGeom(p)
		want := p.Cin <= smallMaxCin && len(p.In) >= 2 && p.Groups <= 1 && at(p.Stride, 0, 1) == 1 &&
			p.Kernel[len(p.In)-1] == 3 && p.Kernel[len(p.In)-2] == 3 &&
			at(p.Dilation, len(p.In)-1, 1) == 1 && at(p.Dilation, len(p.In)-2, 1) == 1
		if ok != want {
			t.Errorf("case %d %+v: few-channel path applies = %v, want %v", i, p, ok, want)
		}
		if ok {
			n++
			if p.Cin <= smallMaxCinDW {
				ndw++
			}
		}
	}
	if n < 10 || ndw < 6 {
		t.Errorf("only %d cases take the few-channel backward-data pass and %d its weight gradient", n, ndw)
	}
}

// The backward-data tile against a float64 reference and its Go twin:
// every row count, row ranges cut at either end, masks with holes at
// either end, several groups, beta 0 and 1, guard values around and
// between the rows it stores.
func TestConvDXTileAVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(31, 31))
	const ldr, ldd = 37, 21
	src := randF32(rng, 4000)
	for _, ng := range []int{0, 1, 3} {
		for nrows := 1; nrows <= 16; nrows++ {
			for _, sr := range [][2]int{{-2, 16}, {0, 16}, {-1, 3}, {2, 11}, {-2, 1}, {4, 4}} {
				s0, s1 := sr[0], min(sr[1], nrows)
				groups := make([]int32, ng)
				for g := range groups {
					groups[g] = int32(2*ldr + rng.IntN(3000))
				}
				w := randF32(rng, 9*ng)
				var masks [4]uint16
				for i := range masks {
					masks[i] = 0xffff
				}
				switch nrows % 3 {
				case 1:
					masks[0], masks[2], masks[3] = 0xfffe, 0x7fff, 0x3fff
				case 2:
					masks[1], masks[3] = 0x00ff, 0x01ff
				}
				base := 7
				beta := (nrows + ng) % 2
				dst, check := guarded((nrows-1)*ldd+16, nrows%16)
				for a := 0; a < nrows && beta == 1; a++ {
					for l := 0; l < 16; l++ {
						if masks[3]>>l&1 != 0 {
							dst[a*ldd+l] = float32(a - l)
						}
					}
				}
				want := make([]float32, len(dst))
				copy(want, dst)
				convDXTileAVX512(dst, ldd, nrows, src, base, ldr, s0, s1, groups, w, &masks, beta)
				convDXTileGo(want, ldd, nrows, src, base, ldr, s0, s1, groups, w, &masks, beta)
				for a := 0; a < nrows; a++ {
					for l := 0; l < 16; l++ {
						var ref float64
						for g := range groups {
							for kh := 0; kh < 3; kh++ {
								if s := a - kh; s < s0 || s >= s1 {
									continue
								}
								for tp := 0; tp < 3; tp++ {
									if masks[tp]>>l&1 != 0 {
										ref += float64(w[9*g+3*kh+tp]) * float64(src[base+int(groups[g])+(a-kh)*ldr+l-tp])
									}
								}
							}
						}
						i := a*ldd + l
						ref += float64(beta * (a - l))
						if masks[3]>>l&1 == 0 {
							ref = float64(guard)
						}
						if math.Abs(float64(dst[i])-ref) > 1e-4*(1+float64(9*ng)) {
							t.Fatalf("ng=%d nrows=%d s=[%d,%d): dst[%d][%d] = %v, want %v", ng, nrows, s0, s1, a, l, dst[i], ref)
						}
						if math.Abs(float64(want[i])-ref) > 1e-4*(1+float64(9*ng)) {
							t.Fatalf("ng=%d nrows=%d s=[%d,%d): Go twin dst[%d][%d] = %v, want %v", ng, nrows, s0, s1, a, l, want[i], ref)
						}
					}
					for l := 16; l < ldd && a < nrows-1; l++ {
						if dst[a*ldd+l] != guard {
							t.Fatalf("ng=%d nrows=%d: stray write at dst[%d][%d]", ng, nrows, a, l)
						}
					}
				}
				check(t, fmt.Sprintf("convDXTile ng=%d nrows=%d", ng, nrows))
			}
		}
	}
}

// The weight-gradient kernels (two and three channels) against a float64
// reference and their Go twins at row lengths around the vector width,
// one plane and several, adding to sums already there, with the lanes
// past a row's end checked to stay as they were and nothing past the
// channels' sums written (TestConvGuardPages runs the whole pass on guard
// pages).
func TestConvDWx9AVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(32, 32))
	for _, wo := range []int{1, 2, 7, 15, 16, 17, 31, 33, 48, 130} {
		for _, sh := range [][2]int{{1, 1}, {1, 3}, {3, 2}} {
			planes, rows := sh[0], sh[1]
			wp := wo + 2
			ldk := wp + 1
			plane := (rows+2*ldk/wp+1)*wp + 5
			x := randF32(rng, planes*plane+2*ldk+wp)
			vol := planes * rows * wo
			ldy := vol + 3
			dy := randF32(rng, 1+2*ldy+vol)
			chans := [][]float32{dy[1 : 1+vol], dy[1+ldy : 1+ldy+vol], dy[1+2*ldy : 1+2*ldy+vol]}
			for _, m := range []int{2, 3} {
				var got, want [432]float64
				for i := range got {
					got[i] = float64(i%7) - 3
					if i >= 144*m {
						got[i] = float64(guard)
					}
				}
				want = got
				if m == 2 {
					convDW2x9AVX512(chans[0], chans[1], x, planes, rows, wo, wp, plane, ldk, (*[288]float64)(got[:288]))
					convDW2x9Go(chans[0], chans[1], x, planes, rows, wo, wp, plane, ldk, (*[288]float64)(want[:288]))
				} else {
					convDW3x9AVX512(dy[1:1+2*ldy+vol], ldy, x, planes, rows, wo, wp, plane, ldk, &got)
					convDW3x9Go(dy[1:1+2*ldy+vol], ldy, x, planes, rows, wo, wp, plane, ldk, &want)
				}
				for c, d := range chans[:m] {
					for p := 0; p < 9; p++ {
						var sum, twin float64
						ref := 0.0
						for od := 0; od < planes; od++ {
							for oh := 0; oh < rows; oh++ {
								for ow := 0; ow < wo; ow++ {
									ref += float64(d[(od*rows+oh)*wo+ow]) * float64(x[od*plane+oh*wp+ow+p/3*ldk+p%3])
								}
							}
						}
						for l := 0; l < 16; l++ {
							i := 144*c + 16*p + l
							before := float64(i%7) - 3
							v := got[i]
							if l >= wo && v != before {
								t.Fatalf("%d channels, wo=%d: lane %d of tap %d is %v, want %v", m, wo, l, p, v, before)
							}
							sum += v - before
							twin += want[i] - before
						}
						tol := 1e-5 * (1 + math.Sqrt(float64(vol)))
						if math.Abs(sum-ref) > tol || math.Abs(twin-ref) > tol {
							t.Fatalf("%d channels, wo=%d planes=%d rows=%d: channel %d tap %d = %v (Go twin %v), want %v", m, wo, planes, rows, c, p, sum, twin, ref)
						}
					}
				}
				for i := 144 * m; i < len(got); i++ {
					if got[i] != float64(guard) {
						t.Fatalf("%d channels, wo=%d: stray write at acc[%d]", m, wo, i)
					}
				}
			}
		}
	}
}

// The few-channel forward kernels, through the caches and non-temporal,
// against a float64 reference and the Go twin for channel counts over one
// to three blocks and tap counts from none on, vectors next to each
// other, apart and repeated, with a bias and (blocks of 8) without, and
// with guard values around and between the rows they store. The
// non-temporal kernels' vectors start on 64-byte lines, as their callers
// guarantee.
func TestConvFwdSmallAVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(34, 34))
	x := randF32(rng, 3000)
	// The kernels behind one signature: q and yo hold 4 vectors for
	// blocks of 6, the first 3 for blocks of 8.
	type kernel func(k int, x []float32, q *[4]int32, off []int32, w, b []float32, y []float32, ldy int, yo *[4]int32, cout int)
	of8 := func(f func(k int, x []float32, q *[3]int32, off []int32, w, b []float32, y []float32, ldy int, yo *[3]int32, cout int)) kernel {
		return func(k int, x []float32, q *[4]int32, off []int32, w, b []float32, y []float32, ldy int, yo *[4]int32, cout int) {
			f(k, x, (*[3]int32)(q[:3]), off, w, b, y, ldy, (*[3]int32)(yo[:3]), cout)
		}
	}
	kernels := []struct {
		name    string
		f, twin kernel
		rows    int
		ldy, n  int // row stride and the stored length of the last row
		yo      [4]int32
		aligned bool
	}{
		{"convFwd6x64AVX512", convFwd6x64AVX512, convFwd6x64Go, 6, 90, 86, [4]int32{0, 37, 16, 70}, false},
		{"convFwd6x64NTAVX512", convFwd6x64NTAVX512, convFwd6x64Go, 6, 96, 96, [4]int32{0, 48, 16, 80}, true},
		{"convFwd6x64NTAVX512 repeated", convFwd6x64NTAVX512, convFwd6x64Go, 6, 64, 48, [4]int32{0, 16, 32, 32}, true},
		{"convFwd8x48AVX512", of8(convFwd8x48AVX512), of8(convFwd8x48Go), 8, 75, 69, [4]int32{0, 53, 21}, false},
		{"convFwd8x48NTAVX512", of8(convFwd8x48NTAVX512), of8(convFwd8x48Go), 8, 80, 80, [4]int32{32, 0, 64}, true},
		{"convFwd8x48NTAVX512 repeated", of8(convFwd8x48NTAVX512), of8(convFwd8x48Go), 8, 48, 48, [4]int32{0, 32, 32}, true},
	}
	for _, kn := range kernels {
		nv := 4
		if kn.rows == 8 {
			nv = 3
		}
		for _, k := range []int{0, 1, 9, 27, 100} {
			for _, cout := range []int{1, 2, 5, 6, 7, 8, 9, 12, 13, 16, 17, 24} {
				for _, withBias := range []bool{true, false} {
					if !withBias && kn.rows == 6 {
						continue // blocks of 6 always read a bias
					}
					off := make([]int32, k)
					for p := range off {
						off[p] = int32(rng.IntN(2000))
					}
					blocks := ceilDiv(cout, kn.rows) * kn.rows
					w := randF32(rng, blocks*k)
					var b []float32
					if withBias {
						b = make([]float32, blocks)
						copy(b, randF32(rng, cout))
					}
					q := [4]int32{int32(rng.IntN(900)), int32(rng.IntN(900)), 5, int32(rng.IntN(900))}
					yo, ldy := kn.yo, kn.ldy
					n := (cout-1)*ldy + kn.n
					lead := (k + cout) % 16
					buf := make([]float32, n+lead+16+19)
					if kn.aligned {
						lead = 16 - int(uintptr(unsafe.Pointer(&buf[0]))%64/4)
					}
					y, check := guardedIn(buf, lead, n)
					want := make([]float32, len(y))
					copy(want, y)
					kn.f(k, x, &q, off, w, b, y, ldy, &yo, cout)
					kn.twin(k, x, &q, off, w, b, want, ldy, &yo, cout)
					name := fmt.Sprintf("%s k=%d cout=%d bias=%v", kn.name, k, cout, withBias)
					for c := 0; c < cout; c++ {
						for i := 0; i < ldy && (c+1 < cout || i < kn.n); i++ {
							ref := float64(guard)
							for v := nv - 1; v >= 0; v-- {
								if l := i - int(yo[v]); l >= 0 && l < 16 {
									ref = 0
									if withBias {
										ref = float64(b[c])
									}
									for p := 0; p < k; p++ {
										ref += float64(w[(c/kn.rows*k+p)*kn.rows+c%kn.rows]) * float64(x[int(q[v])+int(off[p])+l])
									}
									break
								}
							}
							tol := 1e-5 * (1 + float64(k))
							if got := float64(y[c*ldy+i]); math.Abs(got-ref) > tol {
								t.Fatalf("%s: y[%d][%d] = %v, want %v", name, c, i, got, ref)
							}
							if got := float64(want[c*ldy+i]); math.Abs(got-ref) > tol {
								t.Fatalf("%s: Go twin y[%d][%d] = %v, want %v", name, c, i, got, ref)
							}
						}
					}
					check(t, name)
				}
			}
		}
	}
}

// The few-channel forward stores large outputs non-temporally: with the
// threshold at one byte, the forward of the cases that take that path
// (the few-channel cases of convTierCases with rows of whole vectors, in
// blocks of 6 and 8 channels)
// into an output on a line boundary must equal, bit for bit, the same
// forward stored through the caches, and both a float64 reference.
func TestConvSmallNT(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	defer setTier(tierAVX512)()
	defer func(old int) { normNTMin = old }(normNTMin)
	rng := rand.New(rand.NewPCG(35, 35))
	n := 0
	rows := map[int]int{}
	for ci, p := range convTierCases {
		out := p.Out()
		if p.Cin > smallMaxCin || out[len(out)-1]%16 != 0 || p.Cout > bcastMaxCout || 4*p.Cout <= convKern.mk.mr || (len(p.Stride) > 0 && prod(p.Stride) > 1) {
			continue
		}
		n++
		name := fmt.Sprintf("case %d %+v", ci, p)
		kvol, outVol := prod(p.Kernel), prod(out)
		rows[smallFwdRows(p.Cout, p.Cin*kvol)]++
		x := randF32(rng, p.N*p.Cin*prod(p.In))
		w := randF32(rng, p.Cout*p.Cin*kvol)
		bias := randF32(rng, p.Cout)
		ylen := p.N * p.Cout * outVol
		buf := make([]float32, ylen+16)
		lead := (16 - int(uintptr(unsafe.Pointer(&buf[0]))%64/4)) % 16
		yNT := buf[lead:][:ylen]
		normNTMin = 1
		if !smallNT(yNT) {
			t.Fatalf("%s: smallNT false for an output on a line boundary", name)
		}
		ConvForward(p, x, w, bias, yNT)
		normNTMin = 1 << 62
		y := make([]float32, ylen)
		ConvForward(p, x, w, bias, y)
		for i := range y {
			if math.Float32bits(y[i]) != math.Float32bits(yNT[i]) {
				t.Fatalf("%s: non-temporal y[%d] = %v, through the caches %v", name, i, yNT[i], y[i])
			}
		}
		y64 := make([]float64, ylen)
		ConvForward(p, tierTo64(x), tierTo64(w), tierTo64(bias), y64)
		closeTo(t, name+" forward", yNT, y64, float64(p.Cin*kvol))
	}
	if n < 2 || rows[6] == 0 || rows[8] == 0 {
		t.Fatalf("%d few-channel cases with whole-vector rows, %d in blocks of 6 channels and %d of 8, want at least 2 and both", n, rows[6], rows[8])
	}
}

// Every convolution case with the few-channel passes' Go twins in place
// of their AVX-512 kernels (TestConvTiers runs the kernels).
func TestConvSmallGo(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	defer setTier(tierAVX512)()
	old := convKern
	k := *convKern
	k.smallAsm, k.alt = false, nil
	convKern = &k
	defer func() { convKern = old }()
	checkConvAll(t, rand.New(rand.NewPCG(33, 33)))
}
