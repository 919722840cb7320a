package tensor

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// freshPlanner starts a test from no plan, no arena and an empty pool,
// and restores pooling afterwards.
func freshPlanner(t *testing.T) {
	t.Helper()
	old := SetPooling(false)
	SetPooling(true)
	t.Cleanup(func() {
		SetPooling(false)
		SetPooling(old)
	})
}

// stepOps is a fake training step: a list of requests, each released
// after the request whose index is its entry in until (len(sizes) for one
// kept to the end of the step).
type stepOps struct {
	sizes []int
	until []int
}

// randomStep makes n requests of planMin to 16·planMin bytes (some
// lengths repeated, as a network's layers repeat shapes) with random
// lifetimes.
func randomStep(r *rand.Rand, n int) stepOps {
	lens := make([]int, 5)
	for i := range lens {
		lens[i] = planMin/4 + r.IntN(15*planMin/4)
	}
	var s stepOps
	for i := range n {
		s.sizes = append(s.sizes, lens[r.IntN(len(lens))])
		s.until = append(s.until, i+1+r.IntN(n-i))
	}
	return s
}

// run performs the step between StartStep and EndStep. Each tensor is
// filled with its own value when made and checked when released, so that
// two tensors sharing memory while both in use fail the test.
func (s stepOps) run(t *testing.T, key string, tag float32) {
	t.Helper()
	defer StartStep(key).End()
	live := map[int]*Dense[float32]{}
	check := func(i int) {
		d := live[i]
		want := tag + float32(i)
		for k, v := range d.Data() {
			if v != want {
				t.Fatalf("step %q: tensor %d (%d elements) holds %v at %d, want %v: its buffer was shared", key, i, d.Len(), v, k, want)
			}
		}
		d.Release()
		delete(live, i)
	}
	for i, n := range s.sizes {
		d := Empty[float32](n)
		d.Fill(tag + float32(i))
		live[i] = d
		for j, u := range s.until[:i] {
			if u == i && live[j] != nil {
				check(j)
			}
		}
	}
	for _, i := range slices.Sorted(func(yield func(int) bool) {
		for i := range live {
			if !yield(i) {
				return
			}
		}
	}) {
		check(i)
	}
}

// TestStepPlan checks that the steps after the first of a key are served
// from the arena without a fallback and without two tensors in use at
// once sharing memory, that the arena is no larger than the layout needs,
// and that ReleaseFree drops it.
func TestStepPlan(t *testing.T) {
	freshPlanner(t)
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 7, 40} {
		s := randomStep(r, n)
		key := fmt.Sprint("random ", n)
		s.run(t, key, 0)
		planner.mu.Lock()
		p := planner.plans[key]
		planner.mu.Unlock()
		if p == nil {
			t.Fatalf("%s: no plan after the first step", key)
		}
		before := Pool()
		for k := 1; k <= 3; k++ {
			s.run(t, key, float32(1000*k))
		}
		after := Pool()
		if got, want := after.Planned-before.Planned, int64(3*n); got != want {
			t.Errorf("%s: %d requests served from the arena in 3 steps, want %d", key, got, want)
		}
		if fb := after.Fallbacks - before.Fallbacks; fb != 0 {
			t.Errorf("%s: %d fallbacks in steps that repeat the recording", key, fb)
		}
		if after.ArenaBytes < int64(p.size)*4 {
			t.Errorf("%s: arena of %d bytes for a layout of %d", key, after.ArenaBytes, p.size*4)
		}
	}
	if ReleaseFree(); Pool().ArenaBytes != 0 {
		t.Errorf("ReleaseFree left an arena of %d bytes", Pool().ArenaBytes)
	}
	// The next step makes the arena again.
	s := stepOps{sizes: []int{planMin, planMin}, until: []int{1, 2}}
	s.run(t, "again", 0)
	s.run(t, "again", 1)
	if Pool().ArenaBytes == 0 {
		t.Error("no arena after a step with a plan")
	}
}

// TestStepPlanChanges checks steps that do not repeat their recording: a
// different shape, more requests than recorded, and a tensor kept beyond
// its step, whose place the next step must not hand out.
func TestStepPlanChanges(t *testing.T) {
	freshPlanner(t)
	base := stepOps{sizes: []int{planMin, 2 * planMin, planMin}, until: []int{1, 3, 3}}
	base.run(t, "k", 0)
	fb := Pool().Fallbacks
	// An unknown length and one request more than recorded of a known one.
	other := stepOps{sizes: []int{planMin, 3 * planMin, planMin, planMin}, until: []int{4, 4, 4, 4}}
	other.run(t, "k", 10)
	if got := Pool().Fallbacks - fb; got < 1 {
		t.Errorf("a step with requests its plan lacks counted %d fallbacks", got)
	}
	// A tensor kept past its step.
	st := StartStep("k")
	kept := Empty[float32](2 * planMin)
	kept.Fill(7)
	st.End()
	base.run(t, "k", 20)
	for _, v := range kept.Data() {
		if v != 7 {
			t.Fatalf("a tensor kept past its step was overwritten by the next one: %v", v)
		}
	}
	kept.Release()
	base.run(t, "k", 30)
}

// TestStepPlanSmall checks that requests under planMin, and float64 ones,
// are left to the pool.
func TestStepPlanSmall(t *testing.T) {
	freshPlanner(t)
	before := Pool().Planned
	for k := range 3 {
		st := StartStep("small")
		a := Empty[float32](planMin/4 - 1)
		b := Empty[float64](planMin)
		a.Release()
		b.Release()
		st.End()
		if k == 0 {
			continue
		}
		if ps := Pool(); ps.Planned != before || ps.ArenaBytes != 0 {
			t.Fatalf("small and float64 requests: %d served from an arena of %d bytes", ps.Planned-before, ps.ArenaBytes)
		}
	}
}

// TestStepPlanConcurrent makes a step's requests from several goroutines
// at once, as the kernels' workers ask for scratch buffers, in whatever
// order they run: no two buffers in use may share memory (run with
// -race too).
func TestStepPlanConcurrent(t *testing.T) {
	freshPlanner(t)
	const workers, each = 4, 6
	before := Pool().Planned
	for step := range 6 {
		st := StartStep("workers")
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var mine []*Dense[float32]
				for i := range each {
					d := Empty[float32](planMin/4 + 1024*(i%2))
					v := float32(100*step + 10*w + i)
					d.Fill(v)
					mine = append(mine, d)
				}
				for i, d := range mine {
					v := float32(100*step + 10*w + i)
					for _, x := range d.Data() {
						if x != v {
							errs <- fmt.Errorf("step %d, worker %d, buffer %d holds %v, want %v", step, w, i, x, v)
							return
						}
					}
					d.Release()
				}
			}()
		}
		wg.Wait()
		st.End()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}
	if Pool().Planned == before {
		t.Error("no request was served from the arena")
	}
}

// TestStepOverlap checks steps begun while one is under way (nested, or
// from another goroutine): they plan nothing, ending them leaves the
// step under way alone, and ending a step twice does nothing.
func TestStepOverlap(t *testing.T) {
	freshPlanner(t)
	s := stepOps{sizes: []int{planMin, 2 * planMin}, until: []int{2, 2}}
	s.run(t, "outer", 0)
	outer := StartStep("outer")
	inner := StartStep("inner")
	if inner.gen != 0 {
		t.Fatal("a step begun during another is planned")
	}
	inner.End()
	if !stepping.Load() {
		t.Fatal("ending a nested step ended the one under way")
	}
	before := Pool().Planned
	a := Empty[float32](planMin)
	if Pool().Planned != before+1 {
		t.Error("after a nested step ended, the step under way no longer served its plan")
	}
	a.Release()
	outer.End()
	outer.End()
	if stepping.Load() {
		t.Fatal("a step is under way after End")
	}
	planner.mu.Lock()
	_, ok := planner.plans["inner"]
	planner.mu.Unlock()
	if ok {
		t.Error("a nested step left a plan")
	}
	ForgetSteps("out")
	planner.mu.Lock()
	_, ok = planner.plans["outer"]
	planner.mu.Unlock()
	if ok {
		t.Error("ForgetSteps left the plan of a key with its prefix")
	}
}

// TestLayout checks the arena layout on random recordings against its
// definition: requests alive at the same time do not overlap, every
// offset is page-aligned, and the arena is no smaller than the most in use
// at once nor larger than the sum of all requests.
func TestLayout(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 200 {
		n := 1 + r.IntN(60)
		rec := make([]planReq, n)
		for i := range rec {
			s := r.IntN(100)
			rec[i] = planReq{n: 1 + r.IntN(5*planAlign), start: s, end: s + 1 + r.IntN(40)}
			if r.IntN(10) == 0 {
				rec[i].end = -1 // still in use at the end
			}
		}
		const end = 200
		p := layout(slices.Clone(rec), end)
		// Recover each request's offset in recording order.
		next := map[int]int{}
		off := make([]int, n)
		for i, q := range rec {
			off[i] = p.slots[q.n][next[q.n]]
			next[q.n]++
		}
		peak, sum := 0, 0
		for i, a := range rec {
			ae := a.end
			if ae < 0 {
				ae = end
			}
			if off[i]%planAlign != 0 {
				t.Fatalf("trial %d: request %d at offset %d, not page-aligned", trial, i, off[i])
			}
			if off[i]+a.n > p.size {
				t.Fatalf("trial %d: request %d ends at %d past the arena's %d", trial, i, off[i]+a.n, p.size)
			}
			sum += roundUp(a.n)
			live := 0
			for j, b := range rec {
				be := b.end
				if be < 0 {
					be = end
				}
				if b.start <= a.start && a.start < be {
					live += roundUp(b.n)
				}
				if j != i && a.start < be && b.start < ae && off[i] < off[j]+b.n && off[j] < off[i]+a.n {
					t.Fatalf("trial %d: requests %d and %d are alive together and overlap", trial, i, j)
				}
			}
			peak = max(peak, live)
		}
		if p.size < peak || p.size > sum {
			t.Fatalf("trial %d: arena of %d elements for a peak of %d and a sum of %d", trial, p.size, peak, sum)
		}
	}
}

// TestRecordedKeptPastStep checks a buffer made in a recorded step and
// released after it: it stays valid until then, and its release hands
// its mapping back.
func TestRecordedKeptPastStep(t *testing.T) {
	freshPlanner(t)
	st := StartStep("kept")
	kept := Empty[float32](planMin)
	kept.Fill(3)
	tmp := Empty[float32](planMin)
	tmp.Release()
	st.End()
	s := stepOps{sizes: []int{planMin}, until: []int{1}}
	s.run(t, "other", 0)
	for _, v := range kept.Data() {
		if v != 3 {
			t.Fatalf("a recorded buffer kept past its step holds %v, want 3", v)
		}
	}
	kept.Release()
	planner.mu.Lock()
	n := len(planner.recMapped)
	planner.mu.Unlock()
	if n != 0 {
		t.Errorf("%d recorded buffers still mapped after their release", n)
	}
}
