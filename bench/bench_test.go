package bench

import (
	"errors"
	"testing"
	"time"
)

// BenchmarkCases runs every available case of the peer table under its
// own name (go test -bench 'Cases/conv2d_64' ./bench/), reporting GFLOP/s or
// GB/s with the peer benchmark's nominal work. Run it with -cpu 2 to match
// the peer's two threads.
func BenchmarkCases(b *testing.B) {
	for _, c := range Cases() {
		b.Run(c.Name, func(b *testing.B) {
			op, err := Prepare(c)
			if errors.Is(err, ErrNotAvailable) {
				b.Skip(err)
			}
			if err != nil {
				b.Fatal(err)
			}
			op()
			op()
			b.ResetTimer()
			for b.Loop() {
				op()
			}
			v, unit := Throughput(c, b.Elapsed()/time.Duration(b.N))
			b.ReportMetric(v, unit)
		})
	}
}
