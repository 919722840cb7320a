//go:build !purego

package kernels

import (
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"strings"
	"testing"
	"unsafe"
)

// alignedGuarded is guarded's output starting on a 64-byte line.
func alignedGuarded(n int) ([]float32, func(t *testing.T, what string)) {
	buf := make([]float32, n+64)
	off := 16
	for uintptr(unsafe.Pointer(&buf[off]))%64 != 0 {
		off++
	}
	return guardedIn(buf, off, n)
}

// ntTiers pairs each tier's non-temporal output kernels with the tier's
// own, for the tiers this CPU can run.
func ntTiers() map[string]struct {
	nt  normOut
	own *memKernels
} {
	ts := map[string]struct {
		nt  normOut
		own *memKernels
	}{}
	if hasAVX2FMA {
		ts["avx2"] = struct {
			nt  normOut
			own *memKernels
		}{normOutNTAVX2, &memAVX2}
	}
	if hasAVX512 {
		ts["avx512"] = struct {
			nt  normOut
			own *memKernels
		}{normOutNTAVX512, &memAVX512}
	}
	return ts
}

// The non-temporal output kernels against their tier's twins, bit for
// bit, on the edge lengths and every start offset of the inputs.
func TestNormNTKernels(t *testing.T) {
	if len(ntTiers()) == 0 {
		t.Skip("no AVX2+FMA on this CPU")
	}
	for name, k := range ntTiers() {
		t.Run(name, func(t *testing.T) { testNormNTKernels(t, k.nt, k.own) })
	}
}

func testNormNTKernels(t *testing.T, nt normOut, own *memKernels) {
	rng := rand.New(rand.NewPCG(11, 11))
	for _, n := range append(edgeSizes, 1000) {
		for off := 0; off < 16; off++ {
			what := fmt.Sprintf("n=%d off=%d", n, off)
			u, v := randF32(rng, n+16), randF32(rng, n+16)
			u, v = u[off:off+n], v[off:off+n]
			w := randF32(rng, n)
			want := make([]float32, n)
			eq := func(kname string, got []float32) {
				t.Helper()
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("%s %s: [%d] = %v, want %v", what, kname, i, got[i], want[i])
					}
				}
			}
			// With slope 1 and with a LeakyReLU fused in.
			for _, slope := range []float32{1, 0.01} {
				y, check := alignedGuarded(n)
				s1, q1 := nt.sumSqAxpb(y, v, 1.5, -0.25, w, slope)
				check(t, what+" sumSqAxpbNT")
				s2, q2 := own.sumSqAxpb(want, v, 1.5, -0.25, w, slope)
				if s1 != s2 || q1 != q2 {
					t.Fatalf("%s: sumSqAxpbNT sums %v %v, want %v %v", what, s1, q1, s2, q2)
				}
				eq("sumSqAxpbNT", y)
			}

			d, check := alignedGuarded(n)
			a1, b1 := nt.sumDotAxpbyc(d, v, w, 2, -3, 0.5, w, u)
			check(t, what+" sumDotAxpbycNT")
			a2, b2 := own.sumDotAxpbyc(want, v, w, 2, -3, 0.5, w, u)
			if a1 != a2 || b1 != b2 {
				t.Fatalf("%s: sumDotAxpbycNT sums %v %v, want %v %v", what, a1, b1, a2, b2)
			}
			eq("sumDotAxpbycNT", d)

			for _, slope := range []float32{1, 0.01} {
				y, check := alignedGuarded(n)
				nt.axpb(y, u, -0.75, 2, slope)
				check(t, what+" axpbNT")
				own.axpb(want, u, -0.75, 2, slope)
				eq("axpbNT", y)
			}

			d, check = alignedGuarded(n)
			nt.axpbyc(d, u, v, 2, -3, 0.5)
			check(t, what+" axpbycNT")
			own.axpbyc(want, u, v, 2, -3, 0.5)
			eq("axpbycNT", d)
		}
	}
}

// The AVX2 non-temporal kernels use no AVX-512 register (the ISA test
// scans only the kernels the AVX2 tier installs in mk).
func TestNormNTAVX2ISA(t *testing.T) {
	src, err := os.ReadFile("norm_nt_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, fn := range strings.Split(string(src), "\nTEXT ")[1:] {
		name, body, _ := strings.Cut(fn, "\n")
		if !strings.Contains(name, "NTAVX2(") {
			continue
		}
		n++
		if ins := regexp.MustCompile(`\b([XYZ]MM)?(Z\d+|K[1-7])\b`).FindString(body); ins != "" {
			t.Errorf("%s uses an AVX-512 register: %s", name, ins)
		}
	}
	if n != 4 {
		t.Errorf("found %d AVX2 non-temporal kernels, want 4", n)
	}
}

// Batch and group norm with their outputs stored non-temporally give the
// same bits as with the outputs stored through the cache, at every worker
// count (planes a multiple of 16 long, so the path is taken).
func TestNormNTHooks(t *testing.T) {
	defer func(old int) { normNTMin = old }(normNTMin)
	for _, tr := range availableTiers() {
		if tr == tierGeneric {
			continue
		}
		t.Run(tr.String(), func(t *testing.T) {
			defer setTier(tr)()
			testNormNTHooks(t)
		})
	}
}

func testNormNTHooks(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	for _, sh := range [][3]int{{2, 6, 48}, {3, 4, 1024}, {1, 2, 16}} {
		n, c, s := sh[0], sh[1], sh[2]
		x, dy := randF32(rng, n*c*s), randF32(rng, n*c*s)
		g, b := randF32(rng, c), randF32(rng, c)
		run := func() [][]float32 {
			var outs [][]float32
			y, _ := alignedGuarded(n * c * s)
			dx, _ := alignedGuarded(n * c * s)
			mean, invstd := make([]float32, n*c), make([]float32, n*c)
			dg, db := make([]float32, c), make([]float32, c)
			BatchNormForward(n, c, s, x, g, b, 1e-5, y, mean[:c], invstd[:c])
			BatchNormBackward(n, c, s, x, dy, g, mean[:c], invstd[:c], dx, dg, db)
			outs = append(outs, clone(y), clone(dx), clone(dg), clone(db))
			for _, groups := range []int{c, c / 2} {
				GroupNormForward(n, c, s, groups, x, g, b, 1e-5, y, mean[:n*groups], invstd[:n*groups])
				GroupNormBackward(n, c, s, groups, x, dy, g, mean[:n*groups], invstd[:n*groups], dx, dg, db)
				outs = append(outs, clone(y), clone(dx), clone(dg), clone(db))
			}
			return outs
		}
		normNTMin = 1 << 62
		want := run()
		normNTMin = 1
		if y, _ := alignedGuarded(n * c * s); !normOutFor(y, s).nt {
			t.Fatalf("%v: the non-temporal kernels are not chosen", sh)
		}
		withWorkers(t, func(t *testing.T) {
			for i, got := range run() {
				for j := range got {
					if got[j] != want[i][j] {
						t.Fatalf("%v: output %d [%d] = %v with non-temporal stores, %v without", sh, i, j, got[j], want[i][j])
					}
				}
			}
		})
	}
}

func clone(s []float32) []float32 { return append([]float32(nil), s...) }
