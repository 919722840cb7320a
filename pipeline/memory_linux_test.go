package pipeline

import (
	"syscall"
	"testing"
)

// TestMemoryReadings checks the process readings of the --debug memory
// line, from /proc/self: resident and peak sizes that are positive and ordered,
// and a count of minor page faults that grows by at least the pages of a
// fresh mapping once they are written.
func TestMemoryReadings(t *testing.T) {
	rss, peak := currentRSS(), peakRSS()
	if rss <= 0 || peak < rss {
		t.Fatalf("RSS %d, peak %d: want 0 < RSS ≤ peak", rss, peak)
	}
	const pages = 256
	b, err := syscall.Mmap(-1, 0, pages*4096, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(b)
	before := minorFaults()
	if before <= 0 {
		t.Fatalf("minor faults %d, want a positive count", before)
	}
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	if got := minorFaults() - before; got < pages {
		t.Errorf("writing %d fresh pages took %d minor faults, want at least %d", pages, got, pages)
	}
}
