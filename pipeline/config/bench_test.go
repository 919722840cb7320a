package config

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkParse reads ivadomed's config.json (merge over the defaults,
// legacy upgrade, typed decode) and validates it.
func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "reference", "ivadomed-configs", "config.json"))
	if err != nil {
		data = []byte(minimal + `}`)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		c, err := Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Validate(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/config")
}
