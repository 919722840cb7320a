package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// job is one Parallel call: its range is cut into pieces that the caller
// and the helping workers take in turn from an atomic counter, so that a
// goroutine the OS (or a busy neighbour on a shared machine) holds back
// delays only the pieces it is running, not a fixed half of the work.
type job struct {
	body      rangeJob
	n, pieces int
	next      atomic.Int64
	wg        sync.WaitGroup
}

// run takes pieces until none is left.
func (j *job) run() {
	for {
		i := int(j.next.Add(1) - 1)
		if i >= j.pieces {
			return
		}
		if pieceHook != nil {
			pieceHook(i)
		}
		j.body.run(i*j.n/j.pieces, (i+1)*j.n/j.pieces)
	}
}

// pieceHook, when set (by tests only, while no kernel runs), is called
// before each piece of a parallel job, to perturb which goroutine takes
// which piece.
var pieceHook func(piece int)

// jobs holds idle jobs. A free list rather than a sync.Pool, which a
// garbage collection empties: steady-state calls allocate nothing.
var jobs jobList

// task hands a job to a worker.
type task struct{ j *job }

var (
	poolMu   sync.Mutex
	poolSize atomic.Int32 // number of goroutines taking part, caller included
	tasks    chan task
	started  int // worker goroutines running
)

func init() {
	SetWorkers(runtime.GOMAXPROCS(0))
}

// Workers returns how many goroutines, the caller's included, a Parallel
// call spreads its work over.
func Workers() int { return int(poolSize.Load()) }

// SetWorkers sets the number of goroutines Parallel uses (at least 1) and
// returns the previous value. Workers are started lazily and never stopped;
// lowering the count only stops handing them work.
func SetWorkers(n int) (old int) {
	if n < 1 {
		n = 1
	}
	poolMu.Lock()
	defer poolMu.Unlock()
	if tasks == nil {
		tasks = make(chan task, 256)
	}
	for started < n-1 {
		go worker()
		started++
	}
	return int(poolSize.Swap(int32(n)))
}

func worker() {
	for t := range tasks {
		t.j.run()
		t.j.wg.Done()
	}
}

// Parallel calls fn on disjoint half-open ranges [lo, hi) that together
// cover [0, n), using up to Workers goroutines. No range is shorter than
// grain unless n itself is; grain < 1 counts as 1. The range is cut into
// up to four pieces per goroutine, taken in turn, so one goroutine may run
// several ranges, in increasing order. The caller's goroutine takes part,
// and Parallel returns when all are done. fn must be safe to run
// concurrently on different ranges. Nested calls run serially in the
// calling goroutine, which keeps the pool deadlock-free.
func Parallel(n, grain int, fn func(lo, hi int)) {
	parallelJob(n, grain, funcJob(fn))
}

// rangeJob is the body of a parallel loop. Hot kernels implement it with a
// pointer to a struct of their arguments taken from a jobList: converting
// that pointer to an interface does not allocate, whereas a closure handed
// to the workers escapes to the heap on every call.
type rangeJob interface{ run(lo, hi int) }

// funcJob adapts a closure to rangeJob for Parallel.
type funcJob func(lo, hi int)

func (f funcJob) run(lo, hi int) { f(lo, hi) }

// parallelJob is Parallel with the body given as a rangeJob.
func parallelJob(n, grain int, body rangeJob) {
	if n <= 0 {
		return
	}
	if grain < 1 {
		grain = 1
	}
	parts := Workers()
	if m := n / grain; m < parts {
		parts = m
	}
	if parts <= 1 || !enterParallel() {
		body.run(0, n)
		return
	}
	defer leaveParallel()
	j := getJob[job](&jobs)
	j.body, j.n, j.pieces = body, n, min(n/grain, 4*parts)
	j.next.Store(0)
	j.wg.Add(parts - 1)
	for i := 0; i < parts-1; i++ {
		tasks <- task{j}
	}
	j.run()
	j.wg.Wait()
	j.body = nil
	keepJob(&jobs, j)
}

// active counts Parallel calls in flight. Workers run fn directly, so a
// Parallel call made from inside fn would wait on workers that are busy
// running its own caller: such nested calls run serially instead.
var active atomic.Int32

func enterParallel() bool { return active.CompareAndSwap(0, 1) }
func leaveParallel()      { active.Store(0) }

// jobList is a free list of argument bundles (pointers to structs) for
// parallelJob, so that steady-state kernel calls reuse them instead of
// allocating. Unlike a sync.Pool it survives garbage collections.
type jobList struct {
	mu   sync.Mutex
	free []any
}

// jobKeep bounds the bundles a list holds: one per concurrent caller.
const jobKeep = 16

// getJob returns a zeroed *J from l (nil l: a new one).
func getJob[J any](l *jobList) *J {
	if l != nil {
		l.mu.Lock()
		if k := len(l.free); k > 0 {
			if j, ok := l.free[k-1].(*J); ok {
				l.free[k-1] = nil
				l.free = l.free[:k-1]
				l.mu.Unlock()
				return j
			}
		}
		l.mu.Unlock()
	}
	return new(J)
}

// putJob zeroes j, dropping the slices it refers to, and gives it back to l.
// Fields that must outlive a call (reused buffers) are kept by callers
// that do not use putJob.
func putJob[J any](l *jobList, j *J) {
	var z J
	*j = z
	keepJob(l, j)
}

// keepJob gives j back to l as it is.
func keepJob[J any](l *jobList, j *J) {
	if l == nil {
		return
	}
	l.mu.Lock()
	if len(l.free) < jobKeep {
		l.free = append(l.free, j)
	}
	l.mu.Unlock()
}

// typedList picks the list of l for element type T: one per type, so
// that float32 and float64 bundles do not evict each other. Named element
// types get nil (a new bundle per call).
func typedList[T Float](l *[2]jobList) *jobList {
	var z T
	switch any(z).(type) {
	case float32:
		return &l[0]
	case float64:
		return &l[1]
	}
	return nil
}
