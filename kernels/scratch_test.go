package kernels

import (
	"runtime"
	"testing"
)

func TestScratchReuse(t *testing.T) {
	b := getScratch[float32](1000)
	if len(*b) != 1000 || cap(*b) != 1024 {
		t.Fatalf("getScratch(1000): len %d cap %d, want 1000 and 1024", len(*b), cap(*b))
	}
	(*b)[0] = 42
	putScratch(b)
	c := getScratch[float32](961)
	if c != b || len(*c) != 961 {
		t.Fatalf("getScratch(961) after putting back a 1024-buffer did not reuse it")
	}
	putScratch(c)
	if d := getScratch[float32](960); d == b || cap(*d) != 960 {
		t.Fatalf("getScratch(960) took the 1024-buffer or has cap %d, want its own class of 960", cap(*d))
	}
	if d := getScratch[float64](600); cap(*d) != 640 || d == any(b) {
		t.Fatalf("float64 scratch shares the float32 list or has cap %d, want 640", cap(*d))
	}
	if allocs := testing.AllocsPerRun(100, func() { putScratch(getScratch[float32](700)) }); allocs != 0 {
		t.Fatalf("steady-state getScratch/putScratch allocates %v times", allocs)
	}
}

// TestScratchClasses checks that every length gets the smallest class
// capacity at least as long, at most 1/scratchSub longer, and that the
// classes are numbered in order of capacity.
func TestScratchClasses(t *testing.T) {
	prevIdx, prevCap := -1, 0
	for n := 1; n < 1<<16; n++ {
		idx, c := scratchClass(n)
		if c < n || (n > 8 && c > n+n/scratchSub) {
			t.Fatalf("scratchClass(%d): capacity %d", n, c)
		}
		if c != prevCap && (idx <= prevIdx || prevCap >= n) {
			t.Fatalf("scratchClass(%d) = %d, %d after %d, %d", n, idx, c, prevIdx, prevCap)
		}
		if c == prevCap && idx != prevIdx {
			t.Fatalf("capacity %d has classes %d and %d", c, prevIdx, idx)
		}
		if i2, c2 := scratchClass(c); i2 != idx || c2 != c {
			t.Fatalf("a buffer of capacity %d would go back to class %d (%d), not %d", c, i2, c2, idx)
		}
		prevIdx, prevCap = idx, c
	}
	if idx, _ := scratchClass(1 << 40); idx >= len(scratch.lists[0]) {
		t.Fatalf("class %d of 2^40 elements is beyond the lists", idx)
	}
}

// TestScratchSource checks that float32 scratch longer than bigScratchMin
// comes from and goes back to the installed source, without allocating in
// the steady state, and that other scratch does not.
func TestScratchSource(t *testing.T) {
	var free [][]float32
	gets, puts := 0, 0
	SetScratchSource(func(n int) []float32 {
		gets++
		for i, b := range free {
			if len(b) >= n {
				free = append(free[:i], free[i+1:]...)
				return b
			}
		}
		return make([]float32, n+5)
	}, func(b []float32) {
		puts++
		free = append(free, b)
	})
	defer SetScratchSource(nil, nil)
	b := getScratch[float32](bigScratchMin + 1)
	if len(*b) != bigScratchMin+1 || gets != 1 {
		t.Fatalf("a long buffer: len %d, %d gets, want %d and 1", len(*b), gets, bigScratchMin+1)
	}
	putScratch(b)
	if puts != 1 || len(free) != 1 || len(free[0]) != bigScratchMin+6 {
		t.Fatalf("put back: %d puts, free %d, want the whole buffer", puts, len(free))
	}
	putScratch(getScratch[float32](bigScratchMin))
	putScratch(getScratch[float64](bigScratchMin + 1))
	if gets != 1 || puts != 1 {
		t.Fatalf("short or float64 scratch went to the source (%d gets, %d puts)", gets, puts)
	}
	if allocs := testing.AllocsPerRun(100, func() { putScratch(getScratch[float32](bigScratchMin + 3)) }); allocs != 0 {
		t.Fatalf("steady-state scratch from the source allocates %v times", allocs)
	}
}

// TestConvSteadyStateAllocations checks that repeated convolutions of the
// same shape reuse their scratch: what remains is the closures and wait
// groups of the worker pool, some tens of bytes per parallel loop, far
// below one column buffer.
func TestConvSteadyStateAllocations(t *testing.T) {
	p := ConvParams{N: 2, Cin: 8, Cout: 8, In: []int{6, 7, 5}, Kernel: []int{3, 3, 3}, Pad: []int{1, 1, 1}}
	rng := newRNG(3)
	x, w := normals(rng, 2*8*6*7*5), normals(rng, 8*8*27)
	y, dx, dw := make([]float64, len(x)), make([]float64, len(x)), make([]float64, len(w))
	step := func() {
		ConvForward(p, x, w, nil, y)
		ConvBackwardData(p, y, w, dx)
		ConvBackwardWeight(p, x, y, dw, nil)
	}
	step()
	var ms0, ms1 runtimeMemStats
	readMem(&ms0)
	for i := 0; i < 20; i++ {
		step()
	}
	readMem(&ms1)
	colBytes := uint64(8 * 27 * 6 * 7 * 5 * 8)
	if per := (ms1.TotalAlloc - ms0.TotalAlloc) / 20; per > colBytes/4 {
		t.Fatalf("a conv forward+backward step allocates %d bytes in the steady state; the column buffer alone is %d", per, colBytes)
	}
}

type runtimeMemStats = runtime.MemStats

func readMem(m *runtime.MemStats) { runtime.GC(); runtime.ReadMemStats(m) }

// convShapeMix runs forward and backward float32 convolutions over a mix of
// shapes like a U-Net's levels and batch sizes, the case that used to fill
// the free lists with a few buffers of every size class.
func convShapeMix(t testing.TB, rounds, base, ch int, batches []int) {
	rng := newRNG(11)
	for r := 0; r < rounds; r++ {
		for _, n := range batches {
			for lvl, hw := range []int{8 * base, 4 * base, 2 * base, base} {
				c := ch << lvl
				p := ConvParams{N: n, Cin: c, Cout: c, In: []int{hw + r%3, hw}, Kernel: []int{3, 3}, Pad: []int{1, 1}}
				x := to32(normals(rng, n*c*prod(p.In)))
				w := to32(normals(rng, c*c*9))
				y := make([]float32, n*c*prod(p.Out()))
				dx, dw := make([]float32, len(x)), make([]float32, len(w))
				ConvForward(p, x, w, nil, y)
				ConvBackwardData(p, y, w, dx)
				ConvBackwardWeight(p, x, y, dw, nil)
			}
		}
	}
}

func TestScratchLimit(t *testing.T) {
	defer SetWorkers(Workers())
	SetWorkers(3)
	for _, limit := range []int64{1 << 20, 64 << 10, 0} {
		old := SetScratchLimit(limit)
		convShapeMix(t, 2, 6, 4, []int{1, 3, 4})
		scratch.mu.Lock()
		peak, now := scratch.maxBytes, scratch.bytes
		scratch.mu.Unlock()
		SetScratchLimit(old)
		if peak > limit || now > limit || ScratchBytes() > old {
			t.Errorf("limit %d: the free lists held up to %d bytes (%d at the end)", limit, peak, now)
		}
	}
	// Lowering the limit drops buffers at once.
	old := SetScratchLimit(1 << 30)
	b := getScratch[float32](1 << 16)
	putScratch(b)
	if got := ScratchBytes(); got < 1<<18 {
		t.Fatalf("after returning a 256 KiB buffer the lists hold %d bytes", got)
	}
	SetScratchLimit(1 << 10)
	if got := ScratchBytes(); got > 1<<10 {
		t.Fatalf("after lowering the limit to 1 KiB the lists hold %d bytes", got)
	}
	if c := getScratch[float32](1 << 16); c == b {
		t.Fatalf("a buffer dropped by the limit was handed out again")
	}
	SetScratchLimit(old)
}

// TestScratchEvictsOldest checks that a buffer returned recently survives
// the eviction that a new, larger one causes, while the oldest goes.
func TestScratchEvictsOldest(t *testing.T) {
	old := SetScratchLimit(0)
	SetScratchLimit(3 << 12) // room for three 4 KiB buffers
	defer SetScratchLimit(old)
	a, b, c := getScratch[float32](1024), getScratch[float32](1024), getScratch[float64](512)
	putScratch(a)
	putScratch(b)
	putScratch(c)
	d := getScratch[float32](1024) // b, the newest float32 buffer
	if d != b {
		t.Fatalf("getScratch did not reuse the newest buffer")
	}
	e := getScratch[float32](2048) // 8 KiB: a must go to make room
	putScratch(e)
	if got := ScratchBytes(); got != 3<<12 {
		t.Fatalf("the lists hold %d bytes, want %d", got, 3<<12)
	}
	if f := getScratch[float64](512); f != c {
		t.Fatalf("the float64 buffer returned after a was dropped before it")
	}
}

// TestScratchShapeMixBytes logs the bytes the free lists keep after the
// shape mix with and without a limit (go test -v -run ShapeMixBytes).
func TestScratchShapeMixBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("measurement")
	}
	for _, limit := range []int64{1 << 62, DefaultScratchLimit, 64 << 20, 16 << 20} {
		old := SetScratchLimit(0)
		SetScratchLimit(limit)
		convShapeMix(t, 2, 16, 32, []int{16, 7, 3})
		var m0, m1 runtime.MemStats
		readMem(&m0)
		convShapeMix(t, 1, 16, 32, []int{16, 7, 3}) // the steady state
		readMem(&m1)
		scratch.mu.Lock()
		peak := scratch.maxBytes
		scratch.mu.Unlock()
		t.Logf("limit %d MiB: %.1f MiB kept at the end, %.1f MiB at most; a further round allocates %.1f MiB",
			limit>>20, float64(ScratchBytes())/(1<<20), float64(peak)/(1<<20), float64(m1.TotalAlloc-m0.TotalAlloc)/(1<<20))
		SetScratchLimit(old)
	}
}
