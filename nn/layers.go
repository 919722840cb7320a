package nn

import (
	"fmt"
	"strconv"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/tensor"
)

// Dropout is PyTorch's Dropout (elementwise) or, with Channels set,
// Dropout2d/Dropout3d (whole channels). It is the identity in evaluation
// mode.
//
// Each training-mode call draws its mask from a generator seeded with the
// layer's seed and the number of calls so far, so that the whole random
// state of a layer is two integers (DropoutStates), which a checkpoint
// can save and a resumed run restore to draw the same masks.
type Dropout struct {
	Base
	P        float64
	Channels bool
	seed     uint64
	calls    uint64
}

// NewDropout returns elementwise dropout with probability p.
func NewDropout(p float64) *Dropout {
	m := &Dropout{P: p, seed: uint64(rng.Float64() * (1 << 53))}
	m.init()
	return m
}

// next returns the generator of the next training-mode call.
func (m *Dropout) next() *tensor.RNG {
	g := tensor.NewRNG(m.seed ^ (m.calls+1)*0x9e3779b97f4a7c15)
	m.calls++
	return g
}

// NewChannelDropout returns Dropout2d/Dropout3d with probability p.
func NewChannelDropout(p float64) *Dropout {
	m := NewDropout(p)
	m.Channels = true
	return m
}

// Forward implements Layer.
func (m *Dropout) Forward(x *autograd.Value) *autograd.Value {
	if !m.training || m.P == 0 {
		return x
	}
	if m.Channels {
		return autograd.ChannelDropout(x, m.P, true, m.next())
	}
	return autograd.Dropout(x, m.P, true, m.next())
}

// ForwardInPlace is Forward over x's own buffer where the autograd rules
// allow it (autograd.ChannelDropoutInPlace), for a caller that does not
// use x again. It draws the same masks as Forward.
func (m *Dropout) ForwardInPlace(x *autograd.Value) *autograd.Value {
	if !m.training || m.P == 0 || !m.Channels {
		return m.Forward(x)
	}
	return autograd.ChannelDropoutInPlace(x, m.P, true, m.next())
}

// DropoutState is the random state of one dropout layer.
type DropoutState struct {
	Seed  uint64 `json:"seed"`
	Calls uint64 `json:"calls"`
}

// DropoutStates returns the random state of m's dropout layers, in
// module order.
func DropoutStates(m Module) []DropoutState {
	var out []DropoutState
	for _, d := range dropouts(m) {
		out = append(out, DropoutState{d.seed, d.calls})
	}
	return out
}

// dropouts lists m's dropout layers, m itself included.
func dropouts(m Module) []*Dropout {
	var ds []*Dropout
	if d, ok := m.(*Dropout); ok {
		ds = append(ds, d)
	}
	for _, nm := range Modules(m) {
		if d, ok := nm.Module.(*Dropout); ok {
			ds = append(ds, d)
		}
	}
	return ds
}

// SetDropoutStates restores what DropoutStates returned for a model of
// the same structure.
func SetDropoutStates(m Module, st []DropoutState) error {
	ds := dropouts(m)
	if len(ds) != len(st) {
		return fmt.Errorf("nn: %d dropout states for a model with %d dropout layers", len(st), len(ds))
	}
	for i, d := range ds {
		d.seed, d.calls = st[i].Seed, st[i].Calls
	}
	return nil
}

// Pool is PyTorch's MaxPool1d/2d/3d or AvgPool1d/2d/3d (count_include_pad).
type Pool struct {
	Base
	Max  bool
	Opts autograd.PoolOpts
}

// NewMaxPool returns max pooling over dims spatial axes with kernel k,
// stride s (0: s = k) and padding pad.
func NewMaxPool(dims, k, s, pad int) *Pool {
	return newPool(true, dims, k, s, pad)
}

// NewAvgPool returns average pooling (padding counted in the divisor).
func NewAvgPool(dims, k, s, pad int) *Pool {
	return newPool(false, dims, k, s, pad)
}

func newPool(isMax bool, dims, k, s, pad int) *Pool {
	if s == 0 {
		s = k
	}
	m := &Pool{Max: isMax, Opts: autograd.PoolOpts{Kernel: expand([]int{k}, dims, 0),
		Stride: expand([]int{s}, dims, 0), Pad: expand([]int{pad}, dims, 0)}}
	m.init()
	return m
}

// Forward implements Layer.
func (m *Pool) Forward(x *autograd.Value) *autograd.Value {
	var y *autograd.Value
	kind := "MaxPool"
	if m.Max {
		y = autograd.MaxPool(x, m.Opts)
	} else {
		y, kind = autograd.AvgPool(x, m.Opts), "AvgPool"
	}
	if tracer != nil {
		trace(m, fmt.Sprintf("%s%dd", kind, len(m.Opts.Kernel)), y, 0)
	}
	return y
}

// Upsample is PyTorch's Upsample with an integer scale factor (nearest,
// or (bi/tri)linear with align_corners).
type Upsample struct {
	Base
	Scale        int
	Mode         autograd.InterpMode
	AlignCorners bool
}

// NewUpsample returns nearest-neighbour upsampling by an integer factor.
func NewUpsample(scale int) *Upsample {
	m := &Upsample{Scale: scale, Mode: autograd.InterpNearest}
	m.init()
	return m
}

// Forward implements Layer.
func (m *Upsample) Forward(x *autograd.Value) *autograd.Value {
	xs := x.Shape()
	size := make([]int, len(xs)-2)
	for i, s := range xs[2:] {
		size[i] = s * m.Scale
	}
	y := autograd.Interpolate(x, size, m.Mode, m.AlignCorners)
	if tracer != nil {
		trace(m, "Upsample", y, 0)
	}
	return y
}

// ResizeLike resizes x's spatial axes to those of ref with (bi/tri)linear
// interpolation, align_corners=True, as ivadomed's UpConv does.
func ResizeLike(x, ref *autograd.Value) *autograd.Value {
	rs := ref.Shape()
	if same(x.Shape()[2:], rs[2:]) {
		// Interpolating to the same size with align_corners is exact;
		// skipping it saves a copy.
		return x
	}
	return autograd.Interpolate(x, rs[2:], autograd.InterpLinear, true)
}

func same(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Func wraps a parameter-free function (an activation) as a Layer, so it
// can sit in a Sequential.
type Func struct {
	Base
	Name string
	F    func(*autograd.Value) *autograd.Value
	// InPlace, when set, is F computed over its input's buffer where the
	// autograd rules allow it (autograd.ReluInPlace): a Sequential calls
	// it on the outputs of its own layers, which nothing else can read.
	InPlace func(*autograd.Value) *autograd.Value
	// leaky is a LeakyReLU's slope (0 for other functions), so that a
	// Sequential can fuse it into the GroupNorm before it.
	leaky float32
}

// NewFunc returns a Layer that applies f.
func NewFunc(name string, f func(*autograd.Value) *autograd.Value) *Func {
	m := &Func{Name: name, F: f}
	m.init()
	return m
}

// Forward implements Layer.
func (m *Func) Forward(x *autograd.Value) *autograd.Value { return m.F(x) }

// ReLU, LeakyReLU, ELU, Sigmoid and Softmax as Layers.
func ReLU() *Func {
	m := NewFunc("ReLU", autograd.Relu[float32])
	m.InPlace = autograd.ReluInPlace[float32]
	return m
}

// LeakyReLU returns PyTorch's LeakyReLU with the given negative slope
// (PyTorch's default is 0.01).
func LeakyReLU(slope float64) *Func {
	m := NewFunc("LeakyReLU", func(x *autograd.Value) *autograd.Value { return autograd.LeakyRelu(x, float32(slope)) })
	m.InPlace = func(x *autograd.Value) *autograd.Value { return autograd.LeakyReluInPlace(x, float32(slope)) }
	if slope > 0 && slope <= 1 {
		m.leaky = float32(slope)
	}
	return m
}

// ELU returns PyTorch's ELU with the given alpha.
func ELU(alpha float64) *Func {
	return NewFunc("ELU", func(x *autograd.Value) *autograd.Value { return autograd.Elu(x, float32(alpha)) })
}

// Sigmoid returns the logistic function as a Layer.
func Sigmoid() *Func { return NewFunc("Sigmoid", autograd.Sigmoid[float32]) }

// Softmax returns softmax over axis as a Layer.
func Softmax(axis int) *Func {
	return NewFunc("Softmax", func(x *autograd.Value) *autograd.Value { return autograd.Softmax(x, axis) })
}

// Sequential is PyTorch's Sequential: layers applied in order, registered
// as children "0", "1", ….
type Sequential struct {
	Base
	Layers []Layer
	// dropInner: each layer's output goes to autograd.Drop once the next
	// layer has run on it, so that outputs an op can rebuild (an
	// upsampling, a LeakyReLU of a kept input) are not kept through the
	// forward pass (see Modified3DUNet).
	dropInner bool
}

// NewSequential returns the layers in sequence.
func NewSequential(layers ...Layer) *Sequential {
	m := &Sequential{Layers: layers}
	m.init()
	for i, l := range layers {
		m.Child(strconv.Itoa(i), l)
	}
	return m
}

// Forward implements Layer. An activation after the first layer runs in
// place (Func.InPlace): its input is the previous layer's output, which
// only this loop holds. A GroupNorm and the LeakyReLU after it run as one
// op, and so do a LeakyReLU and the convolution after it
// (autograd.ConvLeaky) and a nearest upsampling by 2 and the convolution
// after it (autograd.ConvUpsampled), unless a summary is traced
// (fuseLeaky).
func (m *Sequential) Forward(x *autograd.Value) *autograd.Value {
	return m.forwardFrom(0, x)
}

// forwardConcat is Forward(Concat(1, xs...)). Where the first layer is a
// convolution it reads the parts itself (autograd.ConvConcat), and the
// concatenation is never made in the forward pass; elsewhere it is made,
// and dropped once read (its parts stay).
func (m *Sequential) forwardConcat(xs ...*autograd.Value) *autograd.Value {
	if c, ok := m.Layers[0].(*Conv); ok && tracer == nil {
		return m.forwardFrom(1, autograd.ConvConcat(xs, c.Weight, c.Bias, c.opts))
	}
	cat := autograd.Concat(1, xs...)
	y := m.Forward(cat)
	autograd.Drop(cat)
	return y
}

// forwardFrom runs the layers from number first on x, which the layer
// before made (or the caller gave, for the first).
func (m *Sequential) forwardFrom(first int, x *autograd.Value) *autograd.Value {
	for i := first; i < len(m.Layers); i++ {
		l := m.Layers[i]
		if y := m.fused(i, x); y != nil {
			if m.dropInner && i > 0 {
				autograd.Drop(x)
			}
			x = y
			i++
			continue
		}
		if f, ok := l.(*Func); ok && i > 0 && f.InPlace != nil {
			x = f.InPlace(x)
			continue
		}
		y := l.Forward(x)
		if m.dropInner && i > 0 {
			autograd.Drop(x)
		}
		x = y
	}
	return x
}

// fused runs layers i and i+1 on x as one op where they make a pair that
// has one (GroupNorm then LeakyReLU, LeakyReLU then a convolution, a
// nearest upsampling by 2 then a convolution of kernel 3 and padding 1),
// and returns nil where they do not.
func (m *Sequential) fused(i int, x *autograd.Value) *autograd.Value {
	if i+1 >= len(m.Layers) || !fuseLeaky() {
		return nil
	}
	switch l := m.Layers[i].(type) {
	case *GroupNorm:
		if f, ok := m.Layers[i+1].(*Func); ok && f.leaky > 0 {
			return l.forwardLeaky(x, f.leaky)
		}
	case *Func:
		if c, ok := m.Layers[i+1].(*Conv); ok && l.leaky > 0 {
			// The convolution reads its input through the LeakyReLU.
			return c.forwardLeaky(x, l.leaky)
		}
	case *Upsample:
		if c, ok := m.Layers[i+1].(*Conv); ok && l.Scale == 2 && l.Mode == autograd.InterpNearest && c.upsampledOK() {
			// The convolution runs on the upsampling's phases.
			return autograd.ConvUpsampled(x, c.Weight, c.Bias, c.opts)
		}
	}
	return nil
}

// List is PyTorch's ModuleList: children named by index; nil entries keep
// their index but register nothing (as None entries).
type List struct {
	Base
	Items []Module
}

// NewList returns the modules as a list.
func NewList(items ...Module) *List {
	m := &List{Items: items}
	m.init()
	for i, it := range items {
		m.Child(strconv.Itoa(i), it)
	}
	return m
}

// layerAt returns item i as a Layer, or panics naming what is there.
func (m *List) layerAt(i int) Layer {
	l, ok := m.Items[i].(Layer)
	if !ok {
		panic(fmt.Sprintf("nn: list item %d is %T, not a Layer", i, m.Items[i]))
	}
	return l
}
