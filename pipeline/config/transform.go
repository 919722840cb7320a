package config

import (
	"bytes"
	"encoding/json"
	"slices"
)

// Transformation is the transformation section: the transforms in the
// order the file lists them, which is the order ivadomed applies them.
type Transformation []Transform

// Transform is one entry of the transformation section.
type Transform struct {
	Name string
	// AppliedTo lists which of "im", "gt", "roi" it applies to; nil means
	// all three.
	AppliedTo []string
	// DatasetType lists which of "training", "validation", "testing" it
	// applies to; nil means all three.
	DatasetType []string
	// Params points to the parameter struct of Name (e.g. *RandomAffine).
	Params any
}

// Applies reports whether the transform applies to data kind ("im", "gt"
// or "roi").
func (t *Transform) Applies(kind string) bool {
	return t.AppliedTo == nil || slices.Contains(t.AppliedTo, kind)
}

// InDataset reports whether the transform is used for the dataset type
// ("training", "validation" or "testing").
func (t *Transform) InDataset(typ string) bool {
	return t.DatasetType == nil || slices.Contains(t.DatasetType, typ)
}

// Transform parameter structs, with the defaults of ivadomed's
// transforms.py. Sizes and spacings follow ivadomed's axis order
// (height, width, depth after reorientation to RAS and slice_axis).
type (
	Resample struct {
		HSpace float64 `json:"hspace"`
		WSpace float64 `json:"wspace"`
		DSpace float64 `json:"dspace"`
	}
	CenterCrop struct {
		Size []int `json:"size" required:"true"`
	}
	ROICrop struct {
		Size []int `json:"size" required:"true"`
	}
	BoundingBoxCrop struct {
		Size []int `json:"size"`
	}
	NormalizeInstance struct{}
	RandomAffine      struct {
		Degrees Range `json:"degrees"`
		// Translate and Scale nil mean no shift and no scaling.
		Translate []float64 `json:"translate,omitempty"`
		Scale     []float64 `json:"scale,omitempty"`
	}
	RandomReverse        struct{}
	RandomShiftIntensity struct {
		ShiftRange []float64 `json:"shift_range" required:"true"`
		Prob       float64   `json:"prob"`
	}
	ElasticTransform struct {
		AlphaRange []float64 `json:"alpha_range" required:"true"`
		SigmaRange []float64 `json:"sigma_range" required:"true"`
		P          float64   `json:"p"`
	}
	AdditiveGaussianNoise struct {
		Mean float64 `json:"mean"`
		Std  float64 `json:"std"`
	}
	Clahe struct {
		ClipLimit  float64 `json:"clip_limit"`
		KernelSize []int   `json:"kernel_size"`
	}
	HistogramClipping struct {
		MinPercentile float64 `json:"min_percentile"`
		MaxPercentile float64 `json:"max_percentile"`
	}
	DilateGT struct {
		DilationFactor float64 `json:"dilation_factor" required:"true"`
	}
	RandomGamma struct {
		LogGammaRange []float64 `json:"log_gamma_range" required:"true"`
		P             float64   `json:"p"`
	}
	RandomBiasField struct {
		Coefficients Range   `json:"coefficients"`
		Order        int     `json:"order"`
		P            float64 `json:"p"`
	}
	RandomBlur struct {
		SigmaRange []float64 `json:"sigma_range" required:"true"`
		P          float64   `json:"p"`
	}
)

var transforms = &registry{what: "transform", make: map[string]func() any{
	"Resample":              func() any { return &Resample{HSpace: 1, WSpace: 1, DSpace: 1} },
	"CenterCrop":            func() any { return &CenterCrop{} },
	"ROICrop":               func() any { return &ROICrop{} },
	"BoundingBoxCrop":       func() any { return &BoundingBoxCrop{} },
	"NormalizeInstance":     func() any { return &NormalizeInstance{} },
	"RandomAffine":          func() any { return &RandomAffine{Degrees: Range{Scalar: true}} },
	"RandomReverse":         func() any { return &RandomReverse{} },
	"RandomShiftIntensity":  func() any { return &RandomShiftIntensity{Prob: 0.1} },
	"ElasticTransform":      func() any { return &ElasticTransform{P: 0.1} },
	"AdditiveGaussianNoise": func() any { return &AdditiveGaussianNoise{Mean: 0, Std: 0.01} },
	"Clahe":                 func() any { return &Clahe{ClipLimit: 3, KernelSize: []int{8, 8}} },
	"HistogramClipping":     func() any { return &HistogramClipping{MinPercentile: 5, MaxPercentile: 95} },
	"DilateGT":              func() any { return &DilateGT{} },
	"RandomGamma":           func() any { return &RandomGamma{P: 0.5} },
	"RandomBiasField": func() any {
		return &RandomBiasField{Coefficients: Range{Min: -0.5, Max: 0.5, Scalar: true}, Order: 3, P: 0.5}
	},
	"RandomBlur": func() any { return &RandomBlur{P: 0.5} },
}}

// RegisterTransform makes a transform name known to the parser, with a
// function returning a pointer to its parameter struct filled with
// defaults (json tags name the keys; `required:"true"` marks the keys
// that must be given). It is for transforms beyond ivadomed's, called
// from an init function; it panics if the name is taken.
func RegisterTransform(name string, newParams func() any) { transforms.register(name, newParams) }

// TransformNames lists the transform names the parser accepts.
func TransformNames() []string { return transforms.names() }

var (
	appliedToValues   = []string{"im", "gt", "roi"}
	datasetTypeValues = []string{"training", "validation", "testing"}
)

func (tr *Transformation) decodeTree(d *decoder, n *node, path string) {
	out := make(Transformation, 0, len(n.keys))
	if !d.decodeNamed(n, path, "an object of transforms", "transform", "transforms", transforms.lookup, transforms.names,
		func(name string, v *node, p string, params any) {
			t := Transform{Name: name, Params: params}
			if a := v.get("applied_to"); a != nil {
				d.decode(a, reflectValue(&t.AppliedTo), join(p, "applied_to"), appliedToValues)
			}
			if a := v.get("dataset_type"); a != nil {
				d.decode(a, reflectValue(&t.DatasetType), join(p, "dataset_type"), datasetTypeValues)
			}
			d.decodeParams(v, p, name, t.Params, "applied_to", "dataset_type")
			out = append(out, t)
		}) {
		return
	}
	*tr = out
}

// MarshalJSON writes the transforms as an object in their order.
func (tr Transformation) MarshalJSON() ([]byte, error) {
	return marshalNamed(len(tr), func(i int, head *bytes.Buffer) (string, any) {
		t := tr[i]
		if t.AppliedTo != nil {
			a, _ := json.Marshal(t.AppliedTo)
			head.WriteString(`,"applied_to":`)
			head.Write(a)
		}
		if t.DatasetType != nil {
			a, _ := json.Marshal(t.DatasetType)
			head.WriteString(`,"dataset_type":`)
			head.Write(a)
		}
		return t.Name, t.Params
	})
}

// For returns the transforms used for a dataset type, in order.
func (tr Transformation) For(datasetType string) Transformation {
	var out Transformation
	for _, t := range tr {
		if t.InDataset(datasetType) {
			out = append(out, t)
		}
	}
	return out
}
