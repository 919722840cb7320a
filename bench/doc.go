// Package bench measures ivadogo's kernels and models on the cases of the
// PyTorch peer benchmark (shared/bench/cases.json): same names, same shapes,
// same FLOP and byte counts, so that one run gives a Go/torch ratio.
//
// The case table is embedded (cases.json, a copy of the peer's, checked
// against it by the tests). Each case kind has a Setup that allocates the
// buffers once and returns the operation to time; Run applies the peer's
// rules: two worker threads, at least two warmup calls, then the median of
// at least five timed calls. Results print as the peer's JSON lines:
//
//	ivadogo bench --filter '^conv2d' --out go.jsonl
//	python3 shared/bench/compare.py torch.jsonl go.jsonl
//
// and go test -bench 'Cases/<name>' -cpu 2 ./bench/ runs the same cases as
// testing benchmarks. Kinds or layers that ivadogo does not have yet report
// ErrNotAvailable and are skipped; more cases (the models) plug in with
// Register.
package bench
