package tensor

import (
	"testing"
	"unsafe"
)

// TestInt32s checks that index buffers come from the float32 pool and go
// back to it: counted in use while held, and the same memory for the next
// tensor of their size.
func TestInt32s(t *testing.T) {
	if !pooling.Load() {
		t.Skip("tensor pooling is off")
	}
	const n = 1 << 16
	live := Pool().LiveBytes
	b := Int32s(n)
	if len(b) != n {
		t.Fatalf("Int32s(%d) has length %d", n, len(b))
	}
	if got := Pool().LiveBytes - live; got != 4*n {
		t.Errorf("%d bytes in use with the buffer held, want %d", got, 4*n)
	}
	for i := range b {
		b[i] = int32(i)
	}
	ReleaseInt32s(b)
	if got := Pool().LiveBytes - live; got != 0 {
		t.Errorf("%d bytes still in use after ReleaseInt32s", got)
	}
	x := Empty[float32](n)
	defer x.Release()
	if &x.Data()[0] != (*float32)(unsafe.Pointer(&b[0])) {
		t.Error("the next tensor of the buffer's size did not get its memory from the pool")
	}
	ReleaseInt32s(Int32s(0)) // must not panic
}
