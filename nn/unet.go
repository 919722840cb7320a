package nn

import (
	"fmt"

	"github.com/ivadogo/ivadogo/autograd"
)

// Activation is a model's final activation.
type Activation string

// The final activations ivadomed offers.
const (
	ActSigmoid Activation = "sigmoid"
	ActSoftmax Activation = "softmax"
	// ActReLU is ivadomed's "normalised ReLU" for soft segmentation:
	// relu(x)/max(relu(x)) over the whole batch (left as relu(x) when the
	// maximum is 0).
	ActReLU Activation = "relu"
)

// finalActivation applies act and drops the background channel of a
// multi-class output, as ivadomed's models do.
func finalActivation(x *autograd.Value, act Activation, outChannels int) *autograd.Value {
	switch act {
	case ActSoftmax:
		x = autograd.Softmax(x, 1)
	case ActReLU:
		r := autograd.Relu(x)
		mx := autograd.Max(r, nil, false)
		if mx.Item() != 0 {
			x = autograd.Div(r, mx)
		} else {
			x = r
		}
	case ActSigmoid, "":
		x = autograd.Sigmoid(x)
	default:
		panic(fmt.Sprintf("nn: unknown final activation %q (want sigmoid, softmax or relu)", act))
	}
	if outChannels > 1 {
		x = autograd.Narrow(x, 1, 1, outChannels-1)
	}
	return x
}

// DownConv is ivadomed's DownConv: twice conv 3 (pad 1, bias) → ReLU →
// norm → channel dropout, with ReLU before the norm (ivadomed's order,
// needed for its weights). 2D uses BatchNorm2d, 3D InstanceNorm3d.
type DownConv struct {
	Base
	Conv1, Conv2 *Conv
	Norm1, Norm2 Layer
	Drop1, Drop2 *Dropout
}

// NewDownConv returns ivadomed's DownConv in dims (2 or 3) dimensions.
func NewDownConv(dims, in, out int, drop, momentum float64) *DownConv {
	m := &DownConv{}
	norm := func() Layer {
		if dims == 2 {
			return NewBatchNorm(out, momentum)
		}
		return NewInstanceNorm(out, false)
	}
	m.Conv1 = NewConv(dims, in, out, ConvConfig{Kernel: []int{3}, Pad: []int{1}})
	m.Norm1 = norm()
	m.Drop1 = NewChannelDropout(drop)
	m.Conv2 = NewConv(dims, out, out, ConvConfig{Kernel: []int{3}, Pad: []int{1}})
	m.Norm2 = norm()
	m.Drop2 = NewChannelDropout(drop)
	m.Child("conv1", m.Conv1)
	m.Child("conv1_bn", m.Norm1)
	m.Child("conv1_drop", m.Drop1)
	m.Child("conv2", m.Conv2)
	m.Child("conv2_bn", m.Norm2)
	m.Child("conv2_drop", m.Drop2)
	return m
}

// Forward implements Layer.
func (m *DownConv) Forward(x *autograd.Value) *autograd.Value { return m.forward(x, false) }

// forward is Forward; with drop, x goes to autograd.Drop once the first
// convolution has read it (UpConv's concatenation, recomputed for that
// convolution's backward pass when its parts can be).
func (m *DownConv) forward(x *autograd.Value, drop bool) *autograd.Value {
	h := m.Conv1.Forward(x)
	if drop {
		autograd.Drop(x)
	}
	x = reluNormDrop(h, m.Norm1, m.Drop1)
	y := m.Conv2.Forward(x)
	// The second convolution's input is recomputed for its backward
	// pass when the fused block made it (see reluNormDrop).
	autograd.Drop(x)
	return reluNormDrop(y, m.Norm2, m.Drop2)
}

// reluNormDrop is ReLU → norm → dropout on a conv output x. The ReLU and
// dropout overwrite the conv and norm outputs, which nothing else reads:
// two activation buffers per conv instead of four. Batch norm with
// channel dropout runs as one op that keeps only the ReLU's output
// (autograd.ReluBatchNormChannelDropout): one buffer per conv kept for
// backward, with the same values and gradients, in training and in
// evaluation (a validation pass records its graph, see pipeline).
func reluNormDrop(x *autograd.Value, norm Layer, drop *Dropout) *autograd.Value {
	if bn, ok := norm.(*BatchNorm); ok && drop.Channels && tracer == nil {
		return bn.forwardReluDropout(x, drop)
	}
	return drop.ForwardInPlace(norm.Forward(autograd.ReluInPlace(x)))
}

// UpConv is ivadomed's UpConv: resize to the skip's size ((bi/tri)linear,
// align_corners), concatenate [x, skip] on channels, DownConv.
type UpConv struct {
	Base
	DownConv *DownConv
}

// NewUpConv returns ivadomed's UpConv.
func NewUpConv(dims, in, out int, drop, momentum float64) *UpConv {
	m := &UpConv{DownConv: NewDownConv(dims, in, out, drop, momentum)}
	m.Child("downconv", m.DownConv)
	return m
}

// Forward combines x with the skip features. The upsampling is written
// straight into the concatenation (autograd.InterpolateConcat).
func (m *UpConv) Forward(x, skip *autograd.Value) *autograd.Value { return m.forward(x, skip, false) }

// forward is Forward; with drop, x and skip go to autograd.Drop once
// concatenated, before the convolutions run.
func (m *UpConv) forward(x, skip *autograd.Value, drop bool) *autograd.Value {
	var cat *autograd.Value
	if same(x.Shape()[2:], skip.Shape()[2:]) {
		// Interpolating to the same size with align_corners is exact.
		cat = autograd.Concat(1, x, skip)
	} else {
		cat = autograd.InterpolateConcat(x, skip, autograd.InterpLinear, true)
	}
	if drop {
		autograd.Drop(x)
		autograd.Drop(skip)
	}
	return m.DownConv.forward(cat, true)
}

// UnetConfig holds the options of ivadomed's Unet, FiLMedUnet and
// HeMISUnet (ivadomed's names in comments).
type UnetConfig struct {
	InChannels  int        // in_channel (default 1)
	OutChannels int        // out_channel (default 1)
	Depth       int        // depth: number of poolings (default 3)
	Filters     int        // n_filters (default 64)
	Dropout     float64    // dropout_rate (default 0.3); set NoDropout for 0
	NoDropout   bool       // a dropout rate of exactly 0
	Momentum    float64    // bn_momentum (default 0.1)
	Activation  Activation // final_activation (default sigmoid)
	Is3D        bool       // is_2d = false: Conv3d, InstanceNorm3d, MaxPool3d
	// FiLM: NMetadata metadata values and one flag per FiLM position
	// (2·Depth+2 of them); nil FiLMLayers means no FiLM.
	NMetadata  int
	FiLMLayers []bool
}

func (c UnetConfig) withDefaults() UnetConfig {
	if c.InChannels == 0 {
		c.InChannels = 1
	}
	if c.OutChannels == 0 {
		c.OutChannels = 1
	}
	if c.Depth == 0 {
		c.Depth = 3
	}
	if c.Filters == 0 {
		c.Filters = 64
	}
	if c.Dropout == 0 && !c.NoDropout {
		c.Dropout = 0.3
	}
	if c.Momentum == 0 {
		c.Momentum = 0.1
	}
	if c.Activation == "" {
		c.Activation = ActSigmoid
	}
	return c
}

func (c UnetConfig) dims() int {
	if c.Is3D {
		return 3
	}
	return 2
}

func (c UnetConfig) film(i int) bool { return i < len(c.FiLMLayers) && c.FiLMLayers[i] }

// Encoder is ivadomed's Encoder: down_path = [DownConv, FiLM or None,
// MaxPool] per level, then conv_bottom (no channel doubling) and
// film_bottom.
type Encoder struct {
	Base
	Depth      int
	DownPath   *List
	ConvBottom *DownConv
	FiLMBottom *FiLM
}

// NewEncoder returns an encoder for cfg (defaults applied by the caller).
func NewEncoder(cfg UnetConfig) *Encoder {
	d := cfg.dims()
	m := &Encoder{Depth: cfg.Depth}
	var items []Module
	f := cfg.Filters
	in := cfg.InChannels
	for i := 0; i < cfg.Depth; i++ {
		out := f
		if i > 0 {
			out = 2 * f
		}
		items = append(items, NewDownConv(d, in, out, cfg.Dropout, cfg.Momentum))
		if cfg.film(i) {
			items = append(items, NewFiLM(cfg.NMetadata, out))
		} else {
			items = append(items, nil)
		}
		items = append(items, NewMaxPool(d, 2, 2, 0))
		in, f = out, out
	}
	m.DownPath = NewList(items...)
	m.ConvBottom = NewDownConv(d, f, f, cfg.Dropout, cfg.Momentum)
	if cfg.film(cfg.Depth) {
		m.FiLMBottom = NewFiLM(cfg.NMetadata, f)
	}
	m.Child("down_path", m.DownPath)
	m.Child("conv_bottom", m.ConvBottom)
	if m.FiLMBottom != nil {
		m.Child("film_bottom", m.FiLMBottom)
	}
	return m
}

// Forward returns the skip features of every level and the bottom
// features (last).
func (m *Encoder) Forward(x *autograd.Value, fc *filmChain) []*autograd.Value {
	var feats []*autograd.Value
	for i := 0; i < m.Depth; i++ {
		// Below the first level x is the pooled map, rebuilt for the
		// first convolution's backward when it can be (see MaxPool).
		x = m.DownPath.Items[3*i].(*DownConv).forward(x, i > 0)
		if f, _ := m.DownPath.Items[3*i+1].(*FiLM); f != nil {
			x = fc.apply(f, x)
		}
		feats = append(feats, x)
		x = m.DownPath.layerAt(3*i + 2).Forward(x)
	}
	x = m.ConvBottom.forward(x, true)
	x = fc.apply(m.FiLMBottom, x)
	return append(feats, x)
}

// Decoder is ivadomed's Decoder: up_path = [UpConv, FiLM or None] per
// level, last_conv (3, pad 1) and last_film, then the final activation.
// With HeMIS the skip and bottom features are [mean, variance] pairs, so
// twice as many channels come in.
type Decoder struct {
	Base
	Depth, OutChannels int
	Activation         Activation
	UpPath             *List
	LastConv           *Conv
	LastFiLM           *FiLM
}

// NewDecoder returns a decoder for cfg (defaults applied by the caller).
func NewDecoder(cfg UnetConfig, hemis bool) *Decoder {
	d := cfg.dims()
	depth, nf := cfg.Depth, cfg.Filters
	m := &Decoder{Depth: depth, OutChannels: cfg.OutChannels, Activation: cfg.Activation}
	h := 0
	if hemis {
		h = 1
	}
	in := nf << depth
	var items []Module
	first := in
	if hemis {
		first = 2 * in
	}
	items = append(items, NewUpConv(d, first, nf<<(depth-1), cfg.Dropout, cfg.Momentum))
	items = append(items, m.filmOrNil(cfg, depth+1, nf<<(depth-1)))
	for i := 1; i < depth; i++ {
		in /= 2
		items = append(items, NewUpConv(d, in+nf<<(depth-i-1+h), nf<<(depth-i-1), cfg.Dropout, cfg.Momentum))
		items = append(items, m.filmOrNil(cfg, depth+i+1, nf<<(depth-i-1)))
	}
	m.UpPath = NewList(items...)
	m.LastConv = NewConv(d, in/2, cfg.OutChannels, ConvConfig{Kernel: []int{3}, Pad: []int{1}})
	if cfg.film(2*depth + 1) {
		m.LastFiLM = NewFiLM(cfg.NMetadata, cfg.OutChannels)
	}
	m.Child("up_path", m.UpPath)
	m.Child("last_conv", m.LastConv)
	if m.LastFiLM != nil {
		m.Child("last_film", m.LastFiLM)
	}
	return m
}

func (m *Decoder) filmOrNil(cfg UnetConfig, i, c int) Module {
	if cfg.film(i) {
		return NewFiLM(cfg.NMetadata, c)
	}
	return nil
}

// Forward decodes the encoder's features (bottom last) into predictions.
func (m *Decoder) Forward(feats []*autograd.Value, fc *filmChain) *autograd.Value {
	x := feats[len(feats)-1]
	for i := m.Depth - 1; i >= 0; i-- {
		j := 2 * (m.Depth - 1 - i)
		// The concatenation in UpConv holds what the decoder still needs
		// of x and the skip features: their buffers go back once it is
		// made, not after the backward pass.
		x = m.UpPath.Items[j].(*UpConv).forward(x, feats[i], true)
		if f, _ := m.UpPath.Items[j+1].(*FiLM); f != nil {
			x = fc.apply(f, x)
		}
	}
	prev := x
	x = m.LastConv.Forward(x)
	autograd.Drop(prev) // recomputed for LastConv's backward
	x = fc.apply(m.LastFiLM, x)
	return finalActivation(x, m.Activation, m.OutChannels)
}

// Unet is ivadomed's Unet (and, with FiLM layers, FiLMedUnet): 2D with
// batch norm or 3D with instance norm, depth poolings, no channel
// doubling at the bottom, (bi/tri)linear upsampling with align_corners.
type Unet struct {
	Base
	Config  UnetConfig
	Encoder *Encoder
	Decoder *Decoder
}

// NewUnet returns ivadomed's Unet for cfg; zero fields take ivadomed's
// defaults. With FiLMLayers set it is ivadomed's FiLMedUnet.
func NewUnet(cfg UnetConfig) *Unet {
	cfg = cfg.withDefaults()
	if cfg.FiLMLayers != nil && len(cfg.FiLMLayers) != 2*cfg.Depth+2 {
		panic(fmt.Sprintf("nn: %d FiLM layer flags for depth %d, want 2·depth+2 = %d", len(cfg.FiLMLayers), cfg.Depth, 2*cfg.Depth+2))
	}
	m := &Unet{Config: cfg, Encoder: NewEncoder(cfg), Decoder: NewDecoder(cfg, false)}
	m.Child("encoder", m.Encoder)
	m.Child("decoder", m.Decoder)
	return m
}

// Forward implements Layer for a Unet without FiLM layers.
func (m *Unet) Forward(x *autograd.Value) *autograd.Value {
	return m.ForwardFiLM(x, nil)
}

// FiLMLayers returns the network's FiLM layers by ivadomed's position
// (2·Depth+2 of them, nil where a position has none): after each encoder
// level, at the bottom, after each decoder level, after the last conv.
// Without FiLM it returns nil.
func (m *Unet) FiLMLayers() []*FiLM {
	if m.Config.FiLMLayers == nil {
		return nil
	}
	d := m.Config.Depth
	out := make([]*FiLM, 2*d+2)
	for i := range d {
		out[i], _ = m.Encoder.DownPath.Items[3*i+1].(*FiLM)
		out[d+1+i], _ = m.Decoder.UpPath.Items[2*i+1].(*FiLM)
	}
	out[d] = m.Encoder.FiLMBottom
	out[2*d+1] = m.Decoder.LastFiLM
	return out
}

// ForwardFiLM runs the network with metadata meta [N, NMetadata] for its
// FiLM layers (nil when it has none).
func (m *Unet) ForwardFiLM(x, meta *autograd.Value) *autograd.Value {
	fc := &filmChain{meta: meta}
	return m.Decoder.Forward(m.Encoder.Forward(x, fc), fc)
}
