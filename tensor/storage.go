package tensor

import (
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/ivadogo/ivadogo/kernels"
)

// Storage is the flat buffer one or more tensors view. Its identity tells
// whether two tensors share memory (see Dense.Storage).
type Storage[E Float] struct {
	buf []E
	// counted: buf came from alloc and is in the live-bytes count until
	// released (FromSlice's caller-owned data is not counted).
	counted bool
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
	if s.counted {
		statLive.Add(-int64(len(b)) * int64(sizeOf[E]()))
		// The whole buffer is the pool's, also beyond a shorter request.
		b = b[:cap(b)]
	} else {
		// The caller's slice may share its array beyond len.
		b = b[:len(b):len(b)]
	}
	poolOf[E]().put(b)
}

// bufPool keeps released buffers, keyed by capacity, for reuse. A request
// takes a free buffer of its own length if there is one, else the smallest
// free one up to fitSlack times longer: the gradients of a backward pass
// come in other sizes than the activations whose buffers it frees, and
// with exact lengths only the pool kept both.
type bufPool[E Float] struct {
	mu    sync.Mutex
	free  map[int][][]E // capacity → free buffers of that capacity
	caps  []int         // capacities with a free buffer, ascending
	bytes int64         // bytes held in free
}

// fitSlack bounds the capacity a request of n elements may take to
// n·fitSlack, so that a small tensor never holds a large buffer.
const fitSlack = 2

var (
	pool32 bufPool[float32]
	pool64 bufPool[float64]

	pooling   atomic.Bool
	poolLimit atomic.Int64

	statHits, statMisses, statPuts atomic.Int64
	statEvicted                    atomic.Int64 // bytes evictFor took out
	statPeakEver                   atomic.Int64 // statPeak, never reset
	// statLive counts the bytes of allocated, not yet released buffers,
	// statPeak the most it reached since ResetPeakLive.
	statLive, statPeak atomic.Int64
)

func init() {
	pooling.Store(true)
	poolLimit.Store(4 << 30)
	// The kernels' large scratch buffers come from the pool too, counted
	// live while a kernel holds them.
	kernels.SetScratchSource(func(n int) []float32 {
		b := alloc[float32](n, false)
		statLive.Add(int64(cap(b)-n) * 4) // counted whole while in use
		return b[:cap(b)]
	}, func(b []float32) {
		statLive.Add(-int64(len(b)) * 4)
		pool32.put(b)
	})
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
	c := n
	if len(p.free[n]) == 0 {
		i, _ := slices.BinarySearch(p.caps, n)
		if i == len(p.caps) || p.caps[i]/fitSlack > n {
			p.evictFor(n)
			return nil
		}
		c = p.caps[i]
	}
	l := p.free[c]
	b := l[len(l)-1]
	l[len(l)-1] = nil
	p.free[c] = l[:len(l)-1]
	if len(l) == 1 {
		i, _ := slices.BinarySearch(p.caps, c)
		p.caps = slices.Delete(p.caps, i, i+1)
	}
	p.bytes -= int64(c) * int64(sizeOf[E]())
	if p.overSlack() {
		trimTail(b, n)
	}
	return b[:n]
}

// put keeps b, whose length is its capacity, or hands it back to the
// arena it came from.
func (p *bufPool[E]) put(b []E) {
	c := len(b)
	if c == 0 || !pooling.Load() {
		return
	}
	if sizeOf[E]() == 4 && c*4 >= planMin && planned.Load() &&
		planPut(unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(b))), c)) {
		return
	}
	sz := int64(c) * int64(sizeOf[E]())
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bytes+sz > poolLimit.Load() {
		return // over the limit: let the garbage collector have it
	}
	if p.free == nil {
		p.free = make(map[int][][]E)
	}
	if len(p.free[c]) == 0 {
		i, _ := slices.BinarySearch(p.caps, c)
		p.caps = slices.Insert(p.caps, i, c)
	}
	p.free[c] = append(p.free[c], b)
	p.bytes += sz
	statPuts.Add(1)
}

func (p *bufPool[E]) drain() {
	p.mu.Lock()
	p.free, p.caps = nil, nil
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
	live := statLive.Add(int64(n) * int64(sizeOf[E]()))
	for p := statPeak.Load(); live > p && !statPeak.CompareAndSwap(p, live); p = statPeak.Load() {
	}
	for p := statPeakEver.Load(); live > p && !statPeakEver.CompareAndSwap(p, live); p = statPeakEver.Load() {
	}
	if sizeOf[E]() == 4 && n*4 >= planMin && stepping.Load() {
		if a := planGet(n); a != nil {
			b := unsafe.Slice((*E)(unsafe.Pointer(unsafe.SliceData(a))), n)
			if zero {
				clear(b)
			}
			return b
		}
		if a := planRecord(n); a != nil {
			statMisses.Add(1)
			return unsafe.Slice((*E)(unsafe.Pointer(unsafe.SliceData(a))), n)
		}
	}
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
		resetPlans()
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
	// LiveBytes is the size of the buffers handed out and not released
	// yet, PeakLiveBytes the most it reached since ResetPeakLive. A buffer
	// left to the garbage collector without Release stays counted.
	LiveBytes, PeakLiveBytes int64
	// Planned counts the requests that a step's plan served from its
	// arena, Fallbacks those of a planned step that it left to the pool
	// (see StartStep); ArenaBytes is the arena's size.
	Planned, Fallbacks, ArenaBytes int64
}

// Pool returns the pool's counters since start-up.
func Pool() PoolStats {
	pool32.mu.Lock()
	held := pool32.bytes
	pool32.mu.Unlock()
	pool64.mu.Lock()
	held += pool64.bytes
	pool64.mu.Unlock()
	planner.mu.Lock()
	planned, fallbacks, arena := planner.served, planner.fallbacks, int64(len(planner.arena))*4
	planner.mu.Unlock()
	return PoolStats{Hits: statHits.Load(), Misses: statMisses.Load(), Puts: statPuts.Load(), HeldBytes: held,
		LiveBytes: statLive.Load(), PeakLiveBytes: statPeak.Load(),
		Planned: planned, Fallbacks: fallbacks, ArenaBytes: arena}
}

// ResetPeakLive starts a new peak of PoolStats.LiveBytes from now.
func ResetPeakLive() { statPeak.Store(statLive.Load()) }
