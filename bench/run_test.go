package bench

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// Run calls the op Warmup + reps times and reports the median of the timed
// calls, whose durations a fake op controls.
func TestRunTakesTheMedian(t *testing.T) {
	calls := 0
	durs := []time.Duration{0, 0, 3, 1, 2, 9, 2} // ms: 2 warmups, then 5 timed
	clock := time.Unix(0, 0)
	defer func(f func() time.Time) { now = f }(now)
	now = func() time.Time { return clock }
	Register("test-median", func(c Case) (func(), error) {
		return func() {
			clock = clock.Add(durs[calls%len(durs)] * time.Millisecond)
			calls++
		}, nil
	})
	c := Case{Name: "test-median", Kind: "gemm", Flops: 1e9}
	r, err := Run(c, Options{MaxReps: 5, Target: 1e-9})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 7 || r.Reps != 5 {
		t.Fatalf("%d calls and %d reps, want 2 warmup + 5 timed", calls, r.Reps)
	}
	if r.MS != 2 || r.MSMin != 1 || r.MSMax != 9 || *r.GFLOPS != 500 {
		t.Errorf("ms = %v (min %v, max %v), want the median of 1,2,2,3,9 ms", r.MS, r.MSMin, r.MSMax)
	}
	if r.GFLOPS == nil || r.GBPS != nil || r.Threads != 2 || r.Peer != "ivadogo" {
		t.Errorf("result %+v: want gflops only, 2 threads, peer ivadogo", r)
	}
	line, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{`"case":"test-median"`, `"ms":`, `"gflops":`, `"peer":"ivadogo"`, `"reps":5`, `"threads":2`} {
		if !strings.Contains(string(line), f) {
			t.Errorf("JSON line %s lacks %s", line, f)
		}
	}
}

func TestRunMemReportsBandwidth(t *testing.T) {
	clock := time.Unix(0, 0)
	defer func(f func() time.Time) { now = f }(now)
	now = func() time.Time { return clock }
	Register("test-mem", func(c Case) (func(), error) { return func() { clock = clock.Add(4 * time.Millisecond) }, nil })
	r, err := Run(Case{Name: "test-mem", Kind: "mem", Bytes: 1e6}, Options{MaxReps: 5, Target: 1e-9})
	if err != nil {
		t.Fatal(err)
	}
	line, _ := json.Marshal(r)
	if r.GBPS == nil || *r.GBPS != 0.25 || !strings.Contains(string(line), `"gflops":null`) {
		t.Errorf("mem result %s: want gbps 0.25 (1 MB in 4 ms) and gflops null", line)
	}
}

func TestPrepareUnknownKind(t *testing.T) {
	_, err := Prepare(Case{Name: "x", Kind: "teleport"})
	if !errors.Is(err, ErrNotAvailable) || !strings.Contains(err.Error(), "teleport") {
		t.Errorf("err = %v, want ErrNotAvailable naming the kind", err)
	}
}

// Every kernel case that has a setup runs one call without panicking, on
// shapes shrunk to keep the test fast.
func TestKernelSetupsRun(t *testing.T) {
	for _, c := range Cases() {
		if c.Kind == "model" {
			continue
		}
		small := c
		small.M, small.K = min(c.M, 9), min(c.K, 7)
		if c.Kind == "gemm" {
			small.N = min(c.N, 11)
		} else if c.Kind != "mem" {
			small.N = 1
			small.Cin, small.Cout = min(c.Cin, 3), min(c.Cout, 4)
			small.Spatial = make([]int, len(c.Spatial))
			for i := range small.Spatial {
				small.Spatial[i] = 6
			}
		}
		if c.Kind == "mem" {
			small.Shape = append([]int{1, 2}, make([]int, len(c.Shape)-2)...)
			for i := 2; i < len(small.Shape); i++ {
				small.Shape[i] = 6
			}
		}
		op, err := Prepare(small)
		if errors.Is(err, ErrNotAvailable) {
			t.Logf("%s: %v", c.Name, err)
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		op()
	}
}
