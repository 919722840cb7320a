//go:build !linux

package tensor

// mapFloats returns n float32 from the Go heap; the second result, false,
// says that unmapFloats has nothing to unmap.
func mapFloats(n int) ([]float32, bool) { return make([]float32, n), false }

// unmapFloats is never called where mapFloats maps nothing.
func unmapFloats(a []float32) {}
