//go:build !purego

package kernels

import (
	"fmt"
	"testing"
	"unsafe"
)

// BenchmarkMemCeiling measures what the memory system allows on the
// tensors of the memory-bound cases (8×32×128² and 2×16×48³ float32) with
// the pool's workers, each pass split in one piece per worker, so that the
// GB/s of BenchmarkMemOps and of the bench cases can be read against the
// machine's in the same run:
//
//	go test -run - -bench 'MemCeiling|MemOps' -cpu 2 ./kernels
//
// The passes, with the bytes each counts:
//   - read: the norms' statistics pass, float64 sum and sum of squares (4
//     per value);
//   - write: clearing it with Go's clear, the runtime's memclr (4);
//   - writeVec: storing it with vector stores through the cache, from a
//     source that stays in L1 (4);
//   - writeNT: the same stored non-temporally (4);
//   - copy: copying it to another tensor through the cache (8);
//   - copyNT: reading it and storing the copy non-temporally (8), as the
//     norms write a large output.
//
// A kernel that reads a tensor and writes one as large (ReLU, a norm's
// output pass) cannot beat the better copy; one that only writes a large
// output (a first layer's convolution, whose input is small) cannot beat
// the better of writeVec and writeNT.
func BenchmarkMemCeiling(b *testing.B) {
	var out normOut
	for _, k := range ntTiers() {
		if k.own == mk {
			out = k.nt
		}
	}
	if out.axpb == nil {
		b.Skip("no non-temporal kernels on this tier")
	}
	for _, shape := range [][]int{{8, 32, 128, 128}, {2, 16, 48, 48, 48}} {
		n := prodInts(shape)
		x, y := aligned64(n), aligned64(n)
		for i := range x {
			x[i] = float32(i%7) - 3
		}
		src := aligned64(4096) // 16 KB: stays in L1
		chunks := func(fn func(lo, hi int)) {
			// Pieces of whole 64-byte lines, one per worker.
			Parallel(n/16, n/16/Workers(), func(lo, hi int) { fn(16*lo, 16*hi) })
		}
		// fromL1 writes y with axpb from a source that stays in L1: the
		// cost of the stores alone.
		fromL1 := func(axpb func(y, x []float32, a, b, slope float32)) {
			chunks(func(lo, hi int) {
				for o := lo; o < hi; o += len(src) {
					m := min(len(src), hi-o)
					axpb(y[o:o+m], src[:m], 1, 0, 1)
				}
			})
		}
		passes := []struct {
			name  string
			bytes int
			op    func()
		}{
			{"read", 4 * n, func() {
				chunks(func(lo, hi int) { mk.sumSq(x[lo:hi]) })
			}},
			{"write", 4 * n, func() { chunks(func(lo, hi int) { clear(y[lo:hi]) }) }},
			{"writeVec", 4 * n, func() { fromL1(mk.axpb) }},
			{"writeNT", 4 * n, func() { fromL1(out.axpb) }},
			{"copy", 8 * n, func() { chunks(func(lo, hi int) { copy(y[lo:hi], x[lo:hi]) }) }},
			{"copyNT", 8 * n, func() { chunks(func(lo, hi int) { out.axpb(y[lo:hi], x[lo:hi], 1, 0, 1) }) }},
		}
		for _, p := range passes {
			b.Run(fmt.Sprintf("%s_%s", p.name, shapeName(shape)), func(b *testing.B) {
				p.op()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					p.op()
				}
				b.ReportMetric(float64(p.bytes)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
			})
		}
	}
}

// aligned64 returns n zero float32s starting on a 64-byte line, as the
// non-temporal stores need.
func aligned64(n int) []float32 {
	buf := make([]float32, n+16)
	off := 0
	for uintptr(unsafe.Pointer(&buf[off]))%64 != 0 {
		off++
	}
	return buf[off : off+n]
}

func shapeName(shape []int) string {
	s := fmt.Sprint(shape[0])
	for _, v := range shape[1:] {
		s += fmt.Sprintf("x%d", v)
	}
	return s
}
