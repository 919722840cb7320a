package autograd

import (
	"fmt"
	"slices"

	"github.com/ivadogo/ivadogo/tensor"
)

// Backward computes the gradient of v, which must hold one element, with
// respect to every leaf of its graph that requires a gradient, and adds it
// to that leaf's Grad. As it goes it hands back to the buffer pool what
// only the backward pass needed and the data of every intermediate Var
// once no op left to differentiate reads it; those Vars are released (a
// use panics), except v and Vars pinned by Data before the call. The
// graph cannot be differentiated again; call Release on v to cut it.
func (v *Var[E]) Backward() {
	if v.data.Len() != 1 {
		panic(fmt.Sprintf("autograd: Backward of a Var of shape %v: want one element (use BackwardWith)", v.Shape()))
	}
	v.BackwardWith(tensor.Full(E(1), v.Shape()...))
}

// BackwardWith is Backward from a Var of any shape, seeded with the
// gradient gy (shaped as v), which it takes ownership of.
func (v *Var[E]) BackwardWith(gy *tensor.Dense[E]) {
	v.check("Backward")
	if !tensor.SameShape(gy.Shape(), v.Shape()) {
		panic(fmt.Sprintf("autograd: BackwardWith gradient of shape %v for a Var of shape %v", gy.Shape(), v.Shape()))
	}
	if !v.requiresGrad {
		panic("autograd: Backward of a Var that does not require a gradient")
	}
	order := topo(v)
	// Forward data is never used as a gradient buffer nor released while
	// a node still to be differentiated may read it: keep holds the
	// storages of leaves, leaf gradients, pinned Vars and v itself for
	// good; refs counts the Vars in order viewing each other storage, and
	// a storage is protected while its count is above zero.
	keep := map[*tensor.Storage[E]]bool{v.data.Storage(): true}
	refs := map[*tensor.Storage[E]]int{}
	sharers := map[*tensor.Storage[E]][]*Var[E]{}
	for _, u := range order {
		st := u.data.Storage()
		refs[st]++
		sharers[st] = append(sharers[st], u)
		if u.pinned {
			keep[st] = true
		}
		for _, in := range u.node.inputs {
			if in != nil && in.node == nil {
				keep[in.data.Storage()] = true
				if in.grad != nil {
					keep[in.grad.Storage()] = true
				}
			}
		}
	}
	protected := func(st *tensor.Storage[E]) bool { return keep[st] || refs[st] > 0 }
	owners := map[*tensor.Storage[E]]int{}
	var temps []*tensor.Dense[E]
	if v.node == nil { // a leaf: d v/d v = 1
		accumulate(v, gy, owners, protected, &temps)
		release(temps, owners, protected)
		return
	}
	v.grad = gy
	owners[gy.Storage()]++
	// done marks one more Var viewing st as differentiated: every op that
	// read its data comes after it in order and has run its backward, so
	// the data is dead once no Var still to be differentiated shares the
	// storage (an in-place op's input, a view's source). Releasing it then
	// lets the rest of the pass reuse the buffer for gradients, so that
	// the pool's working set is the activations, not the activations plus
	// every gradient.
	done := func(st *tensor.Storage[E]) {
		if refs[st]--; refs[st] == 0 && !keep[st] && earlyRelease {
			sharers[st][0].data.Release()
			for _, w := range sharers[st] {
				w.released = true
			}
		}
	}
	for i := len(order) - 1; i >= 0; i-- {
		u := order[i]
		n := u.node
		// A fresh Var's op never reads its output: it goes back before
		// the op's backward pass makes its inputs' gradients, which may
		// then take the buffer (a convolution's dx that of its y).
		if u.fresh {
			done(u.data.Storage())
		}
		if g := u.grad; g != nil {
			if n.backward == nil {
				panic(fmt.Sprintf("autograd: Backward through the graph of %q a second time", n.op))
			}
			restore := valid(rematerialize(n))
			gs := n.backward(g)
			if len(gs) != len(n.inputs) {
				panic(fmt.Sprintf("autograd: %s returned %d gradients for %d inputs", n.op, len(gs), len(n.inputs)))
			}
			u.grad = nil
			owners[g.Storage()]--
			// Everything this node's backward made or used is consumed now:
			// hand it back at once, so that the rest of the pass reuses it.
			temps = append(temps[:0], g)
			for j, in := range n.inputs {
				gi := gs[j]
				if gi == nil {
					continue
				}
				if !needs(in) {
					temps = append(temps, gi)
					continue
				}
				if !tensor.SameShape(gi.Shape(), in.Shape()) {
					panic(fmt.Sprintf("autograd: %s returned a gradient of shape %v for an input of shape %v", n.op, gi.Shape(), in.Shape()))
				}
				accumulate(in, gi, owners, protected, &temps)
			}
			temps = append(temps, n.saved...)
			n.drop()
			release(temps, owners, protected)
			restore()
		}
		if !u.fresh {
			done(u.data.Storage())
		}
	}
}

// rematerialize rebuilds the data of n's inputs that Drop released but
// that n's backward reads (see Var.remat), and returns them: the caller
// releases them again once that backward has run, so that a rebuilt
// activation lives for one op's backward pass only.
func rematerialize[E Float](n *node[E]) []*Var[E] {
	if n.blind || n.lazy {
		return nil
	}
	var remade []*Var[E]
	for _, in := range n.inputs {
		if in != nil && !slices.Contains(remade, in) && rebuild(in) {
			remade = append(remade, in)
		}
	}
	return remade
}

// valid marks vs, inputs rebuilt for one op, valid while that op's
// backward (or a rebuild) reads them: custom ops (Op) read them with
// Peek. The function it returns releases them again and restores their
// marks.
func valid[E Float](vs []*Var[E]) (restore func()) {
	if len(vs) == 0 {
		return func() {} // most ops: nothing was rebuilt, nothing to allocate
	}
	was := make([]bool, len(vs))
	for k, v := range vs {
		was[k], v.released = v.released, false
	}
	return func() {
		for k, v := range vs {
			v.data.Release()
			v.released = was[k]
		}
	}
}

// earlyRelease turns on the release of forward data by Drop and during
// Backward; off, it waits for Release (tests compare the two).
var earlyRelease = true

// accumulate adds g to in's gradient, taking g's buffer over when in has
// none yet and nobody else holds it.
func accumulate[E Float](in *Var[E], g *tensor.Dense[E], owners map[*tensor.Storage[E]]int, protected func(*tensor.Storage[E]) bool, temps *[]*tensor.Dense[E]) {
	st := g.Storage()
	if in.grad == nil {
		if owners[st] == 0 && !protected(st) && g.IsContiguous() {
			in.grad = g
			owners[st]++
			return
		}
		in.grad = g.Clone()
		owners[in.grad.Storage()]++
		*temps = append(*temps, g)
		return
	}
	tensor.Axpy(1, g, in.grad)
	*temps = append(*temps, g)
}

// release hands back the temporaries that no gradient still holds.
func release[E Float](temps []*tensor.Dense[E], owners map[*tensor.Storage[E]]int, protected func(*tensor.Storage[E]) bool) {
	for _, t := range temps {
		if t == nil {
			continue
		}
		st := t.Storage()
		if owners[st] > 0 || protected(st) {
			continue
		}
		t.Release()
	}
}

// topo returns the Vars made by ops that v depends on, inputs before the
// Vars made from them, v last. Leaves are not included.
func topo[E Float](v *Var[E]) []*Var[E] {
	var order []*Var[E]
	seen := map[*Var[E]]bool{}
	type frame struct {
		v *Var[E]
		i int
	}
	if v.node == nil {
		return nil
	}
	stack := []frame{{v, 0}}
	seen[v] = true
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		if f.i < len(f.v.node.inputs) {
			in := f.v.node.inputs[f.i]
			f.i++
			if in != nil && in.node != nil && !seen[in] {
				seen[in] = true
				stack = append(stack, frame{in, 0})
			}
			continue
		}
		order = append(order, f.v)
		stack = stack[:len(stack)-1]
	}
	return order
}

// Release hands the data of every intermediate Var in v's graph (v
// included) back to the buffer pool, along with anything Backward did not
// already release. Leaves and pinned Vars (see Data) keep their data.
// Afterwards those intermediates may not be used, except for Shape.
func (v *Var[E]) Release() {
	order := topo(v)
	protected := map[*tensor.Storage[E]]bool{}
	for _, u := range order {
		if u.pinned {
			protected[u.data.Storage()] = true
		}
		for _, in := range u.node.inputs {
			if in != nil && (in.node == nil || in.pinned) {
				protected[in.data.Storage()] = true
				if in.grad != nil {
					protected[in.grad.Storage()] = true
				}
			}
		}
	}
	for _, u := range order {
		for _, s := range u.node.saved {
			if s != nil && !protected[s.Storage()] {
				s.Release()
			}
		}
		if !protected[u.data.Storage()] {
			u.data.Release()
			u.released = true
		}
		if u.grad != nil && !protected[u.grad.Storage()] {
			u.grad.Release()
			u.grad = nil
		}
		u.node.drop()
	}
	// Cut the graph so that the garbage collector can take the Vars.
	for _, u := range order {
		u.node.inputs = nil
	}
}
