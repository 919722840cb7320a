package nn

import (
	"fmt"
	"math"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/tensor"
)

// BasicBlock is torchvision's ResNet BasicBlock: conv3×3 → BN → ReLU →
// conv3×3 → BN, plus the identity (or a 1×1 strided conv + BN
// "downsample"), then ReLU.
type BasicBlock struct {
	Base
	Conv1, Conv2 *Conv
	BN1, BN2     *BatchNorm
	Downsample   *Sequential
}

func newBasicBlock(in, planes, stride int) *BasicBlock {
	m := &BasicBlock{
		Conv1: NewConv(2, in, planes, ConvConfig{Kernel: []int{3}, Stride: []int{stride}, Pad: []int{1}, NoBias: true}),
		BN1:   NewBatchNorm(planes, 0.1),
		Conv2: NewConv(2, planes, planes, ConvConfig{Kernel: []int{3}, Pad: []int{1}, NoBias: true}),
		BN2:   NewBatchNorm(planes, 0.1),
	}
	m.Child("conv1", m.Conv1)
	m.Child("bn1", m.BN1)
	m.Child("conv2", m.Conv2)
	m.Child("bn2", m.BN2)
	if stride != 1 || in != planes {
		m.Downsample = NewSequential(NewConv(2, in, planes, ConvConfig{Kernel: []int{1}, Stride: []int{stride}, NoBias: true}), NewBatchNorm(planes, 0.1))
		m.Child("downsample", m.Downsample)
	}
	return m
}

// Forward implements Layer.
func (m *BasicBlock) Forward(x *autograd.Value) *autograd.Value {
	idt := x
	if m.Downsample != nil {
		idt = m.Downsample.Forward(x)
	}
	out := autograd.Relu(m.BN1.Forward(m.Conv1.Forward(x)))
	out = m.BN2.Forward(m.Conv2.Forward(out))
	return autograd.Relu(autograd.Add(out, idt))
}

// ResNet18 is ivadomed's resnet18 classifier: torchvision's ResNet-18 with
// a one-channel stem and two classes, whose softmax output drops the
// background column (one output per image).
type ResNet18 struct {
	Base
	Conv1                          *Conv
	BN1                            *BatchNorm
	MaxPool                        *Pool
	Layer1, Layer2, Layer3, Layer4 *Sequential
	FC                             *Linear
}

// NewResNet18 returns ivadomed's resnet18, initialised as torchvision's
// ResNet (Kaiming normal, fan-out, for the convolutions).
func NewResNet18() *ResNet18 {
	m := &ResNet18{
		Conv1:   NewConv(2, 1, 64, ConvConfig{Kernel: []int{7}, Stride: []int{2}, Pad: []int{3}, NoBias: true}),
		BN1:     NewBatchNorm(64, 0.1),
		MaxPool: NewMaxPool(2, 3, 2, 1),
	}
	in := 64
	layer := func(planes, stride int) *Sequential {
		b0 := newBasicBlock(in, planes, stride)
		in = planes
		return NewSequential(b0, newBasicBlock(planes, planes, 1))
	}
	m.Layer1, m.Layer2, m.Layer3, m.Layer4 = layer(64, 1), layer(128, 2), layer(256, 2), layer(512, 2)
	m.FC = NewLinear(512, 2)
	m.Child("conv1", m.Conv1)
	m.Child("bn1", m.BN1)
	m.Child("maxpool", m.MaxPool)
	m.Child("layer1", m.Layer1)
	m.Child("layer2", m.Layer2)
	m.Child("layer3", m.Layer3)
	m.Child("layer4", m.Layer4)
	m.Child("fc", m.FC)
	for _, nm := range Modules(m) {
		if c, ok := nm.Module.(*Conv); ok {
			c.Weight.Data().KaimingNormal(rng, 0, tensor.FanOut, "relu")
		}
	}
	return m
}

// globalAvgPool is AdaptiveAvgPool2d((1, 1)) followed by flatten.
func globalAvgPool(x *autograd.Value) *autograd.Value {
	xs := x.Shape()
	axes := make([]int, len(xs)-2)
	for i := range axes {
		axes[i] = i + 2
	}
	return autograd.Mean(x, axes, false)
}

// classify turns logits [N, 2] into ivadomed's output: the softmax
// probability of the foreground class, [N, 1].
func classify(logits *autograd.Value) *autograd.Value {
	return autograd.Narrow(autograd.Softmax(logits, 1), 1, 1, logits.Shape()[1]-1)
}

// Forward implements Layer.
func (m *ResNet18) Forward(x *autograd.Value) *autograd.Value {
	x = m.MaxPool.Forward(autograd.Relu(m.BN1.Forward(m.Conv1.Forward(x))))
	x = m.Layer4.Forward(m.Layer3.Forward(m.Layer2.Forward(m.Layer1.Forward(x))))
	return classify(m.FC.Forward(globalAvgPool(x)))
}

// denseLayer is torchvision's _DenseLayer: BN → ReLU → conv1×1 (bn_size·k)
// → BN → ReLU → conv3×3 (k), its input the concatenation of all earlier
// features of the block.
type denseLayer struct {
	Base
	Norm1, Norm2 *BatchNorm
	Conv1, Conv2 *Conv
	drop         *Dropout
}

func (m *denseLayer) Forward(x *autograd.Value) *autograd.Value {
	out := m.Conv1.Forward(autograd.Relu(m.Norm1.Forward(x)))
	out = m.Conv2.Forward(autograd.Relu(m.Norm2.Forward(out)))
	return m.drop.Forward(out)
}

// denseBlock is torchvision's _DenseBlock (a ModuleDict of denselayerN).
type denseBlock struct {
	Base
	layers []*denseLayer
}

func (m *denseBlock) Forward(x *autograd.Value) *autograd.Value {
	feats := []*autograd.Value{x}
	for _, l := range m.layers {
		feats = append(feats, l.Forward(autograd.Concat(1, feats...)))
	}
	return autograd.Concat(1, feats...)
}

// DenseNet121 is ivadomed's densenet121 classifier: torchvision's
// DenseNet-BC (growth 32, blocks 6-12-24-16, 64 initial features, bottleneck
// 4) with a one-channel stem and two classes, background column dropped.
type DenseNet121 struct {
	Base
	Features   *Sequential
	Classifier *Linear
}

// NewDenseNet121 returns ivadomed's densenet121 with torchvision's
// initialisation (Kaiming normal convolutions, zero linear bias).
func NewDenseNet121() *DenseNet121 {
	const growth, bnSize, init = 32, 4, 64
	blocks := []int{6, 12, 24, 16}
	feats := &Sequential{}
	add := func(name string, l Layer) {
		feats.Layers = append(feats.Layers, l)
		feats.Child(name, l)
	}
	add("conv0", NewConv(2, 1, init, ConvConfig{Kernel: []int{7}, Stride: []int{2}, Pad: []int{3}, NoBias: true}))
	add("norm0", NewBatchNorm(init, 0.1))
	add("relu0", ReLU())
	add("pool0", NewMaxPool(2, 3, 2, 1))
	nf := init
	for i, n := range blocks {
		b := &denseBlock{}
		for j := 0; j < n; j++ {
			cin := nf + j*growth
			l := &denseLayer{Norm1: NewBatchNorm(cin, 0.1),
				Conv1: NewConv(2, cin, bnSize*growth, ConvConfig{Kernel: []int{1}, NoBias: true}),
				Norm2: NewBatchNorm(bnSize*growth, 0.1),
				Conv2: NewConv(2, bnSize*growth, growth, ConvConfig{Kernel: []int{3}, Pad: []int{1}, NoBias: true}),
				drop:  NewDropout(0)}
			l.Child("norm1", l.Norm1)
			l.Child("conv1", l.Conv1)
			l.Child("norm2", l.Norm2)
			l.Child("conv2", l.Conv2)
			b.layers = append(b.layers, l)
			b.Child(fmt.Sprintf("denselayer%d", j+1), l)
		}
		add(fmt.Sprintf("denseblock%d", i+1), b)
		nf += n * growth
		if i != len(blocks)-1 {
			add(fmt.Sprintf("transition%d", i+1), newTransition(nf, nf/2))
			nf /= 2
		}
	}
	add("norm5", NewBatchNorm(nf, 0.1))
	m := &DenseNet121{Features: feats, Classifier: NewLinear(nf, 2)}
	m.Child("features", m.Features)
	m.Child("classifier", m.Classifier)
	for _, nm := range Modules(m) {
		if c, ok := nm.Module.(*Conv); ok {
			c.Weight.Data().KaimingNormal(rng, 0, tensor.FanIn, "leaky_relu")
		}
	}
	m.Classifier.Bias.Data().Fill(0)
	return m
}

// transition is torchvision's _Transition: BN → ReLU → conv1×1 → avg pool 2.
type transition struct {
	Base
	Norm *BatchNorm
	Conv *Conv
	Pool *Pool
}

func newTransition(in, out int) *transition {
	m := &transition{Norm: NewBatchNorm(in, 0.1), Conv: NewConv(2, in, out, ConvConfig{Kernel: []int{1}, NoBias: true}), Pool: NewAvgPool(2, 2, 2, 0)}
	m.Child("norm", m.Norm)
	m.Child("conv", m.Conv)
	m.Child("pool", m.Pool)
	return m
}

func (m *transition) Forward(x *autograd.Value) *autograd.Value {
	return m.Pool.Forward(m.Conv.Forward(autograd.Relu(m.Norm.Forward(x))))
}

// Forward implements Layer.
func (m *DenseNet121) Forward(x *autograd.Value) *autograd.Value {
	x = autograd.Relu(m.Features.Forward(x))
	return classify(m.Classifier.Forward(globalAvgPool(x)))
}

// convBlock is ivadomed's ConvBlock: conv (bias) → BatchNorm → activation.
type convBlock struct {
	Base
	Conv1     *Conv
	BatchNorm *BatchNorm
	slope     float32
}

func newConvBlock(in, out, k, pad int, slope float32) *convBlock {
	m := &convBlock{Conv1: NewConv(2, in, out, ConvConfig{Kernel: []int{k}, Pad: []int{pad}}), BatchNorm: NewBatchNorm(out, 0.1), slope: slope}
	m.Child("conv1", m.Conv1)
	m.Child("batch_norm", m.BatchNorm)
	return m
}

func (m *convBlock) Forward(x *autograd.Value) *autograd.Value {
	return autograd.LeakyRelu(m.BatchNorm.Forward(m.Conv1.Forward(x)), m.slope)
}

// simpleBlock is ivadomed's SimpleBlock: three ConvBlocks (3×3 pad 0,
// 5×5 pad 1, 9×9 pad 3, all shrinking the image by 2) concatenated.
type simpleBlock struct {
	Base
	Conv1, Conv2, Conv3 *convBlock
}

func newSimpleBlock(in, out1, out3 int) *simpleBlock {
	m := &simpleBlock{Conv1: newConvBlock(in, out1, 3, 0, 0.01), Conv2: newConvBlock(in, out3, 5, 1, 0.01), Conv3: newConvBlock(in, out3, 9, 3, 0.01)}
	m.Child("conv1", m.Conv1)
	m.Child("conv2", m.Conv2)
	m.Child("conv3", m.Conv3)
	return m
}

// Forward concatenates the three branches (ivadomed's MaxPool2d(1) after
// them is the identity).
func (m *simpleBlock) Forward(x *autograd.Value) *autograd.Value {
	return autograd.Concat(1, m.Conv1.Forward(x), m.Conv2.Forward(x), m.Conv3.Forward(x))
}

// Countception is ivadomed's Countception (Cohen et al. 2017): a fully
// convolutional redundant-counting network for keypoint heat maps, input
// zero-padded by 40 (its patch size), inception-style blocks, LeakyReLU
// 0.01 inside and 0.3 at the end. Weights are Xavier-uniform initialised.
type Countception struct {
	Base
	blocks []Layer
	Logits []*convBlock // use_logits: one head per output channel
}

// NewCountception returns ivadomed's Countception. With useLogits, the
// last block is one 1×1 head of logitsPerOutput channels per output
// channel (registered as conv6.0, conv6.1, …).
func NewCountception(in, out int, useLogits bool, logitsPerOutput int) *Countception {
	m := &Countception{}
	names := []string{"conv1", "simple1", "simple2", "conv2", "simple3", "simple4", "simple5", "simple6", "conv3", "conv4", "conv5"}
	layers := []Layer{
		newConvBlock(in, 64, 3, 40, 0.01),
		newSimpleBlock(64, 16, 16),
		newSimpleBlock(48, 16, 32),
		newConvBlock(80, 16, 14, 0, 0.01),
		newSimpleBlock(16, 112, 48),
		newSimpleBlock(208, 64, 32),
		newSimpleBlock(128, 40, 40),
		newSimpleBlock(120, 32, 96),
		newConvBlock(224, 32, 20, 0, 0.01),
		newConvBlock(32, 64, 10, 0, 0.01),
		newConvBlock(64, 32, 9, 0, 0.01),
	}
	for i, l := range layers {
		m.Child(names[i], l)
	}
	m.blocks = layers
	if useLogits {
		var items []Module
		for i := 0; i < out; i++ {
			b := newConvBlock(64, logitsPerOutput, 1, 0, 0.3)
			m.Logits = append(m.Logits, b)
			items = append(items, b)
		}
		m.Child("conv6", NewList(items...))
	} else {
		last := newConvBlock(32, out, 20, 1, 0.3)
		m.blocks = append(m.blocks, last)
		m.Child("conv6", last)
	}
	gain := math.Sqrt(2 / (1 + 0.01*0.01)) // calculate_gain('leaky_relu', 0.01)
	for _, nm := range Modules(m) {
		if c, ok := nm.Module.(*Conv); ok {
			c.Weight.Data().XavierUniform(rng, gain)
		}
	}
	return m
}

// Forward implements Layer. With use_logits it fails as ivadomed's model
// does: ivadomed's heads are 1×1 ConvBlocks on 64 channels while conv5
// gives 32, so PyTorch stops at the first head with the message this
// panic repeats. No trained ivadomed model of that variant can exist, so
// it is reproduced (ivadomed's parameters, ivadomed's failure) rather than
// fixed by guessing which side was meant.
func (m *Countception) Forward(x *autograd.Value) *autograd.Value {
	for _, l := range m.blocks {
		x = l.Forward(x)
	}
	if m.Logits != nil {
		w := m.Logits[0].Conv1.Weight.Shape()
		panic(fmt.Sprintf("nn: Countception with use_logits fails as in ivadomed: Given groups=1, weight of size %s, expected input%s to have %d channels, but got %d channels instead",
			ShapeString(w), ShapeString(x.Shape()), w[1], x.Shape()[1]))
	}
	return x
}

func buildResNet18(o Options) (Module, error)    { return NewResNet18(), nil }
func buildDenseNet121(o Options) (Module, error) { return NewDenseNet121(), nil }
func buildCountception(o Options) (Module, error) {
	in, out := intOr(o.InChannel, 3), intOr(o.OutChannel, 1)
	if err := positive("in_channel", in); err != nil {
		return nil, err
	}
	if err := positive("out_channel", out); err != nil {
		return nil, err
	}
	logits := o.UseLogits != nil && *o.UseLogits
	return NewCountception(in, out, logits, intOr(o.LogitsPerOutput, 12)), nil
}
