package tensor

import (
	"sync"
	"sync/atomic"
)

// Storage is the flat buffer one or more tensors view. Its identity tells
// whether two tensors share memory (see Dense.Storage).
type Storage[E Float] struct {
	buf []E
}

// Len returns the number of elements the storage holds (0 once released).
func (s *Storage[E]) Len() int { return len(s.buf) }

// Released reports whether the storage has been handed back to the pool.
func (s *Storage[E]) Released() bool { return s.buf == nil }

// release hands the buffer to the pool and detaches it, so that any tensor
// still viewing this storage panics on access rather than aliasing the
// buffer's next owner. Releasing twice is a no-op.
func (s *Storage[E]) release() {
	if s.buf == nil {
		return
	}
	b := s.buf
	s.buf = nil
	poolOf[E]().put(b)
}

// bufPool keeps released buffers, keyed by length, for reuse.
type bufPool[E Float] struct {
	mu    sync.Mutex
	free  map[int][][]E
	bytes int64 // bytes held in free
}

var (
	pool32 bufPool[float32]
	pool64 bufPool[float64]

	pooling   atomic.Bool
	poolLimit atomic.Int64

	statHits, statMisses, statPuts atomic.Int64
)

func init() {
	pooling.Store(true)
	poolLimit.Store(4 << 30)
}

func poolOf[E Float]() *bufPool[E] {
	var z E
	switch any(z).(type) {
	case float32:
		return any(&pool32).(*bufPool[E])
	default:
		return any(&pool64).(*bufPool[E])
	}
}

func (p *bufPool[E]) get(n int) []E {
	if n == 0 || !pooling.Load() {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.free[n]
	if len(l) == 0 {
		return nil
	}
	b := l[len(l)-1]
	l[len(l)-1] = nil
	p.free[n] = l[:len(l)-1]
	p.bytes -= int64(n) * int64(sizeOf[E]())
	return b
}

func (p *bufPool[E]) put(b []E) {
	n := len(b)
	if n == 0 || !pooling.Load() {
		return
	}
	sz := int64(n) * int64(sizeOf[E]())
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bytes+sz > poolLimit.Load() {
		return // over the limit: let the garbage collector have it
	}
	if p.free == nil {
		p.free = make(map[int][][]E)
	}
	p.free[n] = append(p.free[n], b[:n:n])
	p.bytes += sz
	statPuts.Add(1)
}

func (p *bufPool[E]) drain() {
	p.mu.Lock()
	p.free = nil
	p.bytes = 0
	p.mu.Unlock()
}

func sizeOf[E Float]() int {
	var z E
	if _, ok := any(z).(float32); ok {
		return 4
	}
	return 8
}

// alloc returns a buffer of n elements, from the pool when one of that
// length is free. With zero false its contents are unspecified.
func alloc[E Float](n int, zero bool) []E {
	if b := poolOf[E]().get(n); b != nil {
		statHits.Add(1)
		if zero {
			clear(b)
		}
		return b
	}
	statMisses.Add(1)
	return make([]E, n)
}

// SetPooling turns buffer reuse on or off and returns the previous
// setting. Turning it off drops every pooled buffer.
func SetPooling(on bool) (old bool) {
	old = pooling.Swap(on)
	if !on {
		pool32.drain()
		pool64.drain()
	}
	return old
}

// SetPoolLimit sets how many bytes of released buffers the pool may hold
// (default 4 GiB); buffers released beyond it are left to the garbage
// collector. It returns the previous limit.
func SetPoolLimit(bytes int64) (old int64) { return poolLimit.Swap(bytes) }

// PoolStats counts allocations served from the pool (Hits) and not
// (Misses), buffers handed back (Puts), and the bytes the pool holds now.
type PoolStats struct {
	Hits, Misses, Puts int64
	HeldBytes          int64
}

// Pool returns the pool's counters since start-up.
func Pool() PoolStats {
	pool32.mu.Lock()
	held := pool32.bytes
	pool32.mu.Unlock()
	pool64.mu.Lock()
	held += pool64.bytes
	pool64.mu.Unlock()
	return PoolStats{Hits: statHits.Load(), Misses: statMisses.Load(), Puts: statPuts.Load(), HeldBytes: held}
}
