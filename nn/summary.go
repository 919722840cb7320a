package nn

import (
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/tensor"
)

// Input is what a model runs on: the images, and the extra inputs some
// models take.
type Input struct {
	X        *autograd.Value   // N×C×spatial images
	Metadata *autograd.Value   // N×n_metadata values for FiLM layers
	Images   []*autograd.Value // HeMISUnet: one N×1×spatial image per contrast
	Present  [][]bool          // HeMISUnet: per sample, which contrasts are there
}

// Run calls m on in the way its kind needs: FiLM models get the metadata,
// HeMISUnet the per-contrast images.
func Run(m Module, in Input) *autograd.Value {
	switch mm := m.(type) {
	case *Unet:
		return mm.ForwardFiLM(in.X, in.Metadata)
	case *Modified3DUNet:
		return mm.ForwardFiLM(in.X, in.Metadata)
	case *HeMISUnet:
		return mm.ForwardHeMIS(in.Images, in.Present)
	case Layer:
		return mm.Forward(in.X)
	}
	panic(fmt.Sprintf("nn: Run: %T has no forward pass", m))
}

// LayerInfo is one call of a layer during a summarised forward pass.
type LayerInfo struct {
	Name   string  `json:"name"`
	Type   string  `json:"type"`
	Output []int   `json:"output"`
	Params int     `json:"params"`           // the layer's own parameters (0 on a repeated call)
	GFLOPs float64 `json:"gflops,omitempty"` // convolutions: 2·MACs/1e9
}

// Summary describes a model: its layers in call order with output shapes,
// parameter counts and convolution FLOPs for one input size.
type Summary struct {
	Model      string      `json:"model"`
	Input      []int       `json:"input"`
	Output     []int       `json:"output"`
	Parameters int         `json:"parameters"`
	Trainable  int         `json:"trainable"`
	ConvGFLOPs float64     `json:"conv_gflops"`
	Layers     []LayerInfo `json:"layers"`
}

// tracer records layer calls while Summarize runs a forward pass.
var (
	traceMu sync.Mutex
	tracer  *traceState
)

type traceState struct {
	names map[Module]string
	seen  map[Module]bool
	infos []LayerInfo
}

// trace records a call of m that produced y; flops is its convolution
// work (0 for other layers).
func trace(m Module, kind string, y *autograd.Value, flops float64) {
	t := tracer
	if t == nil {
		return
	}
	name, ok := t.names[m]
	if !ok {
		name = "?"
	}
	params := 0
	if !t.seen[m] {
		t.seen[m] = true
		for _, e := range m.base().entries {
			if e.kind == paramEntry && *e.param != nil {
				params += numel((*e.param).Shape())
			}
		}
	}
	t.infos = append(t.infos, LayerInfo{Name: name, Type: kind, Output: y.Shape(), Params: params, GFLOPs: flops / 1e9})
}

// Summarize runs m once, without recording gradients, on zeros of the
// given input shape (N×C×spatial; for HeMISUnet each contrast's image has
// this shape with C = 1, all contrasts present; FiLM models get zero
// metadata) and reports its layers. The forward pass really computes, so
// a large input takes as long as inference on it.
func Summarize(name string, m Module, input []int) (s *Summary, err error) {
	traceMu.Lock()
	defer traceMu.Unlock()
	t := &traceState{names: map[Module]string{}, seen: map[Module]bool{}}
	for _, nm := range Modules(m) {
		if _, dup := t.names[nm.Module]; !dup {
			t.names[nm.Module] = nm.Name
		}
	}
	in := Input{X: autograd.Const(tensor.Zeros(input...))}
	switch mm := m.(type) {
	case *Unet:
		if mm.Config.FiLMLayers != nil {
			in.Metadata = autograd.Const(tensor.Zeros(input[0], mm.Config.NMetadata))
		}
	case *Modified3DUNet:
		if mm.Config.FiLMLayers != nil {
			in.Metadata = autograd.Const(tensor.Zeros(input[0], mm.Config.NMetadata))
		}
	case *HeMISUnet:
		one := append([]int{input[0], 1}, input[2:]...)
		for range mm.Contrasts {
			in.Images = append(in.Images, autograd.Const(tensor.Zeros(one...)))
		}
		for i := 0; i < input[0]; i++ {
			p := make([]bool, len(mm.Contrasts))
			for j := range p {
				p[j] = true
			}
			in.Present = append(in.Present, p)
		}
	}
	wasTraining := m.base().training
	SetTraining(m, false)
	defer SetTraining(m, wasTraining)
	defer func() {
		tracer = nil
		if r := recover(); r != nil {
			err = fmt.Errorf("nn: %s on input %v: %v", name, input, r)
		}
	}()
	tracer = t
	var y *autograd.Value
	autograd.NoGrad(func() { y = Run(m, in) })
	tracer = nil
	s = &Summary{Model: name, Input: append([]int{}, input...), Output: y.Shape(), Layers: t.infos}
	for _, p := range Parameters(m) {
		n := numel(p.Shape())
		s.Parameters += n
		if p.RequiresGrad() {
			s.Trainable += n
		}
	}
	for _, l := range t.infos {
		s.ConvGFLOPs += l.GFLOPs
	}
	return s, nil
}

// WriteTable prints the summary as a text table.
func (s *Summary) WriteTable(w io.Writer) error {
	nameW, typeW := len("Layer"), len("Type")
	for _, l := range s.Layers {
		nameW = max(nameW, len(l.Name))
		typeW = max(typeW, len(l.Type))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s, input %s\n", s.Model, ShapeString(s.Input))
	fmt.Fprintf(&b, "%-*s  %-*s  %-24s %12s %10s\n", nameW, "Layer", typeW, "Type", "Output", "Params", "GFLOPs")
	fmt.Fprintf(&b, "%s\n", strings.Repeat("-", nameW+typeW+52))
	for _, l := range s.Layers {
		fl := ""
		if l.GFLOPs > 0 {
			fl = fmt.Sprintf("%.4f", l.GFLOPs)
		}
		fmt.Fprintf(&b, "%-*s  %-*s  %-24s %12s %10s\n", nameW, l.Name, typeW, l.Type, ShapeString(l.Output), groupDigits(l.Params), fl)
	}
	fmt.Fprintf(&b, "%s\n", strings.Repeat("-", nameW+typeW+52))
	fmt.Fprintf(&b, "Output:               %s\n", ShapeString(s.Output))
	fmt.Fprintf(&b, "Parameters:           %s (trainable %s)\n", groupDigits(s.Parameters), groupDigits(s.Trainable))
	fmt.Fprintf(&b, "Conv GFLOPs/forward:  %.3f\n", s.ConvGFLOPs)
	_, err := io.WriteString(w, b.String())
	return err
}

// groupDigits writes n with thousands separators (4,901,569).
func groupDigits(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + groupDigits(-n)
	}
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// Predict runs m in evaluation mode on in and returns its output. The
// forward pass records its graph only to hand every intermediate back to
// the buffer pool at the end (under NoGrad they would be garbage), so
// repeated predictions allocate almost nothing; the price is that the
// intermediates of one pass are all alive until it ends, as in training.
// m is left in evaluation mode.
func Predict(m Module, in Input) *tensor.Tensor {
	SetTraining(m, false)
	y := Run(m, in)
	out := y.Data() // pins the output: Release keeps it
	y.Release()
	return out
}
