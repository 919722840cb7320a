// Package autograd is ivadogo's reverse-mode automatic differentiation:
// define-by-run, like PyTorch. Every op on Vars computes its result at
// once and, when some input requires a gradient, records how to send the
// gradient back; Backward walks that record in reverse.
//
// # Values
//
// A Var[E] holds a tensor.Dense[E] (its data), a gradient, and the op that
// made it. Value is Var[float32], the type models use. Leaves are made by
// Param (a trainable weight: requires a gradient) and Const (an input);
// everything else comes from ops such as Add, MatMul, Conv, BatchNorm,
// Relu, Softmax. Backward() on a one-element Var computes d(it)/d(leaf)
// for every leaf in its graph that requires a gradient and ADDS it to the
// leaf's Grad (gradients accumulate over calls, as in PyTorch; ZeroGrad
// clears them). Gradients of intermediate Vars are not kept.
//
// NoGrad runs a function without recording anything (inference); Detach
// returns a leaf that shares data but not history.
//
// # Ops
//
// Each op's forward and backward sit side by side in one file per op
// family (elementwise.go, reduce.go, shape.go, matmul.go, conv.go,
// pool.go, interp.go, norm.go, activation.go, softmax.go, dropout.go).
// Convolution, pooling, interpolation and normalisation call the kernels
// package; the rest is tensor maths.
//
// A few ops do the work of two or three in one pass over memory, with
// the same bits as the ops they stand for (each has a test that says
// so): GroupNormLeakyRelu, InterpolateConcat, AddLeakyReluInPlace (a
// residual sum and its activation), ConvConcat (a convolution of a
// channel concatenation that reads the parts where they lie) and
// ConvLeaky (a convolution of LeakyRelu(x) without the activation's own
// pass). ConvUpsampled, a convolution of a nearest upsampling by 2, runs
// at the input's resolution on the output's phases and agrees with
// Conv(Interpolate(x)) to rounding, not bit for bit, and so does
// GroupNormLeakyReluConv1, a norm, its LeakyReLU and a 1×1 convolution
// without the normalised map in either pass. The nn models take them
// where they apply.
//
// # Why Var is generic
//
// Var and every op are generic over float32 and float64. Training uses
// float32; the tests build the same graphs in float64 and compare every
// gradient with central finite differences. Because the float64 check
// runs the very code path that trains (the same op functions, the same
// backward closures, the same generic kernels), it checks the real thing,
// not a re-implementation, and double precision makes the comparison
// tight (relative error around 1e-7) instead of drowned in float32
// rounding.
//
// # Memory
//
// A training step makes hundreds of large intermediate tensors. They come
// from the tensor package's buffer pool and go back to it explicitly, so
// that the next step reuses them instead of producing garbage:
//
//   - Backward releases, node by node as it goes, what only it needed
//     (saved masks and statistics, gradients of intermediates) and the
//     data of each intermediate Var once every op that reads it has run
//     its backward, so that the gradients made later in the pass reuse
//     the activations' buffers: the pass peaks at the activations plus a
//     few gradients, not all of both. It drops the graph's backward
//     functions: a second Backward through the same graph panics.
//   - Drop, called by a model on a Var it is done with, releases it
//     before Backward when no backward pass reads it, or when the op
//     that made it can recompute it (ReluBatchNormChannelDropout's
//     output, a channel concatenation or interpolation of such): Backward
//     then rebuilds it just before each op that reads it and releases it
//     again after, so that only one such activation lives at a time.
//   - Release, called on the loss once the step is done, releases what
//     is left (the data of a graph that Backward did not run through)
//     and cuts the graph.
//
// A buffer is never recycled while the caller can still reach it: leaves'
// data and gradients and the differentiated Var itself are never
// released; calling Data on an intermediate Var (or Detach) before
// Backward pins it, so that its storage is left to the garbage
// collector instead of the pool; and every tensor that still points at
// released storage panics on access rather than reading reused memory.
// Only Shape and Grad are safe on a released Var. Two losses that share
// intermediates must be summed into one before Backward and Release (as
// PyTorch without retain_graph, a graph is differentiated once).
package autograd
