package tensor

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// A training step asks for the same buffers in the same order every time,
// and hands each back at the same point. The pool serves such a sequence
// badly: its free buffers come in the sizes that the last release left,
// not those the next request wants, so that at a step's peak it holds
// buffers it cannot use beside ones it had to make afresh (a miss), and
// hands some back to stay within its budget (evictFor) only to make them
// again in the next step. In the 2D U-Net reference config that was 70
// misses of 1 to 100 MB a step, 800 MB of pages faulted in and zeroed
// by the kernel per epoch, and a peak RSS of 1.45 times the bytes in use.
//
// StartStep and Step.End mark out such a step. The first step of a kind
// (its key) is recorded: each request of planMin bytes or more, when it
// came and when it went back. Step.End then lays those buffers out in one
// arena, offline, the largest first, each at the lowest offset free of
// the buffers alive at the same time (the greedy-by-size heuristic of
// TensorFlow Lite's memory planner): within a few percent of the most in
// use at once. The next steps of that key take their buffers from the
// arena: the j-th request of n elements gets the j-th such buffer of the
// recording, or another of that length that is free. Nothing relies on
// the step repeating itself: a request the plan does not know, or whose
// places in the arena are all taken by buffers in use, is served by the
// pool instead (a fallback), and a step whose fallbacks pass an eighth of
// its arena has its key recorded again, at most planRecords times.

// planMin is the smallest request, in bytes, that a plan lays out: below
// it the pool's few bytes do not matter.
const planMin = 64 << 10

// planAlign is the alignment, in float32 elements, of a buffer in the
// arena: a page, as the Go heap aligns the large buffers it hands out.
const planAlign = 4096 / 4

// planRecords bounds how often a key is recorded again after a step that
// fell back to the pool.
const planRecords = 3

// stepPlan is the arena layout of one key's steps.
type stepPlan struct {
	// slots maps a request length to the arena offsets of the requests
	// of that length in a step, in the order they came.
	slots   map[int][]int
	size    int // arena elements the layout spans
	records int // times this key was recorded
	// again asks for the next step of this key to be recorded: the last
	// one left too much to the pool.
	again bool
}

// planReq is one request of a recording: its length and the event clock
// at its allocation and release (release -1 while in use).
type planReq struct{ n, start, end int }

var (
	// stepping is set between StartStep and Step.End, so that alloc
	// looks at the planner only then, recording while the step is
	// recorded; planned once StartStep has run, so that put looks at the
	// planner only in a program that plans.
	stepping, recording, planned atomic.Bool
	planner                      plannerState
)

// plannerState is the arena, the plans laid out in it, and the step
// under way.
type plannerState struct {
	mu    sync.Mutex
	plans map[string]*stepPlan
	arena []float32
	// mapped says the arena is mapped outside the Go heap (mapFloats).
	mapped bool
	// base and end bound the arena's addresses, to tell its buffers
	// from the pool's when they come back.
	base, end uintptr
	inUse     map[uintptr]int // buffer address → length, in the arena
	// The step under way: its key, its plan (nil while recording or
	// when the arena could not be used), what it asked for so far.
	key  string
	cur  *stepPlan
	seen map[int]int // request length → requests of it in this step
	rec  []planReq   // the recording, when recording
	// fellBack counts the elements of this step's requests that its
	// plan left to the pool.
	fellBack int
	// recLive maps a recorded buffer in use to its request.
	recLive map[uintptr]int
	// recMapped maps the recorded buffers that mapFloats mapped, still in
	// use, to their length, so that releasing one unmaps it, also after
	// its step.
	recMapped map[uintptr]int
	clock     int
	gen       uint64 // steps begun
	// statistics since start-up
	served, fallbacks int64
}

// A Step is one run of a repeated computation, begun by StartStep.
type Step struct {
	// gen is the planner's count of steps when this one began, 0 for a
	// step that plans nothing; End clears it.
	gen uint64
}

// StartStep begins a step of the repeated computation named key, a
// training step or a batch's inference: the buffers of its tensors come
// from an arena laid out for the steps of that key once the first one
// has been seen (see Step.End). Steps of one key should make the same
// requests, tensor shapes and order, each time; when they do not the
// pool serves what the plan does not cover, so the results never depend
// on it. One step is under way at a time: a step begun meanwhile (by
// another goroutine, or nested) plans nothing, and its requests are
// served like the step's under way.
func StartStep(key string) *Step {
	if !pooling.Load() {
		return &Step{}
	}
	pl := &planner
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if stepping.Load() {
		return &Step{}
	}
	pl.gen++
	planned.Store(true)
	if pl.plans == nil {
		pl.plans = make(map[string]*stepPlan)
		pl.inUse = make(map[uintptr]int)
	}
	pl.key, pl.cur, pl.rec, pl.recLive = key, nil, nil, nil
	pl.seen = make(map[int]int)
	pl.fellBack = 0
	p := pl.plans[key]
	switch {
	case p == nil || p.again && p.records < planRecords:
		pl.recLive = make(map[uintptr]int)
		pl.clock = 0
		recording.Store(true)
		// The arena's pages would stay resident, idle, beside the
		// recording's: the next step with a plan faults them in again.
		if len(pl.inUse) == 0 && len(pl.arena) > 0 {
			returnPages(unsafe.Pointer(unsafe.SliceData(pl.arena)), uintptr(len(pl.arena))*4)
		}
	case p.size <= len(pl.arena):
		pl.cur = p
	case len(pl.inUse) == 0:
		// A larger arena replaces the old one, none of whose buffers is
		// in use.
		pl.dropArena()
		pl.arena, pl.mapped = mapFloats(p.size)
		pl.base = uintptr(unsafe.Pointer(unsafe.SliceData(pl.arena)))
		pl.end = pl.base + uintptr(p.size)*4
		pl.cur = p
	}
	stepping.Store(true)
	return &Step{gen: pl.gen}
}

// End ends the step. After a step that was recorded it lays the arena
// out for its key, and hands the pool's free float32 buffers back to the
// system: the arena now serves the requests they served. Ending a step
// again does nothing.
func (s *Step) End() {
	if s.gen == 0 {
		return
	}
	gen := s.gen
	s.gen = 0
	pl := &planner
	pl.mu.Lock()
	if !stepping.Load() || pl.gen != gen {
		// SetPooling(false) ended it.
		pl.mu.Unlock()
		return
	}
	stepping.Store(false)
	recording.Store(false)
	recorded := pl.recLive != nil
	if pl.cur != nil && pl.fellBack*8 > pl.cur.size {
		// A few requests that the plan did not place (a buffer that a
		// worker held longer this time) cost little in the pool; a plan
		// that misses an eighth of its arena is worth recording again.
		pl.cur.again = true
	}
	if recorded {
		p := pl.plans[pl.key]
		n := 0
		if p != nil {
			n = p.records
		}
		p = layout(pl.rec, pl.clock+1)
		p.records = n + 1
		pl.plans[pl.key] = p
	}
	pl.key, pl.cur, pl.rec, pl.recLive, pl.seen = "", nil, nil, nil, nil
	pl.mu.Unlock()
	if recorded {
		pool32.releaseFree()
	}
}

// ForgetSteps drops the plans of the keys that begin with prefix, for a
// program done with the computation they served (a training run whose
// model is gone); a later step of such a key is recorded afresh.
func ForgetSteps(prefix string) {
	pl := &planner
	pl.mu.Lock()
	defer pl.mu.Unlock()
	for k := range pl.plans {
		if strings.HasPrefix(k, prefix) {
			delete(pl.plans, k)
		}
	}
}

// planGet serves a request of n float32 elements from the arena when the
// step's plan has a free place for it; otherwise it returns nil and
// counts a fallback. The requests of one length are interchangeable: the
// kernels' workers ask for their scratch buffers in whatever order they
// run, so the j-th request takes the j-th place of its length if that is
// free, else any free one. Called only while stepping.
func planGet(n int) []float32 {
	pl := &planner
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if pl.cur == nil {
		return nil
	}
	j := pl.seen[n]
	pl.seen[n] = j + 1
	slots := pl.cur.slots[n]
	off := -1
	if j < len(slots) && pl.free(slots[j], n) {
		off = slots[j]
	} else {
		for _, o := range slots {
			if pl.free(o, n) {
				off = o
				break
			}
		}
	}
	if off < 0 {
		pl.fallbacks++
		pl.fellBack += n
		return nil
	}
	pl.inUse[pl.base+uintptr(off)*4] = n
	pl.served++
	return pl.arena[off : off+n : off+n]
}

// free reports whether the n elements at off in the arena overlap no
// buffer in use. Called with planner.mu held.
func (pl *plannerState) free(off, n int) bool {
	lo := pl.base + uintptr(off)*4
	hi := lo + uintptr(n)*4
	for a, m := range pl.inUse {
		if lo < a+uintptr(m)*4 && a < hi {
			return false
		}
	}
	return true
}

// planRecord returns a new buffer of n elements for the step under way
// and notes its request, when that step is being recorded; otherwise it
// returns nil. A recorded step bypasses the pool, and its buffers go back
// to the system as soon as they are released (planPut): what it keeps
// resident is what it has in use, no more than its plan will take. They
// are mapped outside the Go heap where mapFloats can: from the heap, the
// garbage collector zeroed each again when it reused its memory, after
// the kernel had zeroed its pages, 1.4 s of CPU time for the two steps
// recorded in the 2D reference config, and collected 90 times.
func planRecord(n int) []float32 {
	if !recording.Load() {
		return nil
	}
	b, mapped := mapFloats(n)
	a := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	pl := &planner
	pl.mu.Lock()
	if pl.recLive == nil { // the step ended meanwhile
		pl.mu.Unlock()
		if mapped {
			unmapFloats(b)
		}
		return nil
	}
	pl.clock++
	pl.recLive[a] = len(pl.rec)
	pl.rec = append(pl.rec, planReq{n: n, start: pl.clock, end: -1})
	if mapped {
		if pl.recMapped == nil {
			pl.recMapped = make(map[uintptr]int)
		}
		pl.recMapped[a] = n
	}
	pl.mu.Unlock()
	return b
}

// planPut takes back b if it is an arena buffer or one of the recording
// under way, and reports whether it did.
func planPut(b []float32) bool {
	a := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	pl := &planner
	pl.mu.Lock()
	if a >= pl.base && a < pl.end {
		defer pl.mu.Unlock()
		if _, ok := pl.inUse[a]; !ok {
			panic(fmt.Sprintf("tensor: an arena buffer of %d elements released twice", len(b)))
		}
		delete(pl.inUse, a)
		return true
	}
	i, recorded := pl.recLive[a]
	if recorded {
		pl.clock++
		pl.rec[i].end = pl.clock
		delete(pl.recLive, a)
	}
	n, mapped := pl.recMapped[a]
	if mapped {
		delete(pl.recMapped, a)
	}
	pl.mu.Unlock()
	switch {
	case mapped:
		unmapFloats(b[:n])
	case recorded:
		returnPages(unsafe.Pointer(unsafe.SliceData(b)), uintptr(len(b))*4)
	}
	return recorded || mapped
}

// dropArena hands the arena back to the system and forgets it, returning
// its bytes. Called with planner.mu held and no arena buffer in use.
func (pl *plannerState) dropArena() int64 {
	n := int64(len(pl.arena)) * 4
	switch {
	case pl.mapped:
		unmapFloats(pl.arena)
	case n > 0:
		returnPages(unsafe.Pointer(unsafe.SliceData(pl.arena)), uintptr(n))
	}
	pl.arena, pl.mapped, pl.base, pl.end = nil, false, 0, 0
	return n
}

// releaseArena drops the arena if none of its buffers is in use, and
// returns its bytes; the next step that has a plan makes it again.
func releaseArena() int64 {
	pl := &planner
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if len(pl.inUse) > 0 || stepping.Load() {
		return 0
	}
	return pl.dropArena()
}

// layout places the recorded requests in one arena, greedy by size: the
// largest first (the longest-lived first among equals), each at the
// lowest page-aligned offset where it overlaps no placed buffer alive at
// the same time. A request still in use when the step ended (a weight's
// gradient, made in the first step and kept) is placed as if released at
// end: the next steps ask for that length again for buffers of their own.
func layout(rec []planReq, end int) *stepPlan {
	idx := make([]int, 0, len(rec))
	for i := range rec {
		if rec[i].end < 0 {
			rec[i].end = end
		}
		idx = append(idx, i)
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		ra, rb := rec[a], rec[b]
		if ra.n != rb.n {
			return rb.n - ra.n
		}
		return (rb.end - rb.start) - (ra.end - ra.start)
	})
	off := make([]int, len(rec))
	type span struct{ lo, hi int }
	var placed []int // indices into rec, placed so far
	var busy []span
	size := 0
	for _, i := range idx {
		r := rec[i]
		busy = busy[:0]
		for _, k := range placed {
			if q := rec[k]; q.start < r.end && r.start < q.end {
				busy = append(busy, span{off[k], off[k] + roundUp(q.n)})
			}
		}
		slices.SortFunc(busy, func(a, b span) int { return a.lo - b.lo })
		o := 0
		for _, s := range busy {
			if o+roundUp(r.n) <= s.lo {
				break
			}
			o = max(o, s.hi)
		}
		off[i] = o
		placed = append(placed, i)
		size = max(size, o+roundUp(r.n))
	}
	p := &stepPlan{slots: make(map[int][]int), size: size}
	for i, r := range rec {
		p.slots[r.n] = append(p.slots[r.n], off[i])
	}
	return p
}

// roundUp rounds n elements up to a whole number of planAlign.
func roundUp(n int) int { return (n + planAlign - 1) / planAlign * planAlign }

// resetPlans forgets every plan and the arena, for SetPooling(false).
// Buffers of the arena still in use stay valid; they go to the garbage
// collector when released.
func resetPlans() {
	pl := &planner
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if len(pl.inUse) == 0 {
		pl.dropArena()
	}
	// An arena with buffers in use stays mapped, its pages with them.
	pl.arena, pl.mapped, pl.base, pl.end = nil, false, 0, 0
	pl.plans, pl.inUse = nil, nil
	pl.key, pl.cur, pl.rec, pl.recLive, pl.seen = "", nil, nil, nil, nil
	stepping.Store(false)
	recording.Store(false)
}
