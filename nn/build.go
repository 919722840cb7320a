package nn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Options are a model's constructor options under ivadomed's config key
// names (the keys of default_model, FiLMedUnet, Modified3DUNet, …).
// Absent keys take the model's defaults.
type Options struct {
	InChannel       *int     `json:"in_channel"`
	OutChannel      *int     `json:"out_channel"`
	Depth           *int     `json:"depth"`
	NFilters        *int     `json:"n_filters"`
	DropoutRate     *float64 `json:"dropout_rate"`
	DropRate        *float64 `json:"drop_rate"` // older ivadomed spelling
	BNMomentum      *float64 `json:"bn_momentum"`
	FinalActivation *string  `json:"final_activation"`
	Is2D            *bool    `json:"is_2d"`
	NMetadata       *int     `json:"n_metadata"`
	FiLMLayers      []int    `json:"film_layers"`
	Attention       *bool    `json:"attention"`
	Contrasts       []string `json:"contrasts"`
	UseLogits       *bool    `json:"use_logits"`
	LogitsPerOutput *int     `json:"logits_per_output"`
	Features        []int    `json:"features"`         // PlainUnet
	DeepSupervision *bool    `json:"deep_supervision"` // PlainUnet
	Strides         [][]int  `json:"strides"`          // PlainUnet
}

// builders maps ivadomed's model names to constructors.
var builders = map[string]func(o Options) (Module, error){
	"Unet":           buildUnet,
	"FiLMedUnet":     buildUnet,
	"HeMISUnet":      buildHeMIS,
	"Modified3DUNet": buildModified3D,
	"UNet3D":         buildModified3D,
	"resnet18":       buildResNet18,
	"densenet121":    buildDenseNet121,
	"Countception":   buildCountception,
	"PlainUnet":      buildPlainUnet,
}

// ModelNames lists the model names Build knows.
func ModelNames() []string {
	var ns []string
	for n := range builders {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}

// Build makes the named model (ivadomed's class names: Unet, FiLMedUnet,
// HeMISUnet, Modified3DUNet, …) from options given as a JSON object with
// ivadomed's key names. Unknown keys and wrong types are errors naming the
// key.
func Build(name string, options json.RawMessage) (Module, error) {
	b, ok := builders[name]
	if !ok {
		return nil, fmt.Errorf("nn: unknown model %q (known: %s)", name, strings.Join(ModelNames(), ", "))
	}
	var o Options
	if len(bytes.TrimSpace(options)) > 0 {
		d := json.NewDecoder(bytes.NewReader(options))
		d.DisallowUnknownFields()
		if err := d.Decode(&o); err != nil {
			return nil, fmt.Errorf("nn: options of %s: %w", name, err)
		}
	}
	return b(o)
}

func intOr(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

func floatOr(p *float64, def float64) float64 {
	if p == nil {
		return def
	}
	return *p
}

func (o Options) dropout(def float64) (float64, bool) {
	if o.DropoutRate != nil {
		return *o.DropoutRate, *o.DropoutRate == 0
	}
	if o.DropRate != nil {
		return *o.DropRate, *o.DropRate == 0
	}
	return def, def == 0
}

func (o Options) activation() (Activation, error) {
	if o.FinalActivation == nil {
		return ActSigmoid, nil
	}
	switch a := Activation(*o.FinalActivation); a {
	case ActSigmoid, ActSoftmax, ActReLU:
		return a, nil
	}
	return "", fmt.Errorf("nn: final_activation %q: want sigmoid, softmax or relu", *o.FinalActivation)
}

func (o Options) filmFlags(n int) ([]bool, error) {
	if o.FiLMLayers == nil {
		return nil, nil
	}
	if len(o.FiLMLayers) != n {
		return nil, fmt.Errorf("nn: film_layers has %d entries, want %d", len(o.FiLMLayers), n)
	}
	fl := make([]bool, n)
	any := false
	for i, v := range o.FiLMLayers {
		if v != 0 && v != 1 {
			return nil, fmt.Errorf("nn: film_layers[%d] = %d, want 0 or 1", i, v)
		}
		fl[i] = v == 1
		any = any || fl[i]
	}
	if any && intOr(o.NMetadata, 0) <= 0 {
		return nil, fmt.Errorf("nn: film_layers are set but n_metadata is missing or not positive")
	}
	return fl, nil
}

func positive(key string, v int) error {
	if v <= 0 {
		return fmt.Errorf("nn: %s = %d, want a positive integer", key, v)
	}
	return nil
}

func buildUnet(o Options) (Module, error) {
	act, err := o.activation()
	if err != nil {
		return nil, err
	}
	drop, zero := o.dropout(0.3)
	cfg := UnetConfig{InChannels: intOr(o.InChannel, 1), OutChannels: intOr(o.OutChannel, 1),
		Depth: intOr(o.Depth, 3), Filters: intOr(o.NFilters, 64), Dropout: drop, NoDropout: zero,
		Momentum: floatOr(o.BNMomentum, 0.1), Activation: act, NMetadata: intOr(o.NMetadata, 0)}
	if o.Is2D != nil {
		cfg.Is3D = !*o.Is2D
	}
	for _, kv := range []struct {
		k string
		v int
	}{{"in_channel", cfg.InChannels}, {"out_channel", cfg.OutChannels}, {"depth", cfg.Depth}, {"n_filters", cfg.Filters}} {
		if err := positive(kv.k, kv.v); err != nil {
			return nil, err
		}
	}
	if cfg.FiLMLayers, err = o.filmFlags(2*cfg.Depth + 2); err != nil {
		return nil, err
	}
	return NewUnet(cfg), nil
}
