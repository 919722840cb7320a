//go:build !purego

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// The single-group cases of TestConvTiers, strided or not, must take the
// direct path on the AVX-512 tier, or that test would not be testing it.
func TestDirectConvApplies(t *testing.T) {
	for i, p := range convTierCases {
		_, ok := newDirectGeom(p, 32)
		want := p.Groups <= 1
		if ok != want {
			t.Errorf("case %d %+v: direct path applies = %v, want %v", i, p, ok, want)
		}
	}
}

// The 8×48 kernel, which only the convolutions pick, runs the whole GEMM
// test too, and both convolution kernels run the convolution test.
func TestAltKernels(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	defer setTier(tierAVX512)()
	defer func(old int) { sgemmMinWork = old }(sgemmMinWork)
	sgemmMinWork = 0
	saved := sgemmKernel
	sgemmKernel = kernel8x48AVX512
	t.Run("gemm8x48", func(t *testing.T) { checkGemmAll(t, rand.New(rand.NewPCG(14, 14))) })
	sgemmKernel = saved
	for _, k := range []*convKernel{convKernAVX512, convKernAVX512.alt} {
		old := convKern
		only := *k
		only.alt = nil
		convKern = &only
		t.Run(fmt.Sprintf("conv%dx%d", k.mk.mr, k.mk.nr), func(t *testing.T) { checkConvAll(t, rand.New(rand.NewPCG(15, 15))) })
		convKern = old
	}
}

func TestPickConvKernel(t *testing.T) {
	for _, c := range []struct{ m, mr int }{{16, 8}, {32, 8}, {64, 8}, {12, 12}, {24, 12}, {36, 12}, {5, 8}, {1, 8}, {13, 8}} {
		if got := convKernAVX512.pick(c.m).mk.mr; got != c.mr {
			t.Errorf("pick(%d) chose %d-row tiles, want %d", c.m, got, c.mr)
		}
	}
}

// The run gather against its Go twin: panels of 32 and 48 columns made of
// runs of every length from 1 on, at unaligned sources and columns, with
// guard values past the 15 elements of room it may write after the last
// row.
func TestGatherSegsAVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(16, 16))
	src := randF32(rng, 4000)
	for _, nr := range []int{32, 48} {
		for _, k := range []int{0, 1, 3, 17} {
			for _, run := range []int{1, 2, 7, 12, 15, 16, 17, 31, 33, 48} {
				for _, w := range []int{nr, nr - 5, 1} {
					var segs []int32
					for col := 0; col < w; col += run {
						n := min(run, w-col)
						segs = append(segs, int32(rng.IntN(1000)), int32(col), int32(n))
					}
					off := make([]int32, k)
					for p := range off {
						off[p] = int32(rng.IntN(2900))
					}
					want := make([]float32, k*nr)
					gatherSegsGo(want, src, off, k, nr, segs)
					got, check := guarded(k*nr+15, k%16)
					gatherSegsAVX512(got, src, off, k, nr, segs)
					for p := 0; p < k; p++ {
						for j := 0; j < w; j++ {
							if got[p*nr+j] != want[p*nr+j] {
								t.Fatalf("nr=%d k=%d run=%d w=%d: dst[%d][%d] = %v, want %v", nr, k, run, w, p, j, got[p*nr+j], want[p*nr+j])
							}
						}
					}
					check(t, fmt.Sprintf("gatherSegs nr=%d k=%d run=%d w=%d", nr, k, run, w))
				}
			}
		}
	}
}

// The weight-gradient tile against a float64 reference, at lengths around
// the vector width, with guard values between and after c's rows (the
// kernel adds into 4 values per row).
func TestConvDW4x4AVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(17, 17))
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1000} {
		const ldd, ldc = 1100, 7
		dy := randF32(rng, 3*ldd+n)
		x := randF32(rng, 3000)
		var off [4]int32
		for j := range off {
			off[j] = int32(rng.IntN(1900))
		}
		c, check := guarded(3*ldc+4, n%16)
		for i := 0; i < 4; i++ {
			for j := 0; j < 4; j++ {
				c[i*ldc+j] = float32(i - j)
			}
		}
		want := make([]float32, len(c))
		copy(want, c)
		convDW4x4Go(n, dy, ldd, x, &off, want, ldc)
		convDW4x4AVX512(n, dy, ldd, x, &off, c, ldc)
		for i := 0; i < 4; i++ {
			for j := 0; j < 4; j++ {
				var ref float64
				for q := 0; q < n; q++ {
					ref += float64(dy[i*ldd+q]) * float64(x[int(off[j])+q])
				}
				ref += float64(i - j)
				tol := 1e-5 * (1 + math.Sqrt(float64(n)))
				if got := float64(c[i*ldc+j]); math.Abs(got-ref) > tol {
					t.Fatalf("n=%d: c[%d][%d] = %v, want %v", n, i, j, got, ref)
				}
				if g := float64(want[i*ldc+j]); math.Abs(g-ref) > tol {
					t.Fatalf("n=%d: Go twin c[%d][%d] = %v, want %v", n, i, j, g, ref)
				}
			}
			for j := 4; j < ldc && i < 3; j++ {
				if c[i*ldc+j] != guard {
					t.Fatalf("n=%d: stray write at c[%d][%d]", n, i, j)
				}
			}
		}
		check(t, fmt.Sprintf("convDW4x4 n=%d", n))
	}
}

// The broadcast tile kernel against a float64 reference for every row
// count, with guard values between and after the rows it stores.
func TestConvBcast16AVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(18, 18))
	x := randF32(rng, 3000)
	for _, k := range []int{0, 1, 2, 7, 27, 100} {
		for rows := 1; rows <= 16; rows++ {
			off := make([]int32, k)
			for p := range off {
				off[p] = int32(rng.IntN(2900))
			}
			w := randF32(rng, 16*k)
			const ldy = 21
			y, check := guarded((rows-1)*ldy+16, (k+rows)%16)
			convBcast16AVX512(k, x, off, w, y, ldy, rows)
			want := make([]float32, len(y))
			convBcast16Go(k, x, off, w, want, ldy, rows)
			for j := 0; j < rows; j++ {
				for i := 0; i < 16; i++ {
					var ref float64
					for p := 0; p < k; p++ {
						ref += float64(x[int(off[p])+i]) * float64(w[p*16+j])
					}
					tol := 1e-5 * (1 + float64(k))
					if got := float64(y[j*ldy+i]); math.Abs(got-ref) > tol {
						t.Fatalf("k=%d rows=%d: y[%d][%d] = %v, want %v", k, rows, j, i, got, ref)
					}
					if g := float64(want[j*ldy+i]); math.Abs(g-ref) > tol {
						t.Fatalf("k=%d rows=%d: Go twin y[%d][%d] = %v, want %v", k, rows, j, i, g, ref)
					}
				}
				for i := 16; i < ldy && j < rows-1; i++ {
					if y[j*ldy+i] != guard {
						t.Fatalf("k=%d rows=%d: stray write at y[%d][%d]", k, rows, j, i)
					}
				}
			}
			check(t, fmt.Sprintf("convBcast16 k=%d rows=%d", k, rows))
		}
	}
}

// The transposed weight-gradient tiles against a float64 reference and
// their Go twin, over runs of every length from 1 on (none, one, many),
// with guard values between and after the rows they add into.
func TestConvDWTAVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(21, 21))
	x := randF32(rng, 3000)
	for _, width := range []int{16, 32} {
		nrows := 128 / width
		for _, n := range []int{0, 1, 2, 7, 16, 17, 100} {
			const ldd, ldc = 37, 41
			dyT := randF32(rng, n*ldd+width)
			rows := make([]int32, nrows)
			for r := range rows {
				rows[r] = int32(rng.IntN(2400))
			}
			// Runs of 1 to 20 positions covering dyT's n rows, each
			// from its own place in x.
			var segs []int32
			qOf := make([]int, n)
			for col := 0; col < n; {
				m := min(1+rng.IntN(20), n-col)
				q := rng.IntN(400)
				segs = append(segs, int32(q), int32(col), int32(m))
				for i := 0; i < m; i++ {
					qOf[col+i] = q + i
				}
				col += m
			}
			c, check := guarded((3*nrows-1)*ldc+width, (n+width)%16)
			for j := 0; j < 3*nrows; j++ {
				for i := 0; i < width; i++ {
					c[j*ldc+i] = float32(i - j)
				}
			}
			want := make([]float32, len(c))
			copy(want, c)
			convDWTGo(width, segs, dyT, ldd, x, rows, want, ldc)
			if width == 32 {
				convDWT32x12AVX512(segs, dyT, ldd, x, (*[4]int32)(rows), c, ldc)
			} else {
				convDWT16x24AVX512(segs, dyT, ldd, x, (*[8]int32)(rows), c, ldc)
			}
			for j := 0; j < 3*nrows; j++ {
				for i := 0; i < width; i++ {
					ref := float64(i - j)
					for q := 0; q < n; q++ {
						ref += float64(dyT[q*ldd+i]) * float64(x[int(rows[j/3])+j%3+qOf[q]])
					}
					tol := 1e-5 * (1 + float64(n))
					if got := float64(c[j*ldc+i]); math.Abs(got-ref) > tol {
						t.Fatalf("width=%d n=%d: c[%d][%d] = %v, want %v", width, n, j, i, got, ref)
					}
					if g := float64(want[j*ldc+i]); math.Abs(g-ref) > tol {
						t.Fatalf("width=%d n=%d: Go twin c[%d][%d] = %v, want %v", width, n, j, i, g, ref)
					}
				}
				for i := width; i < ldc && j < 3*nrows-1; i++ {
					if c[j*ldc+i] != guard {
						t.Fatalf("width=%d n=%d: stray write at c[%d][%d]", width, n, j, i)
					}
				}
			}
			check(t, fmt.Sprintf("convDWT width=%d n=%d", width, n))
		}
	}
}

// Every convolution case with the transposed weight gradient's Go twin in
// place of its AVX-512 kernels (TestConvTiers runs the kernels).
func TestConvDWTGo(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	defer setTier(tierAVX512)()
	old := convKern
	k := *convKern
	k.dwtAsm, k.alt = false, nil
	convKern = &k
	defer func() { convKern = old }()
	checkConvAll(t, rand.New(rand.NewPCG(22, 22)))
}

// The tiled forward's kernel against a float64 reference and its Go twin,
// beta 0 and 1, with windows of one part and of two (a row's end, a gap,
// the next row's start), in any order and repeated, with guard values
// around what it stores.
func TestConvTile8x48AVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(19, 19))
	x := randF32(rng, 3000)
	const ldc = 90
	// Windows as (n1, gap, n2): lanes [0, n1) to ci1, [n1+gap, n1+gap+n2)
	// to ci2 = ci1 − gap.
	shapes := [][3]int{{16, 0, 0}, {8, 2, 6}, {1, 2, 13}, {12, 2, 2}, {5, 0, 0}, {3, 4, 3}}
	for _, k := range []int{0, 1, 2, 7, 27, 144} {
		for _, beta := range []float32{0, 1} {
			for _, ci := range [][3]int{{2, 18, 40}, {50, 3, 22}, {37, 70, 70}} {
				var win [12]int32
				for v := 0; v < 3; v++ {
					sh := shapes[rng.IntN(len(shapes))]
					if v == 2 && ci[2] == ci[1] {
						// A repeated window, as the ragged last tile has.
						win[2], win[5], win[8], win[11] = win[1], win[4], win[7], win[10]
						continue
					}
					win[v] = int32(rng.IntN(900))
					win[3+v] = int32(ci[v])
					win[6+v] = int32(ci[v] - sh[1])
					win[9+v] = int32(uint32(1)<<sh[0] - 1 | (uint32(1)<<sh[2]-1)<<(sh[0]+sh[1]+16))
				}
				off := make([]int32, k)
				for p := range off {
					off[p] = int32(rng.IntN(2000))
				}
				a := randF32(rng, 8*k)
				c, check := guarded(7*ldc+90, (k+int(beta))%16)
				init := func(i, j int) float32 { return float32(i - j) }
				for i := 0; i < 8; i++ {
					for j := 0; j < ldc; j++ {
						c[i*ldc+j] = init(i, j)
					}
				}
				want := make([]float32, len(c))
				copy(want, c)
				convTile8x48AVX512(k, a, x, off, &win, c, ldc, beta)
				convTile8x48Go(k, a, x, off, &win, want, ldc, beta)
				// The lane stored last at each column decides it.
				from := make([][2]int, ldc)
				for col := range from {
					from[col] = [2]int{-1, -1}
				}
				for v := 0; v < 3; v++ {
					for j := 0; j < 16; j++ {
						if at, ok := winIndex(&win, v, j); ok {
							from[at] = [2]int{v, j}
						}
					}
				}
				for i := 0; i < 8; i++ {
					for col := 0; col < ldc; col++ {
						v, j := from[col][0], from[col][1]
						if v < 0 {
							if c[i*ldc+col] != init(i, col) {
								t.Fatalf("k=%d beta=%v win=%v: stray write at c[%d][%d]", k, beta, win, i, col)
							}
							continue
						}
						ref := float64(beta) * float64(init(i, col))
						for p := 0; p < k; p++ {
							ref += float64(a[p*8+i]) * float64(x[int(off[p])+int(win[v])+j])
						}
						tol := 1e-5 * (1 + float64(k))
						if got := float64(c[i*ldc+col]); math.Abs(got-ref) > tol {
							t.Fatalf("k=%d beta=%v win=%v: c[%d][%d] = %v, want %v", k, beta, win, i, col, got, ref)
						}
						if g := float64(want[i*ldc+col]); math.Abs(g-ref) > tol {
							t.Fatalf("k=%d beta=%v win=%v: Go twin c[%d][%d] = %v, want %v", k, beta, win, i, col, g, ref)
						}
					}
				}
				check(t, fmt.Sprintf("convTile8x48 k=%d beta=%v win=%v", k, beta, win))
			}
		}
	}
}

// Every convolution case with the tiled forward's Go twin in place of its
// AVX-512 kernel (TestConvTiers runs the kernel).
func TestConvTileGo(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	defer setTier(tierAVX512)()
	old := convKern
	k := *convKern
	k.tileAsm, k.alt = false, nil
	convKern = &k
	defer func() { convKern = old }()
	checkConvAll(t, rand.New(rand.NewPCG(23, 23)))
}

// The 16×16 transpose against its Go twin, with guard values around the
// rows it stores.
func TestConvTranspose16AVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(24, 24))
	for _, ld := range [][2]int{{16, 16}, {32, 100}, {21, 17}} {
		ldd, lds := ld[0], ld[1]
		src := randF32(rng, 15*lds+16)
		got, check := guarded(15*ldd+16, ldd%16)
		want := make([]float32, len(got))
		copy(want, got)
		convTranspose16AVX512(got, ldd, src, lds)
		convTranspose16Go(want, ldd, src, lds)
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("ldd=%d lds=%d: dst[%d] = %v, want %v", ldd, lds, i, got[i], want[i])
			}
		}
		for i := 0; i < 16; i++ {
			for c := 0; c < 16; c++ {
				if got[i*ldd+c] != src[c*lds+i] {
					t.Fatalf("ldd=%d lds=%d: dst[%d][%d] = %v, want %v", ldd, lds, i, c, got[i*ldd+c], src[c*lds+i])
				}
			}
		}
		check(t, fmt.Sprintf("convTranspose16 ldd=%d lds=%d", ldd, lds))
	}
}
