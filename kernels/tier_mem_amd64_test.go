//go:build !purego

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// The streaming kernels of mem_amd64.s against plain Go on the edge
// lengths and every start offset, with guards after the outputs.
func TestMemKernelsAVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(10, 10))
	for _, n := range append(edgeSizes, 1000) {
		for off := 0; off < 16; off++ {
			what := fmt.Sprintf("n=%d off=%d", n, off)
			u, v := randF32(rng, n+16), randF32(rng, n+16)
			u, v = u[off:off+n], v[off:off+n]
			var ws, wsq, wsa, wsab float64
			for i := range u {
				ws += float64(u[i])
				wsq += float64(u[i]) * float64(u[i])
				wsab += float64(u[i]) * float64(v[i])
			}
			wsa = ws
			s, sq := sumSqAVX512(u)
			sa, sab := sumDotAVX512(u, v)
			for _, c := range [][2]float64{{s, ws}, {sq, wsq}, {sa, wsa}, {sab, wsab}} {
				if math.Abs(c[0]-c[1]) > 1e-9*(1+math.Abs(c[1])) {
					t.Fatalf("%s: sum %v, want %v", what, c[0], c[1])
				}
			}
			y, check := guarded(n, off)
			axpbAVX512(y, u, 1.5, -0.25)
			check(t, what+" axpb")
			for i := range u {
				if want := u[i]*1.5 - 0.25; math.Abs(float64(y[i]-want)) > 1e-6 {
					t.Fatalf("%s: axpb[%d] = %v, want %v", what, i, y[i], want)
				}
			}
			z, checkZ := guarded(n, 15-off)
			axpbycAVX512(z, u, v, 2, -3, 0.5)
			checkZ(t, what+" axpbyc")
			for i := range u {
				if want := 2*u[i] - 3*v[i] + 0.5; math.Abs(float64(z[i]-want)) > 1e-5 {
					t.Fatalf("%s: axpbyc[%d] = %v, want %v", what, i, z[i], want)
				}
			}
		}
	}
}

// The row and column gathers that pack implicit im2col panels.
func TestGatherKernelsAVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(11, 11))
	src := randF32(rng, 5000)
	for _, k := range []int{0, 1, 7, 16, 17, 65} {
		off := make([]int32, k)
		for i := range off {
			off[i] = int32(rng.IntN(5000 - 32))
		}
		dst, check := guarded(k*32, k%16)
		gatherRows32AVX512(dst, src, off, k)
		check(t, fmt.Sprintf("gatherRows k=%d", k))
		for p := 0; p < k; p++ {
			for j := 0; j < 32; j++ {
				if dst[p*32+j] != src[int(off[p])+j] {
					t.Fatalf("gatherRows k=%d: dst[%d][%d] wrong", k, p, j)
				}
			}
		}
		for _, lanes := range []int{1, 5, 12, 16} {
			var idx [16]int32
			for j := 0; j < lanes; j++ {
				idx[j] = int32(rng.IntN(5000 - k))
			}
			out, checkOut := guarded(max(k*20, 1), lanes)
			gatherCols16AVX512(out, src, &idx, lanes, k, 20)
			for q := 0; q < k; q++ {
				for j := 0; j < 20; j++ {
					want := guard
					if j < lanes {
						want = src[int(idx[j])+q]
					}
					if out[q*20+j] != want {
						t.Fatalf("gatherCols k=%d lanes=%d: out[%d][%d] = %v, want %v", k, lanes, q, j, out[q*20+j], want)
					}
				}
			}
			checkOut(t, "gatherCols")
		}
	}
}

// The 12-row A packing gather against the Go packA.
func TestPackA12AVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(12, 12))
	for _, kc := range []int{1, 7, 16, 33, 200} {
		for _, h := range []int{1, 5, 11, 12} {
			lda := kc + 3
			a := randF32(rng, (h-1)*lda+kc)
			got, check := guarded(12*kc, kc%16)
			for i := range got {
				got[i] = float32(math.NaN()) // must be overwritten, padding included
			}
			want := make([]float32, 12*kc)
			packA12AVX512(got, a, lda, kc, h, -0.5)
			check(t, fmt.Sprintf("packA12 kc=%d h=%d", kc, h))
			packA(want, 12, a, lda, false, -0.5, 0, h, 0, kc)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("packA12 kc=%d h=%d: [%d] = %v, want %v", kc, h, i, got[i], want[i])
				}
			}
		}
	}
}

// The one-channel convolution row against a plain loop.
func TestConvRowAVX512(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(13, 13))
	b := randF32(rng, 3000)
	for _, n := range append(edgeSizes, 127, 128, 129, 300, 1000) {
		for _, k := range []int{0, 1, 9} {
			a := randF32(rng, k)
			off := make([]int32, k)
			for i := range off {
				off[i] = int32(rng.IntN(3000 - n))
			}
			c, check := guarded(n, (n+k)%16)
			convRowAVX512(k, a, b, off, c)
			check(t, fmt.Sprintf("convRow n=%d k=%d", n, k))
			for j := 0; j < n; j++ {
				var want float64
				for p := 0; p < k; p++ {
					want += float64(a[p]) * float64(b[int(off[p])+j])
				}
				if math.Abs(float64(c[j])-want) > 1e-5*(1+math.Abs(want)) {
					t.Fatalf("convRow n=%d k=%d: c[%d] = %v, want %v", n, k, j, c[j], want)
				}
			}
		}
	}
}
