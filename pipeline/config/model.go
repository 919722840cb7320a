package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
)

// Model holds the keys of default_model and of the model sections
// (FiLMedUnet, Modified3DUNet, HeMISUnet, resnet18, densenet121,
// Countception). ivadomed builds the model from default_model with the
// applied section's keys copied over it, so one type serves both; each
// value remembers which keys its file set (Has).
type Model struct {
	Name            string  `json:"name"`
	Applied         bool    `json:"applied"`
	DropoutRate     float64 `json:"dropout_rate"`
	BNMomentum      float64 `json:"bn_momentum"`
	Depth           int     `json:"depth"`
	Is2D            bool    `json:"is_2d"`
	FinalActivation string  `json:"final_activation" enum:"sigmoid,relu,softmax"`
	NFilters        int     `json:"n_filters"`
	// 2D patches (training and inference).
	Length2D []int `json:"length_2D"`
	Stride2D []int `json:"stride_2D"`
	// Modified3DUNet sub-volumes and attention gates.
	Length3D  []int `json:"length_3D"`
	Stride3D  []int `json:"stride_3D"`
	Attention bool  `json:"attention"`
	// FiLMedUnet: "contrasts", "mri_params" or a participants.tsv column.
	Metadata   string `json:"metadata"`
	FilmLayers []int  `json:"film_layers"`
	// NMetadata and FiLMEncoding are written by train into the model's
	// config (as ivadomed saves n_metadata and its one-hot encoder), so
	// that test and segment encode metadata as training did.
	NMetadata    int           `json:"n_metadata"`
	FiLMEncoding *FiLMEncoding `json:"film_encoding"`
	// HeMISUnet.
	MissingProbability       float64  `json:"missing_probability"`
	MissingProbabilityGrowth float64  `json:"missing_probability_growth"`
	Contrasts                []string `json:"contrasts"`
	RAM                      bool     `json:"ram"`
	PathHDF5                 string   `json:"path_hdf5"`
	CSVPath                  string   `json:"csv_path"`
	TargetLst                []string `json:"target_lst"`
	ROILst                   []string `json:"roi_lst"`
	// Countception.
	UseLogits       bool `json:"use_logits"`
	LogitsPerOutput int  `json:"logits_per_output"`
	// PlainUnet (nnU-Net's plain U-Net, beyond ivadomed's models): filters
	// per level, per-level pooling strides, deep supervision.
	Features        []int   `json:"features"`
	Strides         [][]int `json:"strides"`
	DeepSupervision bool    `json:"deep_supervision"`
	// Channel counts, computed from the data; saved configs carry them.
	InChannel  int `json:"in_channel"`
	OutChannel int `json:"out_channel"`

	set map[string]bool
}

func (m *Model) recordKey(key string) {
	if m.set == nil {
		m.set = map[string]bool{}
	}
	m.set[key] = true
}

// Has reports whether the config set key (a JSON key such as "depth").
func (m *Model) Has(key string) bool { return m != nil && m.set[key] }

// Set assigns a key by its JSON name from Go code (as -pd sets a path):
// Set("depth", 2). It panics on a key that Model does not have.
func (m *Model) Set(key string, value any) {
	for _, f := range fieldsOf(reflect.TypeFor[Model]()) {
		if f.name == key {
			reflectValue(m).FieldByIndex(f.index).Set(reflect.ValueOf(value))
			m.recordKey(key)
			return
		}
	}
	panic(fmt.Sprintf("config: Model has no key %q", key))
}

// MarshalJSON writes the keys that were set, in schema order.
func (m Model) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	v := reflect.ValueOf(m)
	first := true
	for _, f := range fieldsOf(v.Type()) {
		if !m.set[f.name] {
			continue
		}
		val, err := json.Marshal(v.FieldByIndex(f.index).Interface())
		if err != nil {
			return nil, err
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		k, _ := json.Marshal(f.name)
		b.Write(k)
		b.WriteByte(':')
		b.Write(val)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// ModelNames lists the model names a config may give in
// default_model.name or by applying a section: ivadomed's models, plus
// PlainUnet (nnU-Net's plain U-Net).
func ModelNames() []string {
	return []string{"Countception", "FiLMedUnet", "HeMISUnet", "Modified3DUNet", "PlainUnet", "Unet", "densenet121", "resnet18"}
}

// IsClassifier reports whether the model of that name classifies slices
// (resnet18, densenet121) rather than segmenting them.
func IsClassifier(name string) bool { return name == "resnet18" || name == "densenet121" }

// modelSections lists the sections in ivadomed's MODEL_LIST order.
var modelSections = []string{"Modified3DUNet", "HeMISUnet", "FiLMedUnet", "resnet18", "densenet121", "Countception"}

func (c *Config) section(name string) *Model {
	switch name {
	case "Modified3DUNet":
		return c.Modified3DUNet
	case "HeMISUnet":
		return c.HeMISUnet
	case "FiLMedUnet":
		return c.FiLMedUnet
	case "resnet18":
		return c.ResNet18
	case "densenet121":
		return c.DenseNet121
	case "Countception":
		return c.Countception
	}
	return nil
}

// AppliedModels returns the names of the model sections with
// "applied": true, in ivadomed's order.
func (c *Config) AppliedModels() []string {
	var names []string
	for _, s := range modelSections {
		if m := c.section(s); m != nil && m.Applied {
			names = append(names, s)
		}
	}
	return names
}

// ModelParams returns the model to build, as ivadomed's main.py computes
// it: default_model, then the applied section's keys over it, Name set to
// the section. Modified3DUNet and FiLMedUnet may both be applied (a 3D
// U-Net with FiLM layers); any other pair is an error. Keys that neither
// sets get the defaults of ivadomed's model constructors
// (final_activation "sigmoid"; n_filters 64, or 16 for Modified3DUNet).
// The FiLM flag is reported by the second result.
func (c *Config) ModelParams() (m Model, film bool, err error) {
	m = c.DefaultModel
	m.set = make(map[string]bool, len(c.DefaultModel.set))
	for k := range c.DefaultModel.set {
		m.set[k] = true
	}
	applied := c.AppliedModels()
	switch {
	case len(applied) == 2 && applied[0] == "Modified3DUNet" && applied[1] == "FiLMedUnet":
		m.merge(c.Modified3DUNet)
		m.merge(c.FiLMedUnet)
		m.Name, film = "Modified3DUNet", true
	case len(applied) > 1:
		return Model{}, false, fmt.Errorf("config: %s are all applied: set \"applied\": true on one model section only (Modified3DUNet with FiLMedUnet is the one allowed pair)", quoteList(applied))
	case len(applied) == 1:
		m.merge(c.section(applied[0]))
		m.Name = applied[0]
		film = applied[0] == "FiLMedUnet"
	}
	if m.Name == "UNet3D" {
		m.Name = "Modified3DUNet"
	}
	if m.Name == "Modified3DUNet" {
		m.Is2D = false
	}
	if !m.Has("final_activation") {
		m.FinalActivation = "sigmoid"
	}
	if !m.Has("n_filters") {
		m.NFilters = 64
		if m.Name == "Modified3DUNet" {
			m.NFilters = 16
		}
	}
	return m, film, nil
}

// Clone returns a copy of m that records its set keys apart from m's, so
// that Set on the copy leaves m unchanged.
func (m Model) Clone() Model {
	c := m
	c.set = make(map[string]bool, len(m.set))
	for k := range m.set {
		c.set[k] = true
	}
	return c
}

// FiLMEncoding is how a trained FiLMedUnet turns an image's metadata into
// its conditioning vector (see bids.FiLM): the metadata kind, the one-hot
// categories of each feature seen in training, and for "mri_params" the
// cluster bounds of each acquisition parameter, for a column kind the
// index of each value.
type FiLMEncoding struct {
	Kind       string               `json:"kind"`
	Categories [][]float64          `json:"categories"`
	Bounds     map[string][]float64 `json:"bounds,omitempty"`
	Dict       map[string]int       `json:"dict,omitempty"`
}

// merge copies the keys that s set over m.
func (m *Model) merge(s *Model) {
	if s == nil {
		return
	}
	dst, src := reflectValue(m), reflect.ValueOf(s).Elem()
	for _, f := range fieldsOf(dst.Type()) {
		if s.set[f.name] {
			dst.FieldByIndex(f.index).Set(src.FieldByIndex(f.index))
			m.recordKey(f.name)
		}
	}
}
