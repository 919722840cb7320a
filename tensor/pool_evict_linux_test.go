package tensor

import "testing"

// TestPoolTrimTail checks what becomes of the pages past a request's end
// when a longer free buffer serves it. While the bytes in use and held
// pass evictSlack times the most ever in use, the whole pages past the
// request go back to the system and read as zero, where the previous
// owner wrote ones; below that they stay as they were, since trimming
// them would only make the next longer request fault them in again.
func TestPoolTrimTail(t *testing.T) {
	const n = 1 << 20 // 4 MiB of float32
	for _, c := range []struct {
		name string
		over bool // the pool above its slack when the request comes
	}{
		{"over the slack", true},
		{"under the slack", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			old := SetPooling(false) // start from an empty pool
			SetPooling(true)
			peak := statPeakEver.Load()
			defer func() {
				SetPooling(old)
				statPeakEver.Store(max(peak, statPeakEver.Load()))
			}()
			a := Full[float32](1, n)
			// A free buffer too long for the request (over fitSlack
			// times), held beside it: with the most ever in use set to
			// what is in use, that takes the pool over its slack.
			other := Empty[float32](max(4*n, int(statLive.Load())))
			other.Release()
			a.Release()
			if c.over {
				statPeakEver.Store(0) // alloc raises it to what is in use
			} else {
				statPeakEver.Store(1 << 50)
			}
			b := Empty[float32](n/2 + n/8) // 2.5 MiB: takes the 4 MiB buffer
			defer b.Release()
			all := b.st.buf[:cap(b.st.buf)]
			if len(all) != n {
				t.Fatalf("the request took a buffer of %d elements, want the free one of %d", len(all), n)
			}
			if b.Data()[0] != 1 {
				t.Fatal("the head of the buffer lost its contents")
			}
			want := float32(1)
			if c.over {
				want = 0
			}
			// From the first whole page past the request's end to the buffer's.
			for i := n/2 + n/8 + 1024; i < n-1024; i++ {
				if all[i] != want {
					t.Fatalf("element %d past the request's %d holds %v, want %v", i, b.Len(), all[i], want)
				}
			}
		})
	}
}
