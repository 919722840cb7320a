package kernels

import (
	"math/bits"
	"sync"
	"unsafe"
)

// Scratch buffers (im2col columns, per-piece partial sums, packed GEMM
// panels) come from free lists keyed by element type and size class, so
// that a training loop calling the same kernels with the same shapes
// reuses them instead of handing the garbage collector megabytes per
// call, and different shapes of similar size share a class. There are
// scratchSub classes per doubling (capacities 2^e·(1 + k/scratchSub)), so
// a buffer is at most 1/scratchSub longer than asked: with powers of two
// the padded input of a 2D U-Net layer (104 MB) took 134 MB, and the free
// lists of its training step held 260 MB. Unlike a sync.Pool, the lists survive garbage collections, so
// what they keep is bounded explicitly: at most scratchKeep buffers per
// class and at most the scratch limit (DefaultScratchLimit bytes unless
// changed with SetScratchLimit) in all. When keeping a returned buffer
// would exceed the limit, the buffers returned longest ago are dropped
// first, leaving them to the garbage collector; a buffer larger than the
// limit is never kept.
const scratchKeep = 8

// scratchSub is the number of size classes per doubling of capacity.
const scratchSub = 8

// scratchClass returns the free-list index and capacity of requests for n
// > 0 elements: the smallest class capacity at least n.
func scratchClass(n int) (idx, capacity int) {
	e := bits.Len(uint(n - 1)) // 2^(e-1) < n ≤ 2^e
	if e < 4 {                 // too small to split: powers of two
		return e*scratchSub + scratchSub - 1, 1 << e
	}
	base := 1 << (e - 1)
	step := base / scratchSub
	k := (n - base + step - 1) / step // 1 … scratchSub
	return e*scratchSub + k - 1, base + k*step
}

// DefaultScratchLimit is the number of bytes the scratch free lists keep
// at most until SetScratchLimit changes it. A training step of the 2D
// U-Net benchmark (8×1×128×128, 32 filters) cycles through 188 MB of
// scratch: under a 128 MiB limit it dropped and re-allocated ~180 MB per
// step, and the garbage raised its peak resident set from 851 to 1338 MB.
const DefaultScratchLimit = 256 << 20

type scratchEntry struct {
	buf   any    // *[]float32 or *[]float64
	stamp uint64 // when it was returned: smaller is older
}

// scratch holds all free lists under one mutex, which is held for a few
// instructions per call and lets eviction see every list.
var scratch struct {
	mu       sync.Mutex
	lists    [2][64 * scratchSub][]scratchEntry // [type][class], newest last
	bytes    int64                              // retained bytes
	limit    int64
	clock    uint64
	maxBytes int64 // largest bytes seen since the last SetScratchLimit (tests)
}

func init() { scratch.limit = DefaultScratchLimit }

// bigScratchMin is the length above which float32 scratch comes from the
// source SetScratchSource installs, when one is installed: 64 KiB, the
// smallest buffer the tensor package's step arena lays out. At 1 MiB the
// free lists kept 10 MB of smaller buffers resident beside the arena in
// the 2D reference config, and 20 MB in the 3D one; through the arena
// they take the room of activations released before them.
const bigScratchMin = 1 << 14

// bigScratch is that source, with spare slice headers so that a call
// allocates nothing; its fields are guarded by scratch.mu.
var bigScratch struct {
	get  func(n int) []float32
	put  func(b []float32)
	hdrs []*[]float32
}

// SetScratchSource makes get and put supply and take back the float32
// scratch buffers longer than 2^14 elements (64 KiB), instead of the
// free lists. The tensor package installs its buffer pool, so that a kernel's
// largest buffers (a 2D U-Net layer's padded input is 104 MB) and the
// tensors share one set of memory: a padded input reuses the buffer of an
// activation released earlier in the backward pass, where separate free
// lists kept both. get must return a buffer of at least n elements; put
// receives the buffer at its full capacity.
func SetScratchSource(get func(n int) []float32, put func(b []float32)) {
	scratch.mu.Lock()
	defer scratch.mu.Unlock()
	bigScratch.get, bigScratch.put = get, put
}

// getBig returns a buffer of n > bigScratchMin float32 from the installed
// source, or nil when there is none.
func getBig(n int) *[]float32 {
	scratch.mu.Lock()
	get := bigScratch.get
	var h *[]float32
	if get != nil {
		if k := len(bigScratch.hdrs); k > 0 {
			h = bigScratch.hdrs[k-1]
			bigScratch.hdrs = bigScratch.hdrs[:k-1]
		}
	}
	scratch.mu.Unlock()
	if get == nil {
		return nil
	}
	if h == nil {
		h = new([]float32)
	}
	*h = get(n)[:n]
	return h
}

// putBig hands b, longer than bigScratchMin, to the installed source and
// keeps its header; it reports false when no source is installed.
func putBig(h *[]float32) bool {
	scratch.mu.Lock()
	put := bigScratch.put
	scratch.mu.Unlock()
	if put == nil {
		return false
	}
	b := *h
	*h = nil
	put(b[:cap(b)])
	scratch.mu.Lock()
	if len(bigScratch.hdrs) < 64 {
		bigScratch.hdrs = append(bigScratch.hdrs, h)
	}
	scratch.mu.Unlock()
	return true
}

// ScratchBytes returns the number of bytes the scratch free lists hold
// now, buffers in use by running kernels not counted.
func ScratchBytes() int64 {
	scratch.mu.Lock()
	defer scratch.mu.Unlock()
	return scratch.bytes
}

// SetScratchLimit sets the number of bytes the scratch free lists may keep
// (at least 0; 0 keeps nothing, so every kernel call allocates its
// scratch) and returns the previous limit. Lowering it drops the oldest
// buffers at once.
func SetScratchLimit(bytes int64) (old int64) {
	if bytes < 0 {
		bytes = 0
	}
	scratch.mu.Lock()
	defer scratch.mu.Unlock()
	old, scratch.limit = scratch.limit, bytes
	for scratch.bytes > scratch.limit {
		evictOldest()
	}
	scratch.maxBytes = scratch.bytes
	return old
}

// scratchType returns the list index of T, or -1 for named element types,
// whose buffers are not kept.
func scratchType[T Float]() int {
	var z T
	switch any(z).(type) {
	case float32:
		return 0
	case float64:
		return 1
	}
	return -1
}

func bufBytes(b any) int64 {
	switch b := b.(type) {
	case *[]float32:
		return int64(cap(*b)) * 4
	case *[]float64:
		return int64(cap(*b)) * 8
	}
	return 0
}

// evictOldest drops the buffer returned longest ago; scratch.mu is held
// and at least one buffer is kept.
func evictOldest() {
	var best *[]scratchEntry
	for t := range scratch.lists {
		for c := range scratch.lists[t] {
			l := &scratch.lists[t][c]
			if len(*l) > 0 && (best == nil || (*l)[0].stamp < (*best)[0].stamp) {
				best = l
			}
		}
	}
	scratch.bytes -= bufBytes((*best)[0].buf)
	k := copy(*best, (*best)[1:])
	(*best)[k] = scratchEntry{}
	*best = (*best)[:k]
}

// getScratch returns a buffer of n elements whose contents are undefined;
// give it back with putScratch.
func getScratch[T Float](n int) *[]T {
	if n <= 0 {
		s := []T{}
		return &s
	}
	if n > bigScratchMin && scratchType[T]() == 0 {
		if b := getBig(n); b != nil {
			return any(b).(*[]T)
		}
	}
	c, size := scratchClass(n)
	if t := scratchType[T](); t >= 0 {
		scratch.mu.Lock()
		l := &scratch.lists[t][c]
		if k := len(*l); k > 0 {
			b := (*l)[k-1].buf.(*[]T)
			(*l)[k-1] = scratchEntry{}
			*l = (*l)[:k-1]
			scratch.bytes -= int64(cap(*b)) * int64(unsafe.Sizeof(T(0)))
			scratch.mu.Unlock()
			*b = (*b)[:n]
			return b
		}
		scratch.mu.Unlock()
	}
	s := make([]T, n, size)
	return &s
}

// putScratch gives a buffer from getScratch back to its free list.
func putScratch[T Float](b *[]T) {
	c := cap(*b)
	t := scratchType[T]()
	if c == 0 || t < 0 {
		return
	}
	if t == 0 && c > bigScratchMin && putBig(any(b).(*[]float32)) {
		return
	}
	idx, cc := scratchClass(c)
	if cc != c {
		return // not a buffer of getScratch's
	}
	size := int64(c) * int64(unsafe.Sizeof(T(0)))
	scratch.mu.Lock()
	defer scratch.mu.Unlock()
	l := &scratch.lists[t][idx]
	if len(*l) >= scratchKeep || size > scratch.limit {
		return
	}
	for scratch.bytes+size > scratch.limit {
		evictOldest()
	}
	if *l == nil {
		*l = make([]scratchEntry, 0, scratchKeep)
	}
	scratch.clock++
	*l = append(*l, scratchEntry{b, scratch.clock})
	scratch.bytes += size
	scratch.maxBytes = max(scratch.maxBytes, scratch.bytes)
}
