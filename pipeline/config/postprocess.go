package config

import "bytes"

// Postprocessing is the postprocessing section: steps applied to
// predictions in the order the file lists them.
type Postprocessing []Step

// Step is one post-processing step; Params points to its parameter
// struct (e.g. *BinarizePrediction).
type Step struct {
	Name   string
	Params any
}

// Post-processing parameter structs, with ivadomed's defaults. A
// threshold of -1 turns binarize_prediction, uncertainty and remove_noise
// off.
type (
	BinarizePrediction struct {
		Thr float64 `json:"thr"`
	}
	BinarizeMaxpooling   struct{}
	UncertaintyThreshold struct {
		Thr    float64 `json:"thr"`
		Suffix string  `json:"suffix" enum:"_unc-vox.nii.gz,_unc-cv.nii.gz,_unc-avgUnc.nii.gz,_unc-iou.nii.gz,_soft.nii.gz"`
	}
	RemoveSmall struct {
		Unit string `json:"unit" enum:"vox,mm3" required:"true"`
		// Thr is one size for all classes or one per class.
		Thr Floats `json:"thr" required:"true"`
	}
	FillHoles   struct{}
	KeepLargest struct{}
	RemoveNoise struct {
		Thr float64 `json:"thr"`
	}
)

var postSteps = map[string]func() any{
	"binarize_prediction": func() any { return &BinarizePrediction{Thr: 0.5} },
	"binarize_maxpooling": func() any { return &BinarizeMaxpooling{} },
	"uncertainty":         func() any { return &UncertaintyThreshold{Thr: -1, Suffix: "_unc-vox.nii.gz"} },
	"remove_small":        func() any { return &RemoveSmall{} },
	"fill_holes":          func() any { return &FillHoles{} },
	"keep_largest":        func() any { return &KeepLargest{} },
	"remove_noise":        func() any { return &RemoveNoise{Thr: -1} },
}

// PostprocessingNames lists the step names the parser accepts.
func PostprocessingNames() []string {
	return []string{"binarize_maxpooling", "binarize_prediction", "fill_holes", "keep_largest", "remove_noise", "remove_small", "uncertainty"}
}

func (pp *Postprocessing) decodeTree(d *decoder, n *node, path string) {
	out := make(Postprocessing, 0, len(n.keys))
	lookup := func(name string) func() any { return postSteps[name] }
	if !d.decodeNamed(n, path, "an object of post-processing steps", "post-processing step", "steps", lookup, PostprocessingNames,
		func(name string, v *node, p string, params any) {
			d.decodeParams(v, p, name, params)
			out = append(out, Step{Name: name, Params: params})
		}) {
		return
	}
	*pp = out
}

// MarshalJSON writes the steps as an object in their order.
func (pp Postprocessing) MarshalJSON() ([]byte, error) {
	return marshalNamed(len(pp), func(i int, _ *bytes.Buffer) (string, any) {
		return pp[i].Name, pp[i].Params
	})
}

// Get returns the parameters of the named step, or nil when the config
// does not have it.
func (pp Postprocessing) Get(name string) any {
	for _, s := range pp {
		if s.Name == name {
			return s.Params
		}
	}
	return nil
}
