package nifti

import (
	"bytes"
	"compress/gzip"
	"io"
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestParallelGzip checks that the parallel writer's output is one valid
// gzip member (the standard reader checks its CRC and length) holding the
// input, for sizes around the block boundaries and several core counts.
func TestParallelGzip(t *testing.T) {
	defer func(b int) { gzipBlock = b }(gzipBlock)
	gzipBlock = 1000
	rng := rand.New(rand.NewPCG(3, 4))
	for _, procs := range []int{1, 2, 3} {
		prev := runtime.GOMAXPROCS(procs)
		for _, n := range []int{0, 1, 999, 1000, 1001, 2999, 3000, 5017, 20000} {
			in := make([]byte, n)
			for i := range in {
				in[i] = byte(rng.IntN(4)) * 60 // compressible, not trivially
			}
			var buf bytes.Buffer
			z, err := newParallelGzip(&buf, gzip.BestSpeed)
			if err != nil {
				t.Fatal(err)
			}
			// Uneven writes, across block boundaries.
			for p := in; len(p) > 0; {
				k := min(len(p), 1+rng.IntN(1500))
				if _, err := z.Write(p[:k]); err != nil {
					t.Fatal(err)
				}
				p = p[k:]
			}
			if err := z.Close(); err != nil {
				t.Fatal(err)
			}
			zr, err := gzip.NewReader(&buf)
			if err != nil {
				t.Fatalf("procs %d, n %d: %v", procs, n, err)
			}
			zr.Multistream(false)
			out, err := io.ReadAll(zr)
			if err != nil {
				t.Fatalf("procs %d, n %d: %v", procs, n, err)
			}
			if !bytes.Equal(out, in) {
				t.Fatalf("procs %d, n %d: read back %d bytes that differ", procs, n, len(out))
			}
			if buf.Len() != 0 {
				t.Fatalf("procs %d, n %d: %d bytes after the gzip member", procs, n, buf.Len())
			}
		}
		runtime.GOMAXPROCS(prev)
	}
}
