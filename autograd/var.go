package autograd

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/ivadogo/ivadogo/tensor"
)

// Float is the set of element types a Var may hold.
type Float = tensor.Float

// Var is a differentiable value: its data, its gradient, and the op that
// made it (nil for a leaf).
type Var[E Float] struct {
	data         *tensor.Dense[E]
	grad         *tensor.Dense[E]
	requiresGrad bool
	pinned       bool // the caller holds data: never recycle it
	released     bool
	// fresh: data is a buffer of its own that the op which made it never
	// reads again (its backward works from the op's inputs and saved
	// statistics), so an in-place op may overwrite it; see overwritable.
	fresh bool
	uses  int32 // ops that took a fresh Var as an input
	// reads counts the recorded backward passes that may read data: the
	// ops that took v as an input, other than those that read only its
	// shape (see recordBlind); Drop releases data only while it is 0.
	reads int32
	node  *node[E]
	// remat, when set, recomputes data into the given tensor (v's own,
	// refilled): Drop may then release data while ops that read it have
	// still to run their backward, and Backward rebuilds it for each of
	// them. The op that made v sets it and clears it in its backward.
	remat func(dst *tensor.Dense[E])
	// again, when set, computes data once more into dst from inputs that
	// outlive the backward pass, at a cost small beside the ops that read
	// v (a convolution of the network's input with few channels): an
	// in-place op over v may then release its result and rebuild it for
	// its own backward pass (see ReluBatchNormChannelDropout).
	again func(dst *tensor.Dense[E])
}

// Value is the float32 Var that models compute with.
type Value = Var[float32]

// node records how a Var was made.
type node[E Float] struct {
	op     string
	inputs []*Var[E]
	// backward returns the gradient of each input (nil where an input
	// needs none) given the output's gradient gy.
	backward func(gy *tensor.Dense[E]) []*tensor.Dense[E]
	// saved are buffers only backward needs; released after it.
	saved []*tensor.Dense[E]
	// free, when set, hands back other scratch (max pooling's indices)
	// at the same moment.
	free func()
	// blind: backward reads only the inputs' shapes (recordBlind).
	blind bool
	// lazy: backward rebuilds the inputs it reads itself (rebuild), for
	// as long as it needs them, instead of Backward doing it around it.
	lazy bool
}

// Param returns a leaf that requires a gradient (a trainable weight).
// The Var takes t as its data, not a copy.
func Param[E Float](t *tensor.Dense[E]) *Var[E] {
	return &Var[E]{data: t, requiresGrad: true}
}

// Const returns a leaf that needs no gradient (an input or a target).
func Const[E Float](t *tensor.Dense[E]) *Var[E] {
	return &Var[E]{data: t}
}

// Data returns the Var's tensor. It pins the Var: its storage is never
// handed back to the buffer pool, so the tensor stays valid after Backward
// and Release. Ops inside this package use the unpinned field.
func (v *Var[E]) Data() *tensor.Dense[E] {
	v.check("Data")
	v.pinned = true
	return v.data
}

// Peek returns the Var's tensor without pinning it: for the code of
// custom ops (see Op), whose forward and backward read their inputs. The
// tensor may be recycled by Release, so neither it nor slices of it may be
// kept beyond the graph's lifetime; use Data for anything kept longer.
func (v *Var[E]) Peek() *tensor.Dense[E] {
	v.check("Peek")
	return v.data
}

// Shape returns the shape of the Var's data (valid even after Release).
func (v *Var[E]) Shape() []int { return v.data.Shape() }

// Dims returns the number of axes.
func (v *Var[E]) Dims() int { return v.data.Dims() }

// Dim returns the size of axis i (negative counts from the end).
func (v *Var[E]) Dim(i int) int { return v.data.Dim(i) }

// Item returns the single element of a one-element Var.
func (v *Var[E]) Item() E {
	v.check("Item")
	return v.data.Item()
}

// Grad returns the accumulated gradient of a leaf, or nil if Backward
// has not reached it (or ZeroGrad dropped it).
func (v *Var[E]) Grad() *tensor.Dense[E] { return v.grad }

// SetGrad replaces the gradient (nil clears it).
func (v *Var[E]) SetGrad(g *tensor.Dense[E]) { v.grad = g }

// ZeroGrad sets an existing gradient to zero, keeping its buffer.
func (v *Var[E]) ZeroGrad() {
	if v.grad != nil {
		v.grad.Fill(0)
	}
}

// DropGrad drops the gradient and hands its buffer back, so that the next
// Backward starts from none (PyTorch's zero_grad(set_to_none=True)) and
// takes the buffer it computes over instead of adding it to zeros. A
// gradient that views part of a larger buffer is only dropped.
func (v *Var[E]) DropGrad() {
	if g := v.grad; g != nil {
		v.grad = nil
		if g.IsContiguous() && g.Storage().Len() == g.Len() {
			g.Release()
		}
	}
}

// RequiresGrad reports whether gradients flow to (or through) v.
func (v *Var[E]) RequiresGrad() bool { return v.requiresGrad }

// SetRequiresGrad turns gradient tracking on or off for a leaf (freezing
// a weight). It panics on a Var made by an op.
func (v *Var[E]) SetRequiresGrad(on bool) {
	if v.node != nil {
		panic("autograd: SetRequiresGrad on a Var made by " + v.node.op)
	}
	v.requiresGrad = on
}

// IsLeaf reports whether v was made by Param or Const, or by an op
// inside NoGrad (which records nothing).
func (v *Var[E]) IsLeaf() bool { return v.node == nil }

// Op names the op that made v ("" for a leaf).
func (v *Var[E]) Op() string {
	if v.node == nil {
		return ""
	}
	return v.node.op
}

// Detach returns a leaf sharing v's data but not its history. It pins v
// (see Data).
func (v *Var[E]) Detach() *Var[E] {
	v.check("Detach")
	v.pinned = true
	return &Var[E]{data: v.data}
}

// String describes v by shape and op.
func (v *Var[E]) String() string {
	return fmt.Sprintf("Var%v(op=%q, requiresGrad=%v)", v.data.Shape(), v.Op(), v.requiresGrad)
}

func (v *Var[E]) check(op string) {
	if v.released {
		panic(fmt.Sprintf("autograd: %s of a released Var %v made by %q (released, or overwritten by an in-place op)", op, v.data.Shape(), v.Op()))
	}
}

// NoGrad runs f without recording any graph: ops that f calls return Vars
// that require no gradient, and their intermediates are garbage as soon
// as f is done with them. It is for inference and for weight updates.
//
// NoGrad applies to the goroutine that calls it, so a model may train in
// one goroutine while another evaluates: goroutines that f itself starts
// do record (their results are still correct, only kept in memory while
// reachable).
func NoGrad(f func()) {
	id := goid()
	d, _ := noGradDepth.LoadOrStore(id, new(atomic.Int32))
	depth := d.(*atomic.Int32)
	depth.Add(1)
	noGradActive.Add(1)
	defer func() {
		if depth.Add(-1) == 0 {
			noGradDepth.Delete(id)
		}
		noGradActive.Add(-1)
	}()
	f()
}

// GradEnabled reports whether ops record a graph: false inside NoGrad
// on the calling goroutine.
func GradEnabled() bool {
	if noGradActive.Load() == 0 {
		return true // the common case costs one atomic load
	}
	_, in := noGradDepth.Load(goid())
	return !in
}

var (
	noGradActive atomic.Int32 // NoGrad calls in flight, all goroutines
	noGradDepth  sync.Map     // goroutine id → *atomic.Int32 nesting depth
)

// goid returns the calling goroutine's id, read from its stack header
// ("goroutine 123 [running]:"). It costs about a microsecond and is only
// called while some goroutine is inside NoGrad.
func goid() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = b[len("goroutine "):]
	var id uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uint64(c-'0')
	}
	return id
}

// record makes the output Var of an op. When grad mode is on and some
// input requires a gradient, it keeps the inputs and the backward function;
// otherwise it records nothing, and saved buffers are released at once.
func record[E Float](op string, out *tensor.Dense[E], inputs []*Var[E], saved []*tensor.Dense[E], backward func(gy *tensor.Dense[E]) []*tensor.Dense[E]) *Var[E] {
	return recordFree(op, out, inputs, saved, nil, backward)
}

// recordFree is record with a function that releases scratch other than
// tensors once backward no longer needs it.
func recordFree[E Float](op string, out *tensor.Dense[E], inputs []*Var[E], saved []*tensor.Dense[E], free func(), backward func(gy *tensor.Dense[E]) []*tensor.Dense[E]) *Var[E] {
	return recordOp(op, out, inputs, saved, free, backward, false)
}

// recordBlind is recordFree for an op whose backward reads only the
// shapes of its inputs (concatenation, interpolation, pooling by saved
// indices), so that Drop may release them before Backward.
func recordBlind[E Float](op string, out *tensor.Dense[E], inputs []*Var[E], free func(), backward func(gy *tensor.Dense[E]) []*tensor.Dense[E]) *Var[E] {
	return recordOp(op, out, inputs, nil, free, backward, true)
}

func recordOp[E Float](op string, out *tensor.Dense[E], inputs []*Var[E], saved []*tensor.Dense[E], free func(), backward func(gy *tensor.Dense[E]) []*tensor.Dense[E], blind bool) *Var[E] {
	for _, in := range inputs {
		if in != nil {
			in.check(op)
			if in.fresh {
				in.uses++
			}
		}
	}
	v := &Var[E]{data: out}
	need := false
	for _, in := range inputs {
		if in != nil && in.requiresGrad {
			need = true
			break
		}
	}
	// GradEnabled looks the goroutine up: ask only while a NoGrad runs.
	enabled := noGradActive.Load() == 0 || GradEnabled()
	if !need || !enabled {
		for _, s := range saved {
			if s != nil && s.Storage() != out.Storage() {
				s.Release()
			}
		}
		if free != nil {
			free()
		}
		if enabled {
			// Keep the history without a backward function, so that Release
			// on a loss also recycles what was computed from constants
			// only (a sum over the targets, say).
			v.node = &node[E]{op: op, inputs: inputs}
		}
		return v
	}
	v.requiresGrad = true
	v.node = &node[E]{op: op, inputs: inputs, backward: backward, saved: saved, free: free, blind: blind}
	for _, in := range inputs {
		// An output that shares an input's storage reads it whatever the
		// op's backward does.
		if in != nil && (!blind || in.data.Storage() == out.Storage()) {
			in.reads++
		}
	}
	return v
}

// Op records a custom differentiable op from outside this package: out is
// its result, computed from inputs; backward returns one gradient per
// input (nil for none), each shaped as its input, given the gradient of
// out. The returned tensors become the engine's: backward must not keep
// or reuse them. Read the inputs with Peek, not Data: Data pins them,
// which keeps their buffers out of the pool for good.
func Op[E Float](name string, out *tensor.Dense[E], inputs []*Var[E], backward func(gy *tensor.Dense[E]) []*tensor.Dense[E]) *Var[E] {
	return record(name, out, inputs, nil, backward)
}

// Rebuildable declares that v, the output of a custom op (Op) whose
// backward does not read v, can be recomputed by fill from the op's
// inputs, read with Peek: Drop may then release v, and Backward rebuilds
// it (and the inputs it needs) for the backward passes that read it. fill
// writes every element of dst, whose samples (slices of the first axis)
// are each contiguous: dst may be a channel range of a larger tensor. It
// does nothing where an input could not be had again (see Drop).
func Rebuildable[E Float](v *Var[E], fill func(dst *tensor.Dense[E])) {
	if v.node == nil || !v.requiresGrad || !allRemat(v.node.inputs) {
		return
	}
	n := v.node
	v.fresh = true
	v.remat = func(dst *tensor.Dense[E]) {
		restore := valid(rematerialize(n))
		fill(dst)
		restore()
	}
}

// needs reports whether input i of an op needs a gradient.
func needs[E Float](v *Var[E]) bool { return v != nil && v.requiresGrad }

// drop forgets n's backward function and scratch, running free.
func (n *node[E]) drop() {
	if n.free != nil {
		n.free()
	}
	n.backward, n.saved, n.free = nil, nil, nil
}
