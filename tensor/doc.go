// Package tensor provides ivadogo's N-dimensional arrays: a shape, strides
// and an offset into a shared, contiguous storage, with views, broadcasting
// elementwise maths, reductions along axes, joins, padding, matrix products
// and seeded random initialisation as PyTorch defines it.
//
// # Element type
//
// The array type is generic, Dense[E], over float32 and float64 (the
// kernels.Float constraint). Models run in float32, for which the alias
// Tensor = Dense[float32] and the constructors Zeros, Ones, Full and
// FromSlice exist; float64 is there so that the autograd package can check
// every gradient against finite differences in double precision with the
// very code that trains models. Functions over both types are generic and
// infer E from their arguments: tensor.Add(a, b) works for either.
//
// # Shapes, views and misuse
//
// Reshape, Permute, Transpose, Narrow, Slice, Expand, Squeeze and Unsqueeze
// return views that share storage with their source; Clone and Contiguous
// copy. Elementwise functions broadcast their operands as NumPy and
// PyTorch do and always return a new contiguous tensor. Shape misuse (a
// mismatch, an axis out of range, a reshape to a different size) is a
// programmer's error and panics with a message that states the shapes.
//
// # Memory
//
// Storage comes from a pool of free buffers: Release hands a tensor's
// storage back, and the next allocation of that size, or of up to half of
// it, reuses it instead of asking the garbage collector for a new one. Release is
// safe against use after free: the released buffer is detached from the
// old storage, so every tensor or view still pointing at it panics on
// access instead of silently reading a buffer that now belongs to someone
// else. The autograd package releases the intermediates of a training step
// this way; code that owns a tensor outright may call Release itself.
// SetPooling(false) turns the pool off (for measuring what it saves).
//
// A computation that repeats, a training step, is better served by a
// plan than by the pool: StartStep(key) and Step.End mark out one step.
// The first step of a key is recorded, and its buffers of 64 KiB and more
// are then laid out once in an arena mapped outside the Go heap, each
// where no buffer alive at the same time lies; the next steps of that key
// find their buffers there. The arena is within a few percent of the
// most in use at once, and its pages stay resident from one step to the
// next, where the pool's sizes fit the next request only by chance.
// A request the plan does not cover goes to the pool, so a step that
// changes its requests is served correctly all the same.
//
// # Devices
//
// Every storage lives on a Device. Only the CPU exists today; Device is the
// seam where a CUDA backend will register itself.
package tensor
