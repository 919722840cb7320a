package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// job is one Parallel call: its range is cut into pieces that the caller
// and the helping workers take in turn from an atomic cursor, so that a
// goroutine the OS (or a busy neighbour on a shared machine) holds back
// delays only the pieces it is running, not a fixed half of the work.
//
// The pieces shrink as the range runs out (guided scheduling): each is
// the remainder over twice the goroutines, but no shorter than minLen.
// Long pieces first keep the number of pieces, and so their overhead,
// small; short pieces last keep short the time the first goroutine to
// run out waits for the others' last piece. Where a piece ends depends
// only on where it starts, never on which goroutine takes it or when.
type job struct {
	body             rangeJob
	n, parts, minLen int
	next             atomic.Int64
	left             atomic.Int32 // helpers that have not finished
	wg               sync.WaitGroup
}

// guidedMin bounds the number of short pieces at the end of a job: none
// is shorter than the range over guidedMin·parts. With four equal pieces
// per goroutine, the caller spent 44 ms of a 560 ms 2D U-Net train step
// waiting on its helper's last piece. Guided pieces and spinning (see
// spinTime) together took the benchmark's model steps 9–25 % less time
// (4 interleaved rounds: unet2d train 610 → 549 ms, unet3d f8 train
// 235 → 201 ms, inference 73 → 59 ms).
const guidedMin = 16

// run takes pieces until none is left.
func (j *job) run() {
	for {
		lo := int(j.next.Load())
		if lo >= j.n {
			return
		}
		hi := j.end(lo)
		if !j.next.CompareAndSwap(int64(lo), int64(hi)) {
			continue
		}
		if pieceHook != nil {
			pieceHook(lo)
		}
		j.body.run(lo, hi)
	}
}

// end returns the end of the piece that starts at lo.
func (j *job) end(lo int) int {
	rem := j.n - lo
	c := max(j.minLen, (rem+2*j.parts-1)/(2*j.parts))
	if rem-c < j.minLen {
		return j.n
	}
	return lo + c
}

// pieceHook, when set (by tests only, while no kernel runs), is called
// with the start of each piece of a parallel job before it runs, to
// perturb which goroutine takes which piece.
var pieceHook func(lo int)

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

// spinning reports whether idle workers, and a caller waiting for them,
// poll for spinTime before they block: only while every goroutine taking
// part can run at once (Workers ≤ GOMAXPROCS). Otherwise a polling
// goroutine would hold the thread that the one it waits for needs. It
// is asked at each wait, as GOMAXPROCS may change while a process runs
// (the runtime follows a container's CPU limit).
func spinning() bool { return Workers() <= runtime.GOMAXPROCS(0) }

// spinTime is how long a worker polls for its next task, and a caller for
// its helpers to finish, before blocking. A blocked thread takes long to
// wake on a virtual machine: on the 2-vCPU KVM machine of the benchmarks
// a worker started its task 100–112 µs after it was sent, on average
// over the 530 parallel calls of a 2D U-Net train step (3–20 ms of work
// each), and a quarter of the tasks came after the caller had run every
// piece itself. Polling for 200 µs cut that wait to 20 µs and the late
// tasks to a fortieth. Between steps, or while the caller waits for
// data, the workers block after 200 µs and leave the cores to others.
const spinTime = 200 * time.Microsecond

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
	for {
		t := nextTask()
		t.j.run()
		t.j.left.Add(-1)
		t.j.wg.Done()
	}
}

// nextTask waits for a task, polling for spinTime (see spinning) before
// it blocks.
func nextTask() task {
	if spinning() {
		for t0 := time.Now(); time.Since(t0) < spinTime; {
			select {
			case t := <-tasks:
				return t
			default:
			}
		}
	}
	return <-tasks
}

// Parallel calls fn on disjoint half-open ranges [lo, hi) that together
// cover [0, n), using up to Workers goroutines. No range is shorter than
// grain unless n itself is; grain < 1 counts as 1. The range is cut into
// pieces that shrink towards its end (see job), taken in turn, so one
// goroutine may run several ranges, in increasing order. The caller's
// goroutine takes part, and Parallel returns when all are done. fn must
// be safe to run concurrently on different ranges. Nested calls run
// serially in the calling goroutine, which keeps the pool deadlock-free.
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
	j.body, j.n, j.parts = body, n, parts
	j.minLen = max(grain, (n+guidedMin*parts-1)/(guidedMin*parts))
	j.next.Store(0)
	j.left.Store(int32(parts - 1))
	j.wg.Add(parts - 1)
	for i := 0; i < parts-1; i++ {
		tasks <- task{j}
	}
	j.run()
	if spinning() {
		for t0 := time.Now(); j.left.Load() > 0 && time.Since(t0) < spinTime; {
		}
	}
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
