package kernels

import (
	"math/bits"
	"sync"
)

// Scratch buffers (im2col columns, per-worker partial sums) are taken from
// pools keyed by power-of-two capacity, so that a training loop calling the
// same kernels with the same shapes reuses them instead of handing the
// garbage collector megabytes per call.
var (
	scratch32 [64]sync.Pool
	scratch64 [64]sync.Pool
)

// getScratch returns a buffer of at least n elements whose contents are
// undefined; give it back with putScratch. Element types other than plain
// float32 and float64 are not pooled.
func getScratch[T Float](n int) *[]T {
	if n <= 0 {
		s := []T{}
		return &s
	}
	c := bits.Len(uint(n - 1))
	var z T
	var pool *sync.Pool
	switch any(z).(type) {
	case float32:
		pool = &scratch32[c]
	case float64:
		pool = &scratch64[c]
	}
	if pool != nil {
		if v := pool.Get(); v != nil {
			b := v.(*[]T)
			*b = (*b)[:n]
			return b
		}
	}
	s := make([]T, n, 1<<c)
	return &s
}

// putScratch gives a buffer from getScratch back to its pool.
func putScratch[T Float](b *[]T) {
	c := cap(*b)
	if c == 0 || c&(c-1) != 0 {
		return
	}
	var z T
	switch any(z).(type) {
	case float32:
		scratch32[bits.Len(uint(c-1))].Put(b)
	case float64:
		scratch64[bits.Len(uint(c-1))].Put(b)
	}
}
