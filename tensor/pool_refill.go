package tensor

import "fmt"

// Refill gives a released storage a buffer of n elements again, from the
// pool when one fits, with unspecified contents, so that the tensors
// viewing it are valid once more. It is for a value that is dropped after
// the forward pass and recomputed into the same tensors for the backward
// pass (see autograd.Drop). It panics on a storage that holds a buffer.
func (s *Storage[E]) Refill(n int) {
	if s.buf != nil {
		panic(fmt.Sprintf("tensor: Refill of a storage that holds %d elements", len(s.buf)))
	}
	s.buf = alloc[E](n, false)
	s.counted = true
}
