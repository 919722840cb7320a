package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// task is one range of a Parallel call handed to a worker.
type task struct {
	fn     func(lo, hi int)
	lo, hi int
	wg     *sync.WaitGroup
}

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
		t.fn(t.lo, t.hi)
		t.wg.Done()
	}
}

// Parallel calls fn on disjoint half-open ranges [lo, hi) that together
// cover [0, n), using up to Workers goroutines. No range is shorter than
// grain unless n itself is; grain < 1 counts as 1. The caller's goroutine
// runs one of the ranges, and Parallel returns when all are done. fn must
// be safe to run concurrently on different ranges. Nested calls run
// serially in the calling goroutine, which keeps the pool deadlock-free.
func Parallel(n, grain int, fn func(lo, hi int)) {
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
		fn(0, n)
		return
	}
	defer leaveParallel()
	var wg sync.WaitGroup
	wg.Add(parts - 1)
	chunk, rem := n/parts, n%parts
	lo := 0
	for i := 0; i < parts; i++ {
		hi := lo + chunk
		if i < rem {
			hi++
		}
		if i == parts-1 {
			fn(lo, hi)
		} else {
			tasks <- task{fn: fn, lo: lo, hi: hi, wg: &wg}
		}
		lo = hi
	}
	wg.Wait()
}

// active counts Parallel calls in flight. Workers run fn directly, so a
// Parallel call made from inside fn would wait on workers that are busy
// running its own caller: such nested calls run serially instead.
var active atomic.Int32

func enterParallel() bool { return active.CompareAndSwap(0, 1) }
func leaveParallel()      { active.Store(0) }
