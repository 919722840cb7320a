// Package bench measures ivadogo's kernels and models on the cases of the
// PyTorch peer benchmark (shared/bench/cases.json): same names, same shapes,
// same FLOP and byte counts, so that one run gives a Go/torch ratio.
package bench
