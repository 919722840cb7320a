package nn

import (
	"fmt"
	"strconv"

	"github.com/ivadogo/ivadogo/autograd"
)

// PlainUnetConfig holds the options of the nnU-Net-style plain U-Net.
type PlainUnetConfig struct {
	Dims        int   // 2 or 3 (default 2)
	InChannels  int   // default 1
	OutChannels int   // default 1
	Features    []int // channels per stage (default 32, 64, 128, 256, 320, 320)
	// Strides holds each stage's downsampling stride per axis; stage 0 is
	// normally all ones. Nil means 1 for stage 0 and 2 for the others.
	Strides         [][]int
	ConvsPerStage   int  // default 2
	DeepSupervision bool // ForwardDeep returns one output per decoder stage
	Activation      Activation
}

// PlainUnet is a modern default that ivadomed lacks: nnU-Net's plain
// convolutional U-Net (Isensee et al. 2021). Each stage is ConvsPerStage ×
// (conv 3 with bias → instance norm (affine) → LeakyReLU 0.01); stages
// after the first start with a strided convolution instead of pooling;
// the decoder upsamples with transposed convolutions (kernel = stride),
// concatenates the skip and runs a stage; a 1×1 head per decoder stage
// gives the deep-supervision outputs.
type PlainUnet struct {
	Base
	Config      PlainUnetConfig
	EncStages   []*plainStage
	TranspConvs []*ConvTranspose
	DecStages   []*plainStage
	SegLayers   []*Conv
}

// plainStage is a stack of conv → instance norm → LeakyReLU blocks.
type plainStage struct {
	Base
	convs []*plainConv
}

type plainConv struct {
	Base
	Conv *Conv
	Norm *GroupNorm
}

func newPlainStage(dims, in, out, n int, stride []int) *plainStage {
	s := &plainStage{}
	list := make([]Module, n)
	for i := 0; i < n; i++ {
		st := []int{1}
		if i == 0 {
			st = stride
		}
		c := &plainConv{Conv: NewConv(dims, in, out, ConvConfig{Kernel: []int{3}, Pad: []int{1}, Stride: st}), Norm: NewInstanceNorm(out, true)}
		c.Child("conv", c.Conv)
		c.Child("norm", c.Norm)
		s.convs = append(s.convs, c)
		list[i] = c
		in = out
	}
	s.Child("convs", NewList(list...))
	return s
}

func (s *plainStage) Forward(x *autograd.Value) *autograd.Value {
	return s.forwardFrom(0, x)
}

// forwardConcat is Forward(Concat(1, parts...)), the first convolution
// reading the parts in place (autograd.ConvConcat) where no summary is
// traced.
func (s *plainStage) forwardConcat(parts ...*autograd.Value) *autograd.Value {
	if tracer != nil {
		return s.Forward(autograd.Concat(1, parts...))
	}
	c := s.convs[0]
	return s.forwardFrom(1, s.normLReLU(c, autograd.ConvConcat(parts, c.Conv.Weight, c.Conv.Bias, c.Conv.opts)))
}

// forwardFrom runs the convolutions from number first on x.
func (s *plainStage) forwardFrom(first int, x *autograd.Value) *autograd.Value {
	for _, c := range s.convs[first:] {
		x = s.normLReLU(c, c.Conv.Forward(x))
	}
	return x
}

// normLReLU is LeakyReLU(c.Norm(y)), one op unless a summary is traced.
func (s *plainStage) normLReLU(c *plainConv, y *autograd.Value) *autograd.Value {
	if fuseLeaky() {
		return c.Norm.forwardLeaky(y, 0.01)
	}
	return autograd.LeakyReluInPlace(c.Norm.Forward(y), 0.01)
}

// NewPlainUnet returns the plain U-Net for cfg; zero fields take the
// defaults listed in PlainUnetConfig.
func NewPlainUnet(cfg PlainUnetConfig) *PlainUnet {
	if cfg.Dims == 0 {
		cfg.Dims = 2
	}
	if cfg.InChannels == 0 {
		cfg.InChannels = 1
	}
	if cfg.OutChannels == 0 {
		cfg.OutChannels = 1
	}
	if cfg.Features == nil {
		cfg.Features = []int{32, 64, 128, 256, 320, 320}
	}
	if cfg.ConvsPerStage == 0 {
		cfg.ConvsPerStage = 2
	}
	if cfg.Activation == "" {
		cfg.Activation = ActSigmoid
	}
	ns := len(cfg.Features)
	if ns < 2 {
		panic(fmt.Sprintf("nn: PlainUnet needs at least 2 stages, got features %v", cfg.Features))
	}
	if cfg.Strides == nil {
		for s := 0; s < ns; s++ {
			v := 2
			if s == 0 {
				v = 1
			}
			cfg.Strides = append(cfg.Strides, expand([]int{v}, cfg.Dims, 1))
		}
	}
	if len(cfg.Strides) != ns {
		panic(fmt.Sprintf("nn: PlainUnet has %d stages (features %v) but %d strides", ns, cfg.Features, len(cfg.Strides)))
	}
	for i := range cfg.Strides {
		cfg.Strides[i] = expand(cfg.Strides[i], cfg.Dims, 1)
	}
	m := &PlainUnet{Config: cfg}
	enc, dec := &Base{}, &Base{}
	var encStages, transp, decStages, heads []Module
	in := cfg.InChannels
	for s, f := range cfg.Features {
		st := newPlainStage(cfg.Dims, in, f, cfg.ConvsPerStage, cfg.Strides[s])
		m.EncStages = append(m.EncStages, st)
		encStages = append(encStages, st)
		in = f
	}
	for s := ns - 2; s >= 0; s-- {
		up := NewConvTranspose(cfg.Dims, cfg.Features[s+1], cfg.Features[s], ConvConfig{Kernel: cfg.Strides[s+1], Stride: cfg.Strides[s+1]})
		st := newPlainStage(cfg.Dims, 2*cfg.Features[s], cfg.Features[s], cfg.ConvsPerStage, []int{1})
		head := NewConv(cfg.Dims, cfg.Features[s], cfg.OutChannels, ConvConfig{Kernel: []int{1}})
		m.TranspConvs = append(m.TranspConvs, up)
		m.DecStages = append(m.DecStages, st)
		m.SegLayers = append(m.SegLayers, head)
		transp, decStages, heads = append(transp, up), append(decStages, st), append(heads, head)
	}
	enc.Child("stages", NewList(encStages...))
	dec.Child("stages", NewList(decStages...))
	dec.Child("transpconvs", NewList(transp...))
	dec.Child("seg_layers", NewList(heads...))
	m.Child("encoder", &moduleDict{Base: *enc})
	m.Child("decoder", &moduleDict{Base: *dec})
	return m
}

// Forward implements Layer: the full-resolution output.
func (m *PlainUnet) Forward(x *autograd.Value) *autograd.Value {
	outs := m.forward(x, false)
	return outs[0]
}

// ForwardDeep returns the outputs of every decoder stage, full resolution
// first, each halving (by the stage strides) the previous one, for a deep
// supervision loss. Without DeepSupervision it returns the full-resolution
// output only.
func (m *PlainUnet) ForwardDeep(x *autograd.Value) []*autograd.Value {
	return m.forward(x, m.Config.DeepSupervision)
}

func (m *PlainUnet) forward(x *autograd.Value, deep bool) []*autograd.Value {
	xs := x.Shape()
	if len(xs) != m.Config.Dims+2 || xs[1] != m.Config.InChannels {
		panic(fmt.Sprintf("nn: PlainUnet (%dD, %d input channels) given input %v", m.Config.Dims, m.Config.InChannels, xs))
	}
	var skips []*autograd.Value
	for _, st := range m.EncStages {
		x = st.Forward(x)
		skips = append(skips, x)
	}
	var outs []*autograd.Value
	ns := len(m.EncStages)
	for i := range m.DecStages {
		s := ns - 2 - i
		up := m.TranspConvs[i].Forward(x)
		skip := skips[s]
		if !same(up.Shape()[2:], skip.Shape()[2:]) {
			panic(fmt.Sprintf("nn: PlainUnet: upsampled %v does not match skip %v; make the input divisible by the product of the strides", up.Shape(), skip.Shape()))
		}
		x = m.DecStages[i].forwardConcat(up, skip)
		if deep || i == len(m.DecStages)-1 {
			outs = append(outs, finalActivation(m.SegLayers[i].Forward(x), m.Config.Activation, m.Config.OutChannels))
		}
	}
	// Full resolution first.
	for i, j := 0, len(outs)-1; i < j; i, j = i+1, j-1 {
		outs[i], outs[j] = outs[j], outs[i]
	}
	return outs
}

func buildPlainUnet(o Options) (Module, error) {
	act, err := o.activation()
	if err != nil {
		return nil, err
	}
	cfg := PlainUnetConfig{Dims: 2, InChannels: intOr(o.InChannel, 1), OutChannels: intOr(o.OutChannel, 1),
		Features: o.Features, Strides: o.Strides, Activation: act}
	if o.Is2D != nil && !*o.Is2D {
		cfg.Dims = 3
	}
	if o.DeepSupervision != nil {
		cfg.DeepSupervision = *o.DeepSupervision
	}
	if cfg.Features == nil {
		nf, depth := intOr(o.NFilters, 32), intOr(o.Depth, 5)
		for s := 0; s <= depth; s++ {
			cfg.Features = append(cfg.Features, min(nf<<s, 320))
		}
	}
	for i, f := range cfg.Features {
		if err := positive("features["+strconv.Itoa(i)+"]", f); err != nil {
			return nil, err
		}
	}
	if len(cfg.Features) < 2 {
		return nil, fmt.Errorf("nn: PlainUnet needs at least 2 features (stages), got %v", cfg.Features)
	}
	if cfg.Strides != nil && len(cfg.Strides) != len(cfg.Features) {
		return nil, fmt.Errorf("nn: PlainUnet: %d strides for %d stages", len(cfg.Strides), len(cfg.Features))
	}
	return NewPlainUnet(cfg), nil
}
