package kernels

import (
	"fmt"
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
