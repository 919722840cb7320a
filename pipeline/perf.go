package pipeline

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ivadogo/ivadogo/kernels"
	"github.com/ivadogo/ivadogo/pipeline/transforms"
	"github.com/ivadogo/ivadogo/tensor"
)

// phaseTimer sums the wall time an epoch spends in each of its phases, in
// the order the phases first appear, for the per-epoch debug line that
// says where the seconds go.
type phaseTimer struct {
	names []string
	d     map[string]time.Duration
	last  time.Time
	// draw is the time the loader's workers spent drawing and assembling
	// batches, summed over workers (they run beside the model, so it is
	// not part of the epoch's wall time unless the model waits: "wait").
	draw atomic.Int64
	// hwm is the process's peak RSS at the last mark, and rose how much
	// each phase raised it: the phase that sets a run's peak is the one
	// to work on for memory.
	hwm  int64
	rose map[string]int64
}

func newPhaseTimer() *phaseTimer {
	return &phaseTimer{d: map[string]time.Duration{}, rose: map[string]int64{}, last: time.Now(), hwm: peakRSS()}
}

// mark adds the time since the previous mark to phase name; p may be nil.
func (p *phaseTimer) mark(name string) {
	if p == nil {
		return
	}
	now := time.Now()
	if _, ok := p.d[name]; !ok {
		p.names = append(p.names, name)
	}
	p.d[name] += now.Sub(p.last)
	if h := peakRSS(); h > p.hwm {
		p.rose[name] += h - p.hwm
		p.hwm = h
	}
	p.last = time.Now()
}

// addDraw records one worker's draw time; p may be nil.
func (p *phaseTimer) addDraw(d time.Duration) {
	if p != nil {
		p.draw.Add(int64(d))
	}
}

// reset starts a new epoch.
func (p *phaseTimer) reset() {
	p.names = p.names[:0]
	clear(p.d)
	clear(p.rose)
	p.draw.Store(0)
	p.last = time.Now()
}

// String is "phase 1.23s, phase 0.04s, …, loader workers 0.50s; peak RSS
// rose in phase +12.3 MB, …".
func (p *phaseTimer) String() string {
	var b strings.Builder
	var total time.Duration
	for _, n := range p.names {
		fmt.Fprintf(&b, "%s %.3fs, ", n, p.d[n].Seconds())
		total += p.d[n]
	}
	fmt.Fprintf(&b, "sum %.3fs; loader workers %.3fs", total.Seconds(), time.Duration(p.draw.Load()).Seconds())
	sep := "; peak RSS rose in "
	for _, n := range p.names {
		if r := p.rose[n]; r >= 50e3 { // what prints as +0.1 MB or more
			fmt.Fprintf(&b, "%s%s +%.1f MB", sep, n, float64(r)/1e6)
			sep = ", "
		}
	}
	return b.String()
}

// timedSet adds the time its workers spend drawing and assembling
// samples to a phaseTimer.
type timedSet struct {
	sampleSet
	pt *phaseTimer
}

func (t timedSet) drawAt(i int, r *rand.Rand, soft bool) (*transforms.Sample, *transforms.Record, error) {
	t0 := time.Now()
	defer func() { t.pt.addDraw(time.Since(t0)) }()
	return t.sampleSet.drawAt(i, r, soft)
}

func (t timedSet) assemble(ss []*transforms.Sample, mult int) *batch {
	t0 := time.Now()
	defer func() { t.pt.addDraw(time.Since(t0)) }()
	return t.sampleSet.assemble(ss, mult)
}

// memoryLine reports where the process's memory is: the Go heap in use
// and obtained from the system, what the runtime returned to the system,
// the tensor pool (free buffers held, and the most tensors and large
// kernel scratch in use at once since the last line: a step's working
// set) and the kernels' own small scratch buffers.
func memoryLine() string {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	ps := tensor.Pool()
	tensor.ResetPeakLive()
	return fmt.Sprintf("RSS %.0f MB, heap in use %.0f MB, heap from OS %.0f MB (released %.0f MB), Go total %.0f MB, tensor pool %.0f MB free (hits %d, misses %d), step arena %.0f MB (served %d, fell back %d), peak in use %.0f MB, kernel scratch %.0f MB, GCs %d, minor page faults %d",
		float64(currentRSS())/1e6, float64(ms.HeapInuse)/1e6, float64(ms.HeapSys)/1e6, float64(ms.HeapReleased)/1e6, float64(ms.Sys)/1e6,
		float64(ps.HeldBytes)/1e6, ps.Hits, ps.Misses, float64(ps.ArenaBytes)/1e6, ps.Planned, ps.Fallbacks,
		float64(ps.PeakLiveBytes)/1e6, float64(kernels.ScratchBytes())/1e6, ms.NumGC, minorFaults())
}
