package kernels

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

// Parallel must cover [0, n) exactly once with ranges no shorter than
// grain, for any worker count, and run nested calls serially.
func TestParallelCoversRange(t *testing.T) {
	for _, workers := range []int{1, 2, 3, 8} {
		old := SetWorkers(workers)
		for _, c := range []struct{ n, grain int }{{0, 1}, {1, 1}, {7, 1}, {100, 1}, {100, 7}, {1000, 300}, {5, 10}} {
			t.Run(fmt.Sprintf("workers=%d/n=%d/grain=%d", workers, c.n, c.grain), func(t *testing.T) {
				hits := make([]atomic.Int32, c.n)
				var short atomic.Int32
				Parallel(c.n, c.grain, func(lo, hi int) {
					if hi-lo < c.grain && hi-lo < c.n {
						short.Add(1)
					}
					for i := lo; i < hi; i++ {
						hits[i].Add(1)
					}
					// A nested call runs serially and completely.
					var inner atomic.Int32
					Parallel(3, 1, func(lo, hi int) { inner.Add(int32(hi - lo)) })
					if inner.Load() != 3 {
						t.Errorf("nested Parallel covered %d of 3", inner.Load())
					}
				})
				for i := range hits {
					if h := hits[i].Load(); h != 1 {
						t.Fatalf("index %d visited %d times", i, h)
					}
				}
				if short.Load() != 0 {
					t.Errorf("%d ranges shorter than grain %d", short.Load(), c.grain)
				}
			})
		}
		SetWorkers(old)
	}
}

// The pieces of a parallel call depend on n, grain and the worker count
// only: the same under perturbed scheduling, shrinking towards the end,
// none shorter than grain or than n over guidedMin pieces per goroutine.
func TestParallelPieces(t *testing.T) {
	defer perturbScheduling()()
	old := SetWorkers(2)
	defer SetWorkers(old)
	for _, c := range []struct{ n, grain int }{{2, 1}, {9, 1}, {100, 1}, {1000, 7}, {4096, 48}, {100003, 1}} {
		var first []int
		for rep := range 5 {
			var mu sync.Mutex
			var starts []int
			ends := map[int]int{}
			Parallel(c.n, c.grain, func(lo, hi int) {
				mu.Lock()
				starts = append(starts, lo)
				ends[lo] = hi
				mu.Unlock()
			})
			slices.Sort(starts)
			if rep == 0 {
				first = starts
				short := max(c.grain, (c.n+2*guidedMin-1)/(2*guidedMin))
				for i, lo := range starts {
					l := ends[lo] - lo
					if l < short && l < c.n {
						t.Errorf("n=%d grain=%d: piece [%d,%d) shorter than %d", c.n, c.grain, lo, ends[lo], short)
					}
					if i > 0 && i < len(starts)-1 && l > lo-starts[i-1] {
						t.Errorf("n=%d grain=%d: piece [%d,%d) longer than the one before it", c.n, c.grain, lo, ends[lo])
					}
				}
				continue
			}
			if !slices.Equal(starts, first) {
				t.Fatalf("n=%d grain=%d: pieces start at %v, then at %v", c.n, c.grain, first, starts)
			}
		}
	}
}

// Workers and callers poll only while every goroutine of a parallel call
// can run at once, also when GOMAXPROCS changes under a running pool;
// calls made then still cover their range.
func TestSpinning(t *testing.T) {
	oldW := SetWorkers(2)
	defer SetWorkers(oldW)
	oldP := runtime.GOMAXPROCS(2)
	defer runtime.GOMAXPROCS(oldP)
	if !spinning() {
		t.Error("2 workers on 2 threads do not poll")
	}
	runtime.GOMAXPROCS(1)
	if spinning() {
		t.Error("2 workers on 1 thread poll")
	}
	var sum atomic.Int64
	for range 50 {
		Parallel(1000, 1, func(lo, hi int) { sum.Add(int64(hi - lo)) })
	}
	if got := sum.Load(); got != 50*1000 {
		t.Errorf("50 calls on 1 thread covered %d indices, want 50000", got)
	}
}
