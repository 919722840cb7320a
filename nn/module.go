package nn

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/tensor"
)

// Module is a node of a model's tree: it owns named parameters, buffers
// and child modules, registered in the order PyTorch registers them so
// that state-dict keys come out in PyTorch's order and spelling.
//
// A type becomes a Module by embedding Base and registering its state in
// its constructor.
type Module interface {
	base() *Base
}

// Layer is a module with a single input and output.
type Layer interface {
	Module
	Forward(x *autograd.Value) *autograd.Value
}

// Base holds a module's registrations and its training flag. Embed it.
type Base struct {
	entries  []entry
	training bool
	// resetters re-initialise the module's own parameters (PyTorch's
	// reset_parameters), for transfer learning.
	reset func()
}

func (b *Base) base() *Base { return b }

// Training reports whether the module is in training mode (batch
// statistics, active dropout). Modules start in training mode, as in
// PyTorch.
func (b *Base) Training() bool { return b.training }

type entryKind int

const (
	paramEntry entryKind = iota
	bufferEntry
	counterEntry
	childEntry
)

type entry struct {
	name    string
	kind    entryKind
	param   **autograd.Value // through a pointer, so that tying weights (FiLM) shows in the state dict
	buffer  **tensor.Tensor
	counter *int64
	child   Module
}

func (b *Base) init() {
	if b.entries == nil {
		b.training = true
	}
}

// Param registers a parameter under name. p points at the field that
// holds it, so that replacing the field (weight tying) is seen by
// Parameters and StateDict.
func (b *Base) Param(name string, p **autograd.Value) {
	b.init()
	b.entries = append(b.entries, entry{name: name, kind: paramEntry, param: p})
}

// Buffer registers a float buffer (running statistics) under name.
func (b *Base) Buffer(name string, t **tensor.Tensor) {
	b.init()
	b.entries = append(b.entries, entry{name: name, kind: bufferEntry, buffer: t})
}

// Counter registers an integer buffer (PyTorch's int64
// num_batches_tracked) under name.
func (b *Base) Counter(name string, c *int64) {
	b.init()
	b.entries = append(b.entries, entry{name: name, kind: counterEntry, counter: c})
}

// Child registers a sub-module under name; a nil child is skipped, as
// PyTorch skips None entries of a ModuleList (the indices of the others
// do not move).
func (b *Base) Child(name string, m Module) {
	b.init()
	if m == nil || isNil(m) {
		return
	}
	b.entries = append(b.entries, entry{name: name, kind: childEntry, child: m})
}

// OnReset sets the function that re-initialises the module's own
// parameters; modules with one count as "layers" for transfer learning.
func (b *Base) OnReset(f func()) { b.reset = f }

// isNil reports whether m is a typed nil pointer (a nil *FiLM passed as
// a Module).
func isNil(m Module) bool {
	v := reflect.ValueOf(m)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// NamedParam is a parameter with its state-dict name.
type NamedParam struct {
	Name  string
	Value *autograd.Value
}

// walk visits the tree as PyTorch's state_dict and named_parameters do:
// a module's own parameters, then its own buffers (each in registration
// order), then each child in turn, with dotted names. Children are
// reported to f before their contents.
func walk(m Module, prefix string, f func(name string, e entry)) {
	es := m.base().entries
	for _, e := range es {
		if e.kind == paramEntry {
			f(prefix+e.name, e)
		}
	}
	for _, e := range es {
		if e.kind == bufferEntry || e.kind == counterEntry {
			f(prefix+e.name, e)
		}
	}
	for _, e := range es {
		if e.kind == childEntry {
			f(prefix+e.name, e)
			walk(e.child, prefix+e.name+".", f)
		}
	}
}

// NamedParameters lists the parameters of m and its descendants with
// their state-dict names. A parameter reachable under several names (tied
// weights) is listed once, under its first name, as PyTorch does.
func NamedParameters(m Module) []NamedParam {
	var out []NamedParam
	seen := map[*autograd.Value]bool{}
	walk(m, "", func(name string, e entry) {
		if e.kind != paramEntry || *e.param == nil || seen[*e.param] {
			return
		}
		seen[*e.param] = true
		out = append(out, NamedParam{name, *e.param})
	})
	return out
}

// Parameters lists the distinct parameters of m, for an optimiser.
func Parameters(m Module) []*autograd.Value {
	np := NamedParameters(m)
	out := make([]*autograd.Value, len(np))
	for i, p := range np {
		out[i] = p.Value
	}
	return out
}

// CountParameters returns the number of scalars in m's distinct
// parameters (PyTorch's sum(p.numel() for p in model.parameters())).
func CountParameters(m Module) int {
	n := 0
	for _, p := range Parameters(m) {
		n += numel(p.Shape())
	}
	return n
}

// SetTraining switches m and all its descendants between training mode
// (true) and evaluation mode, as PyTorch's model.train()/model.eval().
func SetTraining(m Module, on bool) {
	m.base().init()
	m.base().training = on
	walk(m, "", func(_ string, e entry) {
		if e.kind == childEntry {
			e.child.base().training = on
		}
	})
}

// Modules lists m's descendants (not m) with their dotted names, in
// registration order (PyTorch's named_modules minus the root).
func Modules(m Module) []NamedModule {
	var out []NamedModule
	walk(m, "", func(name string, e entry) {
		if e.kind == childEntry {
			out = append(out, NamedModule{name, e.child})
		}
	})
	return out
}

// NamedModule is a module with its dotted path in the model.
type NamedModule struct {
	Name   string
	Module Module
}

func numel(shape []int) int {
	n := 1
	for _, s := range shape {
		n *= s
	}
	return n
}

// StateEntry is one entry of a state dict: a float tensor (parameter or
// buffer) or an int64 counter.
type StateEntry struct {
	Name    string
	Shape   []int
	Tensor  *tensor.Tensor // nil for a counter
	Counter *int64         // nil for a tensor
	IsParam bool
}

// StateDict lists m's parameters and buffers under PyTorch state_dict
// names, in PyTorch's order (per module: parameters, then buffers, then
// children). Tied parameters appear under every name, as in PyTorch. The
// tensors are the live ones: writing to them changes the model.
func StateDict(m Module) []StateEntry {
	var out []StateEntry
	walk(m, "", func(name string, e entry) {
		switch e.kind {
		case paramEntry:
			if *e.param != nil {
				d := (*e.param).Data()
				out = append(out, StateEntry{Name: name, Shape: d.Shape(), Tensor: d, IsParam: true})
			}
		case bufferEntry:
			if *e.buffer != nil {
				out = append(out, StateEntry{Name: name, Shape: (*e.buffer).Shape(), Tensor: *e.buffer})
			}
		case counterEntry:
			out = append(out, StateEntry{Name: name, Shape: []int{}, Counter: e.counter})
		}
	})
	return out
}

// ShapeString formats a shape as PyTorch prints it, e.g. [32, 1, 3, 3].
func ShapeString(s []int) string {
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = fmt.Sprint(v)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
