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
	fn        func(lo, hi int)
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
		j.fn(i*j.n/j.pieces, (i+1)*j.n/j.pieces)
	}
}

var jobs = sync.Pool{New: func() any { return new(job) }}

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
	j := jobs.Get().(*job)
	j.fn, j.n, j.pieces = fn, n, min(n/grain, 4*parts)
	j.next.Store(0)
	j.wg.Add(parts - 1)
	for i := 0; i < parts-1; i++ {
		tasks <- task{j}
	}
	j.run()
	j.wg.Wait()
	j.fn = nil
	jobs.Put(j)
}

// active counts Parallel calls in flight. Workers run fn directly, so a
// Parallel call made from inside fn would wait on workers that are busy
// running its own caller: such nested calls run serially instead.
var active atomic.Int32

func enterParallel() bool { return active.CompareAndSwap(0, 1) }
func leaveParallel()      { active.Store(0) }
