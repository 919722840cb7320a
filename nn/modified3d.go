package nn

import (
	"fmt"

	"github.com/ivadogo/ivadogo/autograd"
)

// Modified3DUNetConfig holds the options of ivadomed's Modified3DUNet.
type Modified3DUNetConfig struct {
	InChannels, OutChannels int        // in_channel, out_channel (default 1, 1)
	Filters                 int        // n_filters (default 16)
	Attention               bool       // attention gates on context levels 2–4
	Dropout                 float64    // dropout_rate (default 0.3 unless NoDropout)
	NoDropout               bool       // a dropout rate of exactly 0
	Momentum                float64    // bn_momentum, unused by instance norm (kept for parity)
	Activation              Activation // final_activation (default sigmoid)
	NMetadata               int        // FiLM metadata size
	FiLMLayers              []bool     // 10 flags, nil for no FiLM
}

// Modified3DUNet is ivadomed's Modified3DUNet (Isensee et al. 2017, after
// pykao's implementation): five context levels with strided convolutions
// and residual blocks (instance norm → LeakyReLU → conv), a localisation
// path with nearest upsampling, and two auxiliary 1×1×1 segmentation heads
// upsampled and summed into the output. Convolutions have no bias.
// Optional attention gates and up to 10 FiLM layers.
//
// As in ivadomed, each level's norm_lrelu_conv block is applied twice
// (the same weights) around a dropout.
type Modified3DUNet struct {
	Base
	Config Modified3DUNetConfig

	ConvC1_1, ConvC1_2    *Conv
	LReLUConvC1           *Sequential
	INormC1               *GroupNorm
	ConvC                 [5]*Conv       // index 2..4 used: conv3d_c2..c5 at [1..4]
	NormLReLUConvC        [5]*Sequential // norm_lrelu_conv_c2..c5 at [1..4]
	INormC                [4]*GroupNorm  // inorm3d_c2..c4 at [1..3]
	FiLMs                 [10]*FiLM
	NormLReLU0            *Sequential // FiLM at position 5 only
	UpscaleConvNormLReLU0 *Sequential // FiLM at position 5 only
	NLUCNL                [4]*Sequential
	ConvL                 [5]*Conv // conv3d_l0..l4
	INormL0               *GroupNorm
	Gating                *GatingSignal
	Att                   [5]*AttentionGate // attentionblock2..4 at [2..4]
	CNL                   [5]*Sequential    // conv_norm_lrelu_l1..l4 at [1..4]
	DS2, DS3              *Conv
	lrelu                 func(*autograd.Value) *autograd.Value
	lreluInPlace          func(*autograd.Value) *autograd.Value // where its input has no other reader
	drop                  *Dropout
}

// NewModified3DUNet returns ivadomed's Modified3DUNet for cfg.
func NewModified3DUNet(cfg Modified3DUNetConfig) *Modified3DUNet {
	if cfg.InChannels == 0 {
		cfg.InChannels = 1
	}
	if cfg.OutChannels == 0 {
		cfg.OutChannels = 1
	}
	if cfg.Filters == 0 {
		cfg.Filters = 16
	}
	if cfg.Dropout == 0 && !cfg.NoDropout {
		cfg.Dropout = 0.3
	}
	if cfg.Activation == "" {
		cfg.Activation = ActSigmoid
	}
	if cfg.FiLMLayers != nil && len(cfg.FiLMLayers) != 10 {
		panic(fmt.Sprintf("nn: Modified3DUNet takes 10 FiLM layer flags, got %d", len(cfg.FiLMLayers)))
	}
	b := cfg.Filters
	m := &Modified3DUNet{Config: cfg}
	m.lrelu = func(x *autograd.Value) *autograd.Value { return autograd.LeakyRelu(x, 0.01) }
	m.lreluInPlace = func(x *autograd.Value) *autograd.Value { return autograd.LeakyReluInPlace(x, 0.01) }
	m.drop = NewChannelDropout(cfg.Dropout)
	c3 := func(i, o, s int) *Conv {
		return NewConv(3, i, o, ConvConfig{Kernel: []int{3}, Stride: []int{s}, Pad: []int{1}, NoBias: true})
	}
	c1 := func(i, o int) *Conv { return NewConv(3, i, o, ConvConfig{Kernel: []int{1}, NoBias: true}) }
	in := func(c int) *GroupNorm { return NewInstanceNorm(c, false) }
	film := func(i, c int) *FiLM {
		if i < len(cfg.FiLMLayers) && cfg.FiLMLayers[i] {
			m.FiLMs[i] = NewFiLM(cfg.NMetadata, c)
		}
		return m.FiLMs[i]
	}
	nlc := func(c int) *Sequential { return NewSequential(in(c), LeakyReLU(0.01), c3(c, c, 1)) }
	nlucnl := func(i, o int) *Sequential {
		// The upsampled map is rebuilt for the convolution's backward
		// pass rather than kept.
		s := NewSequential(in(i), LeakyReLU(0.01), NewUpsample(2), c3(i, o, 1), in(o), LeakyReLU(0.01))
		s.dropInner = true
		return s
	}
	cnl := func(i, o int) *Sequential { return NewSequential(c3(i, o, 1), in(o), LeakyReLU(0.01)) }
	child := func(name string, mod Module) {
		if mod != nil && !isNil(mod) {
			m.Child(name, mod)
		}
	}

	// A child, as ivadomed's dropout3d is, so that SetTraining reaches it:
	// in evaluation mode it must pass its input through.
	child("dropout3d", m.drop)
	m.ConvC1_1 = c3(cfg.InChannels, b, 1)
	child("conv3d_c1_1", m.ConvC1_1)
	child("film_layer1", film(0, b))
	m.ConvC1_2 = c3(b, b, 1)
	child("conv3d_c1_2", m.ConvC1_2)
	m.LReLUConvC1 = NewSequential(LeakyReLU(0.01), c3(b, b, 1))
	m.LReLUConvC1.dropInner = true // its LeakyReLU's output is rebuilt
	child("lrelu_conv_c1", m.LReLUConvC1)
	m.INormC1 = in(b)
	child("inorm3d_c1", m.INormC1)
	for l := 2; l <= 4; l++ {
		c := b << (l - 1)
		m.ConvC[l-1] = c3(c/2, c, 2)
		child(fmt.Sprintf("conv3d_c%d", l), m.ConvC[l-1])
		child(fmt.Sprintf("film_layer%d", l), film(l-1, c))
		m.NormLReLUConvC[l-1] = nlc(c)
		child(fmt.Sprintf("norm_lrelu_conv_c%d", l), m.NormLReLUConvC[l-1])
		m.INormC[l-1] = in(c)
		child(fmt.Sprintf("inorm3d_c%d", l), m.INormC[l-1])
	}
	m.ConvC[4] = c3(8*b, 16*b, 2)
	child("conv3d_c5", m.ConvC[4])
	m.NormLReLUConvC[4] = nlc(16 * b)
	child("norm_lrelu_conv_c5", m.NormLReLUConvC[4])
	if film(4, 16*b) != nil {
		m.NormLReLU0 = NewSequential(in(16*b), LeakyReLU(0.01))
		child("norm_lrelu_0", m.NormLReLU0)
		child("film_layer5", m.FiLMs[4])
		m.UpscaleConvNormLReLU0 = NewSequential(NewUpsample(2), c3(16*b, 8*b, 1), in(8*b), LeakyReLU(0.01))
		child("upscale_conv_norm_lrelu_0", m.UpscaleConvNormLReLU0)
	} else {
		m.NLUCNL[0] = nlucnl(16*b, 8*b)
		child("norm_lrelu_upscale_conv_norm_lrelu_l0", m.NLUCNL[0])
	}
	m.ConvL[0] = c1(8*b, 8*b)
	child("conv3d_l0", m.ConvL[0])
	child("film_layer6", film(5, 8*b))
	m.INormL0 = in(8 * b)
	child("inorm3d_l0", m.INormL0)
	if cfg.Attention {
		m.Gating = NewGatingSignal(16*b, 8*b)
		child("gating", m.Gating)
		for l := 2; l <= 4; l++ {
			c := b << (l - 1)
			m.Att[l] = NewAttentionGate(3, c, 8*b, c)
			child(fmt.Sprintf("attentionblock%d", l), m.Att[l])
		}
		// ivadomed re-assigns inorm3d_l0 here (16b channels); PyTorch keeps
		// its place in the module order, and it has no parameters.
		m.INormL0 = in(16 * b)
	}
	for l := 1; l <= 3; l++ {
		c := b << (4 - l) // 8b, 4b, 2b: channels after the concatenation
		m.CNL[l] = cnl(2*c, 2*c)
		child(fmt.Sprintf("conv_norm_lrelu_l%d", l), m.CNL[l])
		m.ConvL[l] = c1(2*c, c)
		child(fmt.Sprintf("conv3d_l%d", l), m.ConvL[l])
		child(fmt.Sprintf("film_layer%d", l+6), film(l+5, c/2))
		m.NLUCNL[l] = nlucnl(c, c/2)
		child(fmt.Sprintf("norm_lrelu_upscale_conv_norm_lrelu_l%d", l), m.NLUCNL[l])
	}
	m.CNL[4] = cnl(2*b, 2*b)
	child("conv_norm_lrelu_l4", m.CNL[4])
	m.ConvL[4] = c1(2*b, cfg.OutChannels)
	child("conv3d_l4", m.ConvL[4])
	m.DS2 = c1(8*b, cfg.OutChannels)
	child("ds2_1x1_conv3d", m.DS2)
	m.DS3 = c1(4*b, cfg.OutChannels)
	child("ds3_1x1_conv3d", m.DS3)
	child("film_layer10", film(9, cfg.OutChannels))
	return m
}

// normLReLU is LeakyReLU(n(x)), one op unless a summary is traced.
func (m *Modified3DUNet) normLReLU(n *GroupNorm, x *autograd.Value) *autograd.Value {
	if fuseLeaky() {
		return n.forwardLeaky(x, 0.01)
	}
	return m.lreluInPlace(n.Forward(x))
}

// lreluConv is c(LeakyReLU(x)), x kept, one op unless a summary is
// traced: the convolution reads x through the LeakyReLU.
func (m *Modified3DUNet) lreluConv(c *Conv, x *autograd.Value) *autograd.Value {
	if fuseLeaky() {
		return c.forwardLeaky(x, 0.01)
	}
	a := m.lrelu(x)
	y := c.Forward(a)
	autograd.Drop(a) // rebuilt from x for the convolution's backward pass
	return y
}

// addLReLU is LeakyReLU(a + r), one op over a's buffer unless a summary
// is traced.
func (m *Modified3DUNet) addLReLU(a, r *autograd.Value) *autograd.Value {
	if fuseLeaky() {
		return autograd.AddLeakyReluInPlace(a, r, 0.01)
	}
	return m.lreluInPlace(addDrop(a, r))
}

// Forward implements Layer for a model without FiLM layers.
func (m *Modified3DUNet) Forward(x *autograd.Value) *autograd.Value { return m.ForwardFiLM(x, nil) }

// ForwardFiLM runs the network with metadata for its FiLM layers (nil
// when it has none). Every spatial size must be divisible by 16.
func (m *Modified3DUNet) ForwardFiLM(x, meta *autograd.Value) *autograd.Value {
	xs := x.Shape()
	if len(xs) != 5 {
		panic(fmt.Sprintf("nn: Modified3DUNet takes N×C×D×H×W input, got %v", xs))
	}
	for _, s := range xs[2:] {
		if s%16 != 0 {
			panic(fmt.Sprintf("nn: Modified3DUNet input %v: every spatial size must be divisible by 16", xs))
		}
	}
	fc := &filmChain{meta: meta}
	// lreluConv keeps its input (the residual is read again); addLReLU
	// and the dropouts overwrite conv outputs that nothing else reads.
	// What an op can rebuild from inputs that stay (an upsampling) goes to
	// autograd.Drop once the convolution that reads it has run: the
	// backward pass rebuilds it for that convolution alone, so it is not
	// kept through the forward pass. The decoder's concatenations are not
	// made at all: their convolutions read the parts
	// (Sequential.forwardConcat).
	out := m.ConvC1_1.Forward(x)
	res := out
	out = m.drop.ForwardInPlace(m.lreluConv(m.ConvC1_2, out))
	out = m.addLReLU(m.LReLUConvC1.Forward(out), res)
	ctx1 := out
	out = m.normLReLU(m.INormC1, out)
	out = fc.apply(m.FiLMs[0], out)
	var ctx [5]*autograd.Value
	for l := 2; l <= 4; l++ {
		out = m.ConvC[l-1].Forward(out)
		res = out
		nlc := m.NormLReLUConvC[l-1]
		out = nlc.Forward(m.drop.ForwardInPlace(nlc.Forward(out)))
		out = m.normLReLU(m.INormC[l-1], addDrop(out, res))
		out = fc.apply(m.FiLMs[l-1], out)
		ctx[l] = out
	}
	out = m.ConvC[4].Forward(out)
	res = out
	nlc := m.NormLReLUConvC[4]
	out = addDrop(nlc.Forward(m.drop.ForwardInPlace(nlc.Forward(out))), res)
	if m.Config.Attention {
		out = m.normLReLU(m.INormL0, out)
		g := m.Gating.Forward(out)
		for l := 4; l >= 2; l-- {
			ctx[l], _ = m.Att[l].Forward(ctx[l], g)
		}
	}
	if m.FiLMs[4] != nil {
		out = m.NormLReLU0.Forward(out)
		out = fc.apply(m.FiLMs[4], out)
		out = m.UpscaleConvNormLReLU0.Forward(out)
	} else {
		out = m.NLUCNL[0].Forward(out)
	}
	out = m.normLReLU(m.INormL0, m.ConvL[0].Forward(out))
	out = fc.apply(m.FiLMs[5], out)
	var ds2, ds3 *autograd.Value
	for l := 1; l <= 3; l++ {
		out = m.CNL[l].forwardConcat(out, ctx[5-l])
		switch l {
		case 2:
			ds2 = out
		case 3:
			ds3 = out
		}
		out = m.NLUCNL[l].Forward(m.ConvL[l].Forward(out))
		out = fc.apply(m.FiLMs[l+5], out)
	}
	pred := m.head(ctx1, out)
	up := func(v *autograd.Value) *autograd.Value {
		s := v.Shape()
		return autograd.Interpolate(v, []int{2 * s[2], 2 * s[3], 2 * s[4]}, autograd.InterpNearest, false)
	}
	ds := autograd.Add(up(m.DS2.Forward(ds2)), m.DS3.Forward(ds3))
	out = autograd.Add(pred, up(ds))
	out = fc.apply(m.FiLMs[9], out)
	return finalActivation(out, m.Config.Activation, m.Config.OutChannels)
}

// head runs conv_norm_lrelu_l4 on the concatenation of ctx1 and out,
// then conv3d_l4. The norm, its LeakyReLU and the 1×1 convolution are one
// op (autograd.GroupNormLeakyReluConv1), which makes the 2b-channel map at
// full resolution in neither pass (f16 at 48³, batch 2, one class:
// forward 2.2 → 1.2 ms, backward 5.4 → 3.6).
func (m *Modified3DUNet) head(ctx1, out *autograd.Value) *autograd.Value {
	s := m.CNL[4]
	c, okc := s.Layers[0].(*Conv)
	gn, okn := s.Layers[1].(*GroupNorm)
	f, okf := s.Layers[2].(*Func)
	if !fuseLeaky() || !okc || !okn || !okf || f.leaky <= 0 {
		return m.ConvL[4].Forward(s.forwardConcat(ctx1, out))
	}
	h := autograd.ConvConcat([]*autograd.Value{ctx1, out}, c.Weight, c.Bias, c.opts)
	l := m.ConvL[4]
	return autograd.GroupNormLeakyReluConv1(h, gn.groups(h), gn.Weight, gn.Bias, gn.Eps, f.leaky, l.Weight, l.Bias)
}

// addDrop returns a + r and drops a, a convolution's output that only the
// sum reads: the sum's backward pass reads neither term, so a goes back
// to the pool at once instead of at Backward.
func addDrop(a, r *autograd.Value) *autograd.Value {
	s := autograd.Add(a, r)
	autograd.Drop(a)
	return s
}

func buildModified3D(o Options) (Module, error) {
	act, err := o.activation()
	if err != nil {
		return nil, err
	}
	drop, zero := o.dropout(0.3)
	cfg := Modified3DUNetConfig{InChannels: intOr(o.InChannel, 1), OutChannels: intOr(o.OutChannel, 1),
		Filters: intOr(o.NFilters, 16), Dropout: drop, NoDropout: zero, Momentum: floatOr(o.BNMomentum, 0.1),
		Activation: act, NMetadata: intOr(o.NMetadata, 0)}
	if o.Attention != nil {
		cfg.Attention = *o.Attention
	}
	for _, kv := range []struct {
		k string
		v int
	}{{"in_channel", cfg.InChannels}, {"out_channel", cfg.OutChannels}, {"n_filters", cfg.Filters}} {
		if err := positive(kv.k, kv.v); err != nil {
			return nil, err
		}
	}
	if cfg.FiLMLayers, err = o.filmFlags(10); err != nil {
		return nil, err
	}
	return NewModified3DUNet(cfg), nil
}
