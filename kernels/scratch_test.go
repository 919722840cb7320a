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
	c := getScratch[float32](600)
	if c != b || len(*c) != 600 {
		t.Fatalf("getScratch(600) after putting back a 1024-buffer did not reuse it")
	}
	putScratch(c)
	if d := getScratch[float64](600); cap(*d) != 1024 || d == any(b) {
		t.Fatalf("float64 scratch shares the float32 list or has cap %d", cap(*d))
	}
	if allocs := testing.AllocsPerRun(100, func() { putScratch(getScratch[float32](700)) }); allocs != 0 {
		t.Fatalf("steady-state getScratch/putScratch allocates %v times", allocs)
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
