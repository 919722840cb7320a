//go:build !purego

package kernels

import (
	"runtime"
	"sync/atomic"
)

// The batch norm backward for channels too large for one core's L2.
//
// batchNormBackwardHook's pipeline re-reads a channel's dy and x to write
// its dx while the next channel's stream in to be summed: two channels of
// dy and x in one L2. Where a channel's dy and x fill half of L2 or more
// (batch norm 8×32×128²: 1 MB a channel against 2 MB), the re-read misses
// and the backward ran 20 % slower than the same tensor cut in channels
// half as large (1.07 against 0.88 ms). Here two tasks share every
// channel instead: each sums and writes one half of the channel's planes,
// so that each core's L2 holds half a channel of the pipeline.
//
// A task needs the other half's sums before it writes a channel. They
// are exchanged through per-(channel, half) states: a task sums its half
// of channel ch+1 while it writes its half of ch, unless the other task
// got there first; a task that finds the other half's sums not started
// computes them itself. So the tasks never wait on a task that is not
// running (one worker runs them one after the other), and the sums are
// the same whoever computed them: each half's planes are summed first to
// last, and the two halves added in order.

// normCoopUnit is the smallest channel, in bytes of dy and x, for which
// batch norm's backward takes bnBwdCoopJob: half of L2.
func normCoopUnit() int {
	if normCoopMin > 0 {
		return normCoopMin
	}
	_, l2 := cacheSizes()
	return l2 / 2
}

// normCoopMin, when positive, replaces normCoopUnit (tests).
var normCoopMin int

// coopSumHook, when set, runs as bnBwdCoopJob.sum starts on a half
// channel (tests: a slow task).
var coopSumHook func(ch, h int)

// The states of a half channel's sums.
const (
	halfTodo int32 = iota
	halfBusy
	halfDone
)

// bnBwdCoopJob holds batchNormBackwardHook's arguments for the two tasks
// that share its channels, and their exchange: sums[2·ch+h] are Σdy and
// Σdy·x over half h of channel ch's planes, valid once state[2·ch+h] is
// halfDone.
type bnBwdCoopJob struct {
	n, c, s                                       int
	x, dy, gamma, mean, invstd, dx, dgamma, dbeta []float32
	M                                             float64
	out                                           normOut
	sums                                          [][2]float64
	state                                         []atomic.Int32
}

var bnBwdCoopJobs jobList

// batchNormBackwardCoop runs the backward as bnBwdCoopJob (n ≥ 2).
func batchNormBackwardCoop(n, c, s int, x, dy, gamma, mean, invstd, dx, dgamma, dbeta []float32, M float64, out normOut) {
	j := getJob[bnBwdCoopJob](&bnBwdCoopJobs)
	sums, state := j.sums, j.state
	if cap(sums) < 2*c {
		sums, state = make([][2]float64, 2*c), make([]atomic.Int32, 2*c)
	}
	*j = bnBwdCoopJob{n, c, s, x, dy, gamma, mean, invstd, dx, dgamma, dbeta, M, out, sums[:2*c], state[:2*c]}
	for i := range j.state {
		j.state[i].Store(halfTodo)
	}
	parallelJob(2, 1, j)
	// Keep the exchange arrays for the next call, drop the tensors.
	*j = bnBwdCoopJob{sums: j.sums, state: j.state}
	keepJob(&bnBwdCoopJobs, j)
}

func (j *bnBwdCoopJob) run(lo, hi int) {
	for h := lo; h < hi; h++ {
		j.half(h)
	}
}

// planes returns the planes [p0, p1) of half h.
func (j *bnBwdCoopJob) planes(h int) (p0, p1 int) {
	if h == 0 {
		return 0, j.n / 2
	}
	return j.n / 2, j.n
}

// sum computes and publishes the sums of half h of channel ch, which the
// caller has claimed.
func (j *bnBwdCoopJob) sum(ch, h int) {
	if coopSumHook != nil {
		coopSumHook(ch, h)
	}
	p0, p1 := j.planes(h)
	var sdy, sdyx float64
	for i := p0; i < p1; i++ {
		o := (i*j.c + ch) * j.s
		a, b := mk.sumDot(j.dy[o:o+j.s], j.x[o:o+j.s])
		sdy += a
		sdyx += b
	}
	j.sums[2*ch+h] = [2]float64{sdy, sdyx}
	j.state[2*ch+h].Store(halfDone)
}

// claim reports whether the caller is the one to compute half h of
// channel ch's sums.
func (j *bnBwdCoopJob) claim(ch, h int) bool {
	return j.state[2*ch+h].CompareAndSwap(halfTodo, halfBusy)
}

// halfSums returns half h of channel ch's sums, computing them if no task
// has started them and waiting for the one that has.
func (j *bnBwdCoopJob) halfSums(ch, h int) [2]float64 {
	if j.claim(ch, h) {
		j.sum(ch, h)
	}
	for spins := 1; j.state[2*ch+h].Load() != halfDone; spins++ {
		if spins%64 == 0 {
			runtime.Gosched()
		}
	}
	return j.sums[2*ch+h]
}

// half writes half h of every channel's dx, summing its half of the next
// channel in the same loop, as batchNormBackwardHook does by channels.
func (j *bnBwdCoopJob) half(h int) {
	c, s, x, dy, dx, out := j.c, j.s, j.x, j.dy, j.dx, j.out
	p0, p1 := j.planes(h)
	// This half of the first channel first, before the other's: the
	// planes this task will write.
	if j.claim(0, h) {
		j.sum(0, h)
	}
	for ch := 0; ch < c; ch++ {
		q0, q1 := j.halfSums(ch, 0), j.halfSums(ch, 1)
		sdy, sdyx := q0[0]+q1[0], q0[1]+q1[1]
		mu, is := float64(j.mean[ch]), float64(j.invstd[ch])
		dg := is * (sdyx - mu*sdy)
		if h == 0 {
			// Both tasks compute the same; one writes.
			if j.dgamma != nil {
				j.dgamma[ch] = float32(dg)
			}
			if j.dbeta != nil {
				j.dbeta[ch] = float32(sdy)
			}
		}
		g := 1.0
		if j.gamma != nil {
			g = float64(j.gamma[ch])
		}
		a := g * is
		b := -g * is * is * dg / j.M
		cc := -b*mu - a*sdy/j.M
		next := ch+1 < c && j.claim(ch+1, h)
		var ndy, ndyx float64
		// The planes are written last first, the likeliest in cache
		// first, and the next channel's summed first to last, as sum does.
		for i := p0; i < p1; i++ {
			o := ((p0+p1-1-i)*c + ch) * s
			if next {
				on := (i*c + ch + 1) * s
				p, q := out.sumDotAxpbyc(dx[o:o+s], dy[o:o+s], x[o:o+s], float32(a), float32(b), float32(cc), dy[on:on+s], x[on:on+s])
				ndy += p
				ndyx += q
			} else {
				out.axpbyc(dx[o:o+s], dy[o:o+s], x[o:o+s], float32(a), float32(b), float32(cc))
			}
		}
		if next {
			j.sums[2*(ch+1)+h] = [2]float64{ndy, ndyx}
			j.state[2*(ch+1)+h].Store(halfDone)
		}
	}
}
