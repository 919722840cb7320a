package bench

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ivadogo/ivadogo/kernels"
	"github.com/ivadogo/ivadogo/tensor"
)

// Setup prepares a case: it allocates and fills the buffers and returns
// op, one timed call of the case (op is called many times; it must reuse the
// buffers). A Setup returns ErrNotAvailable for a case it does not run yet.
type Setup func(c Case) (op func(), err error)

// ErrNotAvailable is returned for cases whose kernels or models ivadogo
// does not have yet; they are left out of a run rather than failed.
var ErrNotAvailable = errors.New("not available yet")

var (
	setupMu sync.Mutex
	setups  = map[string]Setup{} // by kind, or by case name
)

// Register makes s the setup of every case whose Kind is key, or of the one
// case named key (a name takes precedence over a kind). The kernel kinds
// (gemm, conv2d, conv3d, mem) are registered by this package; the models
// register the model cases. Register panics when key is taken.
func Register(key string, s Setup) {
	setupMu.Lock()
	defer setupMu.Unlock()
	if _, dup := setups[key]; dup {
		panic("bench: setup registered twice: " + key)
	}
	setups[key] = s
}

// Prepare returns the timed operation of c.
func Prepare(c Case) (op func(), err error) {
	setupMu.Lock()
	s, ok := setups[c.Name]
	if !ok {
		s, ok = setups[c.Kind]
	}
	setupMu.Unlock()
	if !ok {
		return nil, fmt.Errorf("bench: %s: kind %q: %w", c.Name, c.Kind, ErrNotAvailable)
	}
	op, err = s(c)
	if err != nil {
		return nil, fmt.Errorf("bench: %s: %w", c.Name, err)
	}
	return op, nil
}

// Options are the measurement rules; the zero value gives the peer
// benchmark's defaults.
type Options struct {
	Warmup  int     // untimed calls before timing, at least 2 (default 2)
	MinReps int     // at least 5 (default 5)
	MaxReps int     // default 50
	Target  float64 // seconds of timed calls to aim at (default 1)
	Threads int     // workers for the kernels (default 2)
	Peer    string  // the "peer" field of the results (default "ivadogo")
}

func (o Options) withDefaults() Options {
	if o.Warmup < 2 {
		o.Warmup = 2
	}
	if o.MinReps < 5 {
		o.MinReps = 5
	}
	if o.MaxReps < o.MinReps {
		o.MaxReps = max(50, o.MinReps)
	}
	if o.Target <= 0 {
		o.Target = 1
	}
	if o.Threads <= 0 {
		o.Threads = 2
	}
	if o.Peer == "" {
		o.Peer = "ivadogo"
	}
	return o
}

// Result is one measured case, in the JSON line format of peer_torch.py.
type Result struct {
	Case    string   `json:"case"`
	Kind    string   `json:"kind"`
	MS      float64  `json:"ms"` // median of the timed calls
	GFLOPS  *float64 `json:"gflops"`
	GBPS    *float64 `json:"gbps,omitempty"`
	Flops   float64  `json:"flops,omitempty"`
	Bytes   float64  `json:"bytes,omitempty"`
	MSMin   float64  `json:"ms_min"`
	MSMax   float64  `json:"ms_max"`
	Reps    int      `json:"reps"`
	Threads int      `json:"threads"`
	Tier    string   `json:"tier"`
	Peer    string   `json:"peer"`
}

// now is the clock of Run (a variable so that tests can drive it).
var now = time.Now

// Run prepares c and times it: Warmup untimed calls, then enough timed
// calls to fill about Target seconds (clamped to [MinReps, MaxReps]); the
// reported time is the median.
func Run(c Case, o Options) (Result, error) {
	o = o.withDefaults()
	defer kernels.SetWorkers(kernels.SetWorkers(o.Threads))
	if runtime.GOMAXPROCS(0) < o.Threads {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(o.Threads))
	}
	// Each case starts as a process that runs only it would: an empty
	// tensor pool and a collected heap, not the buffers and garbage the
	// cases before it left.
	tensor.SetPooling(tensor.SetPooling(false))
	runtime.GC()
	op, err := Prepare(c)
	if err != nil {
		return Result{}, err
	}
	var first time.Duration
	for i := 0; i < o.Warmup; i++ {
		t0 := now()
		op()
		first = now().Sub(t0)
	}
	reps := o.MinReps
	if first > 0 {
		reps = int(o.Target / first.Seconds())
	}
	reps = min(max(reps, o.MinReps), o.MaxReps)
	ms := make([]float64, reps)
	for i := range ms {
		t0 := now()
		op()
		ms[i] = float64(now().Sub(t0).Nanoseconds()) / 1e6
	}
	return makeResult(c, o, ms), nil
}

func makeResult(c Case, o Options, ms []float64) Result {
	slices.Sort(ms)
	med := median(ms)
	r := Result{
		Case: c.Name, Kind: c.Kind, MS: round(med, 4), MSMin: round(ms[0], 4), MSMax: round(ms[len(ms)-1], 4),
		Reps: len(ms), Threads: o.Threads, Tier: kernels.Tier(), Peer: o.Peer,
	}
	if c.Kind == "mem" {
		r.Bytes = c.Bytes
		g := round(c.Bytes/(med/1e3)/1e9, 2)
		r.GBPS = &g
	} else {
		r.Flops = c.Flops
		g := round(c.Flops/(med/1e3)/1e9, 2)
		r.GFLOPS = &g
	}
	return r
}

// median of sorted values.
func median(s []float64) float64 {
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

// Throughput returns the case's work per second for one call of d: GFLOP/s,
// or GB/s for mem cases, with the unit name for b.ReportMetric.
func Throughput(c Case, d time.Duration) (float64, string) {
	if c.Kind == "mem" {
		return c.Bytes / d.Seconds() / 1e9, "GB/s"
	}
	return c.Flops / d.Seconds() / 1e9, "GFLOP/s"
}

// Summary formats results as the short table printed after a run.
func Summary(rs []Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-40s %10s %10s\n", "case", "ms", "GFLOP/s|GB/s")
	for _, r := range rs {
		v := 0.0
		if r.GFLOPS != nil {
			v = *r.GFLOPS
		} else if r.GBPS != nil {
			v = *r.GBPS
		}
		fmt.Fprintf(&b, "%-40s %10.3f %10.2f\n", r.Case, r.MS, v)
	}
	return b.String()
}
