package kernels

import (
	"math/bits"
	"sync"
)

// Scratch buffers (im2col columns, per-worker partial sums) come from free
// lists keyed by element type and power-of-two capacity, so that a
// training loop calling the same kernels with the same shapes reuses them
// instead of handing the garbage collector megabytes per call. Unlike a
// sync.Pool, the lists survive garbage collections; each keeps at most
// scratchKeep buffers, which bounds what they hold to a few buffers of
// each size in use.
const scratchKeep = 8

type freeList struct {
	mu   sync.Mutex
	bufs []any // *[]float32 or *[]float64
}

var scratchFree [2][64]freeList

// scratchList returns the free list for T's buffers of capacity 1<<c, or
// nil for element types other than float32 and float64.
func scratchList[T Float](c int) *freeList {
	var z T
	switch any(z).(type) {
	case float32:
		return &scratchFree[0][c]
	case float64:
		return &scratchFree[1][c]
	}
	return nil
}

// getScratch returns a buffer of n elements whose contents are undefined;
// give it back with putScratch.
func getScratch[T Float](n int) *[]T {
	if n <= 0 {
		s := []T{}
		return &s
	}
	c := bits.Len(uint(n - 1))
	if l := scratchList[T](c); l != nil {
		l.mu.Lock()
		if k := len(l.bufs); k > 0 {
			b := l.bufs[k-1].(*[]T)
			l.bufs[k-1] = nil
			l.bufs = l.bufs[:k-1]
			l.mu.Unlock()
			*b = (*b)[:n]
			return b
		}
		l.mu.Unlock()
	}
	s := make([]T, n, 1<<c)
	return &s
}

// putScratch gives a buffer from getScratch back to its free list.
func putScratch[T Float](b *[]T) {
	c := cap(*b)
	if c == 0 || c&(c-1) != 0 {
		return
	}
	if l := scratchList[T](bits.Len(uint(c - 1))); l != nil {
		l.mu.Lock()
		if len(l.bufs) < scratchKeep {
			l.bufs = append(l.bufs, b)
		}
		l.mu.Unlock()
	}
}
