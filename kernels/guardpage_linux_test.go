//go:build linux

package kernels

import (
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"sync"
	"syscall"
	"testing"
	"unsafe"
)

// guardPages hands out float32 slices that end flush against an
// inaccessible page (with another before their first page), so that a
// kernel reading or writing one element past a slice faults at once. Go's own buffers
// usually have spare capacity or a neighbour behind them, which hides
// such overruns; the tensor pool, installed as the kernels' scratch
// source, hands out buffers with none.
type guardPages struct {
	mu   sync.Mutex
	maps map[*float32][]byte
}

// newGuardPages returns an empty allocator; its mappings are unmapped
// when the test ends.
func newGuardPages(t testing.TB) *guardPages {
	g := &guardPages{maps: map[*float32][]byte{}}
	t.Cleanup(g.freeAll)
	return g
}

// forEachAsmTier is forEachTier without the generic tier: Go code is
// bounds-checked, so an overrun there panics anyway.
func forEachAsmTier(t *testing.T, f func(t *testing.T, tr tier)) {
	forEachTier(t, func(t *testing.T, tr tier) {
		if tr != tierGeneric {
			f(t, tr)
		}
	})
}

func (g *guardPages) get(t testing.TB, n int) []float32 {
	page := syscall.Getpagesize()
	data := (4*n + page - 1) / page * page
	mem, err := syscall.Mmap(-1, 0, data+2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap %d bytes: %v", data+2*page, err)
	}
	if err := syscall.Mprotect(mem[:page], syscall.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mprotect(mem[page+data:], syscall.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	s := unsafe.Slice((*float32)(unsafe.Pointer(&mem[page+data-4*n])), n)
	g.mu.Lock()
	g.maps[&s[0]] = mem
	g.mu.Unlock()
	return s
}

func (g *guardPages) put(s []float32) {
	g.mu.Lock()
	mem := g.maps[&s[0]]
	delete(g.maps, &s[0])
	g.mu.Unlock()
	syscall.Munmap(mem)
}

func (g *guardPages) freeAll() {
	for _, m := range g.maps {
		syscall.Munmap(m)
	}
	clear(g.maps)
}

// TestConvGuardPages runs the convolutions of every tier on inputs,
// outputs and large scratch that end at an inaccessible page, and checks
// that they give the same values as on ordinary slices. The shapes make
// the padded inputs and panels larger than the scratch source's
// threshold, so that the scratch comes from the guarded source too.
func TestConvGuardPages(t *testing.T) {
	cases := []ConvParams{
		{N: 2, Cin: 32, Cout: 32, In: []int{96, 96}, Kernel: []int{3, 3}, Pad: []int{1, 1}},
		{N: 1, Cin: 64, Cout: 48, In: []int{64, 67}, Kernel: []int{3, 3}, Pad: []int{1, 1}},
		{N: 2, Cin: 3, Cout: 32, In: []int{128, 128}, Kernel: []int{3, 3}, Pad: []int{1, 1}},
		{N: 1, Cin: 16, Cout: 16, In: []int{40, 40, 40}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
		{N: 1, Cin: 16, Cout: 32, In: []int{48, 48, 16}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}, Stride: []int{2, 2, 2}},
		{N: 2, Cin: 1, Cout: 16, In: []int{48, 48, 48}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
	}
	if !testing.Short() {
		cases = append(cases,
			ConvParams{N: 8, Cin: 128, Cout: 64, In: []int{128, 128}, Kernel: []int{3, 3}, Pad: []int{1, 1}},
			ConvParams{N: 2, Cin: 64, Cout: 64, In: []int{24, 24, 24}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}},
		)
	}
	g := newGuardPages(t)
	forEachAsmTier(t, func(t *testing.T, tr tier) {
		rng := rand.New(rand.NewPCG(11, uint64(tr)))
		for _, p := range cases {
			name := fmt.Sprintf("%+v", p)
			x, w := make([]float32, p.N*p.Cin*prod(p.In)), make([]float32, p.Cout*p.Cin*prod(p.Kernel))
			dy, bias := make([]float32, p.N*p.Cout*prod(p.Out())), make([]float32, p.Cout)
			for _, s := range [][]float32{x, w, dy, bias} {
				for i := range s {
					s[i] = float32(rng.NormFloat64())
				}
			}
			want := convAll(p, x, w, bias, dy, func(n int) []float32 { return make([]float32, n) })
			SetScratchSource(func(n int) []float32 { return g.get(t, n) }, g.put)
			got := convAll(p, x, w, bias, dy, func(n int) []float32 { return g.get(t, n) })
			SetScratchSource(nil, nil)
			for i, what := range []string{"forward", "backward data", "backward weight", "backward bias"} {
				if !slices.Equal(got[i], want[i]) {
					t.Errorf("%s %s: results on guarded buffers differ from those on Go slices", name, what)
				}
			}
		}
	})
}

// convAll runs a conv forward and both backward passes on copies of the
// operands in buffers from alloc, and returns y, dx, dw and dbias.
func convAll(p ConvParams, x, w, bias, dy []float32, alloc func(int) []float32) [4][]float32 {
	cp := func(s []float32) []float32 { c := alloc(len(s)); copy(c, s); return c }
	gx, gw, gb, gdy := cp(x), cp(w), cp(bias), cp(dy)
	y, dx, dw, db := alloc(len(dy)), alloc(len(x)), alloc(len(w)), alloc(len(bias))
	ConvForward(p, gx, gw, gb, y)
	ConvBackwardData(p, gdy, gw, dx)
	ConvBackwardWeight(p, gx, gdy, dw, db)
	return [4][]float32{slices.Clone(y), slices.Clone(dx), slices.Clone(dw), slices.Clone(db)}
}

var guardSink float32

// TestGuardPagesFault checks the guard itself: one element past a guarded
// slice is a fault, and so is one before it when the slice fills its
// pages (otherwise the slack in front of it is readable).
func TestGuardPagesFault(t *testing.T) {
	g := newGuardPages(t)
	full := syscall.Getpagesize() / 4
	for _, tc := range []struct{ n, off int }{{1000, 1000}, {full, full}, {full, -1}} {
		s := g.get(t, tc.n)
		s[0], s[tc.n-1] = 1, 2 // the slice itself is usable
		faulted := func() (f bool) {
			defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
			defer func() { f = recover() != nil }()
			guardSink = *(*float32)(unsafe.Add(unsafe.Pointer(&s[0]), 4*tc.off))
			return false
		}()
		if !faulted {
			t.Errorf("reading element %d of a %d-element guarded slice did not fault", tc.off, tc.n)
		}
	}
}

// TestGemmGuardPages runs float32 GEMMs of every assembly tier, all four
// transpositions and ragged sizes, with A, B and C ending at an
// inaccessible page, and compares them with the same GEMMs on Go slices.
func TestGemmGuardPages(t *testing.T) {
	g := newGuardPages(t)
	forEachAsmTier(t, func(t *testing.T, tr tier) {
		rng := rand.New(rand.NewPCG(12, uint64(tr)))
		for _, sz := range [][3]int{{1, 1, 1}, {13, 17, 5}, {64, 4096, 9}, {100, 47, 300}, {7, 700, 129}} {
			m, n, k := sz[0], sz[1], sz[2]
			for _, tA := range []bool{false, true} {
				for _, tB := range []bool{false, true} {
					lda, ldb := k, n
					if tA {
						lda = m
					}
					if tB {
						ldb = k
					}
					a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
					for _, s := range [][]float32{a, b, c} {
						for i := range s {
							s[i] = float32(rng.NormFloat64())
						}
					}
					ga, gb, gc := g.get(t, len(a)), g.get(t, len(b)), g.get(t, len(c))
					copy(ga, a)
					copy(gb, b)
					copy(gc, c)
					SetScratchSource(func(n int) []float32 { return g.get(t, n) }, g.put)
					Gemm(tA, tB, m, n, k, 1.5, ga, lda, gb, ldb, 0.5, gc, n)
					SetScratchSource(nil, nil)
					Gemm(tA, tB, m, n, k, 1.5, a, lda, b, ldb, 0.5, c, n)
					if !slices.Equal(gc, c) {
						t.Errorf("%d×%d×%d transA %v transB %v: results on guarded buffers differ from those on Go slices", m, n, k, tA, tB)
					}
				}
			}
		}
	})
}
