package tensor

import "testing"

// TestPoolEvict checks that a miss hands free buffers back, smallest
// first, only when the bytes in use plus those held would pass the
// budget, and no more than the excess; buffers under evictMin stay.
func TestPoolEvict(t *testing.T) {
	old := SetPooling(false) // start from an empty pool
	SetPooling(true)
	defer SetPooling(old)
	defer func(f int64) { evictFloor = f }(evictFloor)
	evictFloor = 0
	defer func(p int64) { statPeakEver.Store(p) }(statPeakEver.Load())
	const mib = 1 << 20
	budget := func(b int64) { statPeakEver.Store(int64(float64(b) / evictSlack)) }
	a, b := Empty[float32](2*mib/4), Empty[float32](3*mib/4)
	a.Release()
	b.Release()
	live, ev := statLive.Load(), statEvicted.Load()
	// 0.3 MiB in use beside the 5 MiB held fits a budget of 5.4 MiB.
	budget(live + 54*mib/10)
	c := Empty[float32](3 * mib / 40) // misses both (fitSlack 2)
	if got := statEvicted.Load() - ev; got != 0 {
		t.Fatalf("under the budget, %d bytes were evicted", got)
	}
	c.Release() // under evictMin: it stays
	// 0.1 MiB more in use with 5.3 MiB held, 1 MiB over: the 2 MiB buffer
	// is the smallest that covers it; the 3 MiB one stays.
	budget(live + 44*mib/10)
	d := Empty[float32](mib / 40)
	if got := statEvicted.Load() - ev; got != 2*mib {
		t.Fatalf("1 MiB over the budget, %d bytes were evicted, want the 2 MiB buffer", got)
	}
	if got := Pool().HeldBytes; got != 3*mib+3*mib/10 {
		t.Fatalf("the pool holds %d bytes, want the 3 MiB and 0.3 MiB buffers", got)
	}
	d.Release()
}

// TestReleaseFree checks that ReleaseFree empties the pool, counts what
// it handed back, and leaves buffers in use alone.
func TestReleaseFree(t *testing.T) {
	a, b := Empty[float32](1<<18), Empty[float64](1<<17)
	small := Empty[float32](3) // under a page: returnPages must not see it
	small.Release()
	keep := Empty[float32](1 << 10)
	keep.Data()[0] = 7
	a.Release()
	b.Release()
	held := Pool().HeldBytes
	if held < 2<<20 {
		t.Skipf("the pool holds %d bytes after releasing 2 MiB: pooling is off", held)
	}
	if got := ReleaseFree(); got != held {
		t.Errorf("ReleaseFree returned %d bytes, the pool held %d", got, held)
	}
	if got := Pool().HeldBytes; got != 0 {
		t.Errorf("the pool holds %d bytes after ReleaseFree", got)
	}
	if keep.Data()[0] != 7 {
		t.Error("a buffer in use changed")
	}
	keep.Release()
	c := Empty[float32](1 << 18) // a miss, served afresh
	c.Release()
}
