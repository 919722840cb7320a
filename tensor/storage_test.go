package tensor

import (
	"slices"
	"testing"
)

// TestPoolBestFit checks that a request takes the smallest free buffer at
// least its size and at most fitSlack times it, that the whole buffer goes
// back on Release, and that a caller's array beyond FromSlice's length is
// never handed out.
func TestPoolBestFit(t *testing.T) {
	old := SetPooling(false) // start from an empty pool
	SetPooling(true)
	defer SetPooling(old)
	const big = 1000003 // a length no other test uses
	a := Empty[float64](big)
	ab := &a.Data()[0]
	a.Release()
	if b := Empty[float64](big/fitSlack - 1); &b.Data()[0] == ab {
		t.Fatal("a request fitSlack times smaller took the buffer")
	}
	b := New[float64](big/2 + 1)
	if &b.Data()[0] != ab {
		t.Fatal("a request half the size did not take the free buffer")
	}
	if b.Len() != big/2+1 || slices.ContainsFunc(b.Data(), func(v float64) bool { return v != 0 }) {
		t.Fatalf("reused buffer: %d elements, want %d, all zero", b.Len(), big/2+1)
	}
	b.Release()
	if c := Empty[float64](big); &c.Data()[0] != ab {
		t.Fatal("the shorter tensor's release did not give back the whole buffer")
	}

	arr := make([]float64, 2*big)
	d := FromSlice(arr[:big], big)
	d.Release()
	e := Empty[float64](big + 1)
	if &e.Data()[0] == &arr[0] {
		t.Fatal("a request took the caller's array beyond the length FromSlice was given")
	}
	if f := Empty[float64](big); &f.Data()[0] != &arr[0] {
		t.Fatal("the caller's released slice was not reused at its own length")
	}
}

// TestLiveBytes checks the count of buffers handed out and not released.
func TestLiveBytes(t *testing.T) {
	live := Pool().LiveBytes
	ResetPeakLive()
	a := Empty[float32](1000)
	b := New[float64](10)
	if got := Pool().LiveBytes - live; got != 4080 {
		t.Fatalf("live bytes grew by %d, want 4080", got)
	}
	a.Release()
	a.Release() // twice counts once
	FromSlice(make([]float32, 7), 7).Release()
	if got := Pool().LiveBytes - live; got != 80 {
		t.Fatalf("live bytes after releases: %d over the start, want 80", got)
	}
	if p := Pool().PeakLiveBytes - live; p != 4080 {
		t.Fatalf("peak %d over the start, want 4080", p)
	}
	b.Release()
}

// TestPoolLimit checks that the pool keeps released buffers only up to
// SetPoolLimit's bytes: past it a buffer goes to the garbage collector
// and the next request of its size gets a new one.
func TestPoolLimit(t *testing.T) {
	old := SetPooling(false) // start from an empty pool
	SetPooling(true)
	defer SetPooling(old)
	const n = 1000033 // a length no other test uses
	oldLimit := SetPoolLimit(8*n + 8*n/2)
	defer SetPoolLimit(oldLimit)
	if got := SetPoolLimit(8*n + 8*n/2); got != 8*n+8*n/2 {
		t.Fatalf("SetPoolLimit returned %d, want the limit set before, %d", got, 8*n+8*n/2)
	}
	a, b := Empty[float64](n), Empty[float64](n)
	pa, pb := &a.Data()[0], &b.Data()[0]
	a.Release()
	if held := Pool().HeldBytes; held != 8*n {
		t.Fatalf("held %d bytes after one release, want %d", held, 8*n)
	}
	b.Release() // would pass the limit: not kept
	if held := Pool().HeldBytes; held != 8*n {
		t.Fatalf("held %d bytes after a release past the limit, want %d", held, 8*n)
	}
	c, d := Empty[float64](n), Empty[float64](n)
	if &c.Data()[0] != pa || &d.Data()[0] == pb || &d.Data()[0] == pa {
		t.Fatal("want the kept buffer reused once and a new one for the buffer past the limit")
	}
	c.Release()
	d.Release()
}
