package pipeline

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/nn"
	"github.com/ivadogo/ivadogo/pipeline/losses"
	"github.com/ivadogo/ivadogo/tensor"
)

// TestValidateReleases checks that validation hands every intermediate
// back (under NoGrad it once left ~70% of them to the garbage
// collector), and that, as in Train, its batches and the training steps
// around them are served from the step arena once each has been seen:
// validation's own layout must not cost the training step its own.
func TestValidateReleases(t *testing.T) {
	m := smallModel(t)
	lossFn, err := losses.Parse[float32]([]byte(`{"name": "DiceLoss"}`))
	if err != nil {
		t.Fatal(err)
	}
	// Large enough that the U-Net's tensors pass the arena's minimum.
	const n, h, w = 2, 64, 64
	x, y := make([]float32, n*h*w), make([]float32, n*h*w)
	for i := range x {
		x[i] = float32(i%7) / 7
		if i%5 == 0 {
			y[i] = 1
		}
	}
	step := func() {
		st := tensor.StartStep("train")
		loss := lossFn(nn.Run(m, nn.Input{X: autograd.Const(tensor.FromSlice(x, n, 1, h, w))}), autograd.Const(tensor.FromSlice(y, n, 1, h, w)))
		loss.Backward()
		loss.Release()
		st.End()
	}
	val := func() {
		ch := make(chan *batch, 1)
		ch <- &batch{x: x, y: y, n: n, c: 1, k: 1, h: h, w: w}
		close(ch)
		loss, dice, err := validate(m, ch, lossFn, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		if math.IsNaN(loss) || math.IsNaN(dice) {
			t.Fatalf("validation loss %v, Dice %v", loss, dice)
		}
	}
	step()
	step()
	live := tensor.Pool().LiveBytes
	val() // recorded
	if got := tensor.Pool().LiveBytes; got != live {
		t.Fatalf("%d bytes of tensors in use after validation, %d before: validation kept buffers", got, live)
	}
	before := tensor.Pool()
	val()
	step()
	after := tensor.Pool()
	if after.Planned == before.Planned || after.Fallbacks != before.Fallbacks {
		t.Errorf("a validation pass and a training step, both seen before: %d requests served from the arena, %d left to the pool",
			after.Planned-before.Planned, after.Fallbacks-before.Fallbacks)
	}
	if after.LiveBytes != live {
		t.Errorf("%d bytes of tensors in use after validation and a step, %d before", after.LiveBytes, live)
	}
}

// TestValidatePeak bounds what a validation pass keeps: with the
// parameters requiring gradients it kept every intermediate until the
// batch's Release, about as much as a training step holds at its peak;
// without, the U-Net hands its buffers back as the pass goes, and keeps
// about half of what a training step does at its peak. The
// parameters' gradient tracking comes back as it was, a frozen weight
// included.
func TestValidatePeak(t *testing.T) {
	nn.SetSeed(1)
	m, err := nn.Build("Unet", []byte(`{"depth": 2, "n_filters": 16}`))
	if err != nil {
		t.Fatal(err)
	}
	lossFn, err := losses.Parse[float32]([]byte(`{"name": "DiceLoss"}`))
	if err != nil {
		t.Fatal(err)
	}
	const n, h, w = 4, 32, 32
	x, y := make([]float32, n*h*w), make([]float32, n*h*w)
	for i := range x {
		x[i] = float32(i%7) / 7
		if i%5 == 0 {
			y[i] = 1
		}
	}
	ps := nn.Parameters(m)
	ps[0].SetRequiresGrad(false)
	nn.SetTraining(m, true)
	var stepPeak int64
	for range 2 {
		live := tensor.Pool().LiveBytes
		tensor.ResetPeakLive()
		loss := lossFn(nn.Run(m, nn.Input{X: autograd.Const(tensor.FromSlice(x, n, 1, h, w))}), autograd.Const(tensor.FromSlice(y, n, 1, h, w)))
		loss.Backward()
		loss.Release()
		stepPeak = tensor.Pool().PeakLiveBytes - live
	}
	ch := make(chan *batch, 1)
	ch <- &batch{x: x, y: y, n: n, c: 1, k: 1, h: h, w: w}
	close(ch)
	live := tensor.Pool().LiveBytes
	tensor.ResetPeakLive()
	if _, _, err := validate(m, ch, lossFn, false, nil); err != nil {
		t.Fatal(err)
	}
	valPeak := tensor.Pool().PeakLiveBytes - live
	t.Logf("peak in use: training step %d bytes, validation %d", stepPeak, valPeak)
	// About 0.5 now (0.51 in the 2D config's U-Net too), 1.0 before.
	if float64(valPeak) > 0.6*float64(stepPeak) {
		t.Errorf("validation peaks at %d bytes in use, a training step at %d: want at most 0.6 times", valPeak, stepPeak)
	}
	if ps[0].RequiresGrad() || !ps[1].RequiresGrad() {
		t.Errorf("after validation: parameter 0 requires a gradient %v (frozen before), parameter 1 %v", ps[0].RequiresGrad(), ps[1].RequiresGrad())
	}
}

// TestBackground checks that an epoch's writes run in order, that the
// first error stops them and comes back from wait, and that wait with
// nothing in flight returns nil.
func TestBackground(t *testing.T) {
	var b background
	if err := b.wait(); err != nil {
		t.Fatalf("wait with nothing in flight: %v", err)
	}
	var got []string
	boom := errors.New("boom")
	b.run(
		func() error { got = append(got, "a"); return nil },
		func() error { got = append(got, "b"); return boom },
		func() error { got = append(got, "c"); return nil },
	)
	if err := b.wait(); !errors.Is(err, boom) {
		t.Fatalf("wait = %v, want %v", err, boom)
	}
	if s := strings.Join(got, ""); s != "ab" {
		t.Errorf("jobs ran %q, want \"ab\" (in order, stopping at the error)", s)
	}
	b.run(func() error { return nil })
	if err := b.wait(); err != nil {
		t.Errorf("second round: %v", err)
	}
}

// TestPhaseTimer checks that phases add up in the order they first
// appear and that a nil timer is a no-op.
func TestPhaseTimer(t *testing.T) {
	var nilTimer *phaseTimer
	nilTimer.mark("x") // must not panic
	p := newPhaseTimer()
	p.mark("b")
	p.mark("a")
	p.mark("b")
	p.addDraw(1500000) // 1.5 ms
	s := p.String()
	if !strings.HasPrefix(s, "b ") || !strings.Contains(s, ", a ") || !strings.Contains(s, "loader workers 0.002s") {
		t.Errorf("phases %q: want b first, then a, and the loader's 1.5 ms", s)
	}
	p.rose["a"] = 5e6
	p.rose["b"] = 4096 // a page: "+0.0 MB" says nothing
	if s := p.String(); !strings.HasSuffix(s, "; peak RSS rose in a +5.0 MB") {
		t.Errorf("phases %q: want the 5 MB that a raised the peak RSS by at the end, and not b's page", s)
	}
	p.reset()
	if s := p.String(); !strings.HasPrefix(s, "sum 0.000s") {
		t.Errorf("after reset: %q", s)
	}
}

// TestReturnsGarbage checks that every training epoch starts with a
// forced collection that hands the freed pages back (returnGarbage), so
// that the garbage of the epoch before does not sit beside the next step's
// peak, and that segmenting an image does so twice, once the prediction
// has been mapped to the source's grid and once it has been
// post-processed: each leaves volumes as large as the image behind.
func TestReturnsGarbage(t *testing.T) {
	cfg := e2eConfig(t, t.TempDir(), 3)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	tr, err := Train(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if n := after.NumForcedGC - before.NumForcedGC; n < 3 {
		t.Errorf("%d forced collections over 3 epochs, want at least one an epoch", n)
	}
	img := filepath.Join(cfg.Loader.PathData[0], "sub-01", "anat", "sub-01_T1w.nii.gz")
	runtime.ReadMemStats(&before)
	if _, err := SegmentImages([]string{img}, tr.ModelDir, t.TempDir(), "_pred", Options{}); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if n := after.NumForcedGC - before.NumForcedGC; n < 2 {
		t.Errorf("%d forced collections segmenting one image, want 2", n)
	}
}

// TestDebugLog checks what --debug adds to a training log: each epoch's
// phases, whose times add up to the sum printed, with the loader's own
// time, and a memory line whose figures are there and positive; and that
// without it the log has neither.
func TestDebugLog(t *testing.T) {
	phases := regexp.MustCompile(`(?m)^epoch (\d+) phases: (.*)$`)
	memory := regexp.MustCompile(`(?m)^epoch (\d+) memory: RSS (\d+) MB, heap in use (\d+) MB, .*tensor pool \d+ MB free \(hits (\d+), misses (\d+)\), step arena (\d+) MB \(served (\d+), fell back \d+\), peak in use (\d+) MB, kernel scratch \d+ MB, GCs \d+, minor page faults -?\d+$`)
	for _, debug := range []bool{true, false} {
		cfg := e2eConfig(t, t.TempDir(), 2)
		var log strings.Builder
		if _, err := Train(cfg, Options{Log: &log, Debug: debug}); err != nil {
			t.Fatal(err)
		}
		ps, ms := phases.FindAllStringSubmatch(log.String(), -1), memory.FindAllStringSubmatch(log.String(), -1)
		if !debug {
			if len(ps)+len(ms) > 0 {
				t.Errorf("without debug the log has %d phase and %d memory lines", len(ps), len(ms))
			}
			continue
		}
		if len(ps) != 2 || len(ms) != 2 {
			t.Fatalf("%d phase and %d memory lines for 2 epochs, want 2 of each:\n%s", len(ps), len(ms), log.String())
		}
		for _, p := range ps {
			var total, sum, draw float64
			// "phase 0.123s, …, sum 1.234s; loader workers 0.050s[; peak RSS …]"
			for _, part := range strings.Split(strings.SplitN(p[2], "; ", 2)[0], ", ") {
				i := strings.LastIndex(part, " ")
				v, err := strconv.ParseFloat(strings.TrimSuffix(part[i+1:], "s"), 64)
				if i < 1 || err != nil {
					t.Fatalf("epoch %s: phase %q is not NAME SECONDSs", p[1], part)
				}
				if part[:i] == "sum" {
					sum = v
				} else {
					total += v
				}
			}
			for _, want := range []string{"train forward ", "train backward ", "train optimiser ", "val forward ", "; loader workers "} {
				if !strings.Contains(p[2], want) {
					t.Errorf("epoch %s phases lack %q: %s", p[1], strings.TrimSpace(want), p[2])
				}
			}
			if _, err := fmt.Sscanf(p[2][strings.Index(p[2], "; loader workers ")+len("; loader workers "):], "%fs", &draw); err != nil || draw <= 0 {
				t.Errorf("epoch %s: loader workers %v (%v), want their drawing time", p[1], draw, err)
			}
			// Each phase is printed to the millisecond.
			if math.Abs(total-sum) > 0.0005*float64(strings.Count(p[2], "s, ")+1) {
				t.Errorf("epoch %s: phases add up to %.3f s, the line says sum %.3f s", p[1], total, sum)
			}
		}
		for _, m := range ms {
			for i, what := range []string{"RSS", "heap in use", "hits", "misses", "step arena", "served", "peak in use"} {
				if v, _ := strconv.Atoi(m[2+i]); v <= 0 {
					t.Errorf("epoch %s memory: %s %s, want > 0: %s", m[1], what, m[2+i], m[0])
				}
			}
		}
	}
}
