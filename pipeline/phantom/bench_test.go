package phantom

import (
	"path/filepath"
	"testing"
)

// BenchmarkGenerate makes the default phantom (6 subjects, 3 contrasts,
// 32×32×16) in memory.
func BenchmarkGenerate(b *testing.B) {
	for b.Loop() {
		if _, err := Generate(Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/phantom")
}

// BenchmarkWrite writes the default phantom as a BIDS dataset.
func BenchmarkWrite(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "phantom")
	for b.Loop() {
		if _, err := Write(dir, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/phantom")
}
