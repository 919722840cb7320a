package tensor

import "testing"

// TestPoolTrimTail checks that a request served by a longer free buffer
// hands the whole pages past its length back: they read as zero, where
// the previous owner wrote ones.
func TestPoolTrimTail(t *testing.T) {
	old := SetPooling(false) // start from an empty pool
	SetPooling(true)
	defer SetPooling(old)
	const n = 1 << 20 // 4 MiB of float32
	a := Full[float32](1, n)
	a.Release()
	b := Empty[float32](n/2 + n/8) // 2.5 MiB: takes the 4 MiB buffer
	all := b.st.buf[:cap(b.st.buf)]
	if len(all) != n {
		t.Fatalf("the request took a buffer of %d elements, want the free one of %d", len(all), n)
	}
	if b.Data()[0] != 1 {
		t.Fatal("the head of the buffer lost its contents")
	}
	// From the first whole page past the request's end to the buffer's.
	for i := n/2 + n/8 + 1024; i < n-1024; i++ {
		if all[i] != 0 {
			t.Fatalf("element %d past the request's %d still holds %v", i, b.Len(), all[i])
		}
	}
	b.Release()
}
