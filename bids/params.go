package bids

import (
	"encoding/json"
	"fmt"
	"strings"
)

// LoaderParams holds the keys of ivadomed's loader_parameters that decide
// which files are used. The JSON tags are ivadomed's key names, so a
// config's loader_parameters object decodes straight into it (other keys
// of that object, such as slice_axis, are the pipeline's and are ignored
// here).
type LoaderParams struct {
	// PathData is one BIDS dataset directory or a list of them; their
	// images are merged. JSON: a string or a list of strings.
	PathData Paths `json:"path_data"`
	// BidsConfig names pybids' entity configuration in ivadomed. It is
	// accepted and ignored: the entities of the BIDS specification,
	// microscopy and CT included, are always known.
	BidsConfig string `json:"bids_config,omitempty"`
	// TargetSuffix lists the label suffixes, one per class
	// (["_seg-manual", "_lesion-manual"]); a class given as a list of
	// suffixes has several raters ([["_seg-rater1", "_seg-rater2"]]).
	TargetSuffix TargetSuffix `json:"target_suffix"`
	// Extensions keeps the files whose names end with one of them; empty
	// means [".nii", ".nii.gz"].
	Extensions []string `json:"extensions"`
	// RoiParams.Suffix is the label suffix of the region-of-interest mask;
	// images without one are left out when it is set.
	RoiParams RoiParams `json:"roi_params"`
	// ContrastParams selects images by suffix.
	ContrastParams ContrastParams `json:"contrast_params"`
	// SubjectSelection draws a number of participants per metadata value.
	SubjectSelection SubjectSelection `json:"subject_selection"`
	// BidsValidate, when true or absent, leaves out raw images whose names
	// break the specification (each reported in Frame.Warnings); false
	// keeps them, still reported. ivadomed passes it to pybids' validator.
	BidsValidate *bool `json:"bids_validate,omitempty"`
	// Multichannel stacks the contrasts of a subject as channels (see
	// Frame.Pairs).
	Multichannel bool `json:"multichannel"`
}

// RoiParams is loader_parameters.roi_params.
type RoiParams struct {
	Suffix         *string `json:"suffix"`           // null: no ROI
	SliceFilterRoi *int    `json:"slice_filter_roi"` // used by the pipeline
}

// ContrastParams is loader_parameters.contrast_params.
type ContrastParams struct {
	// TrainingValidation and Testing list the suffixes (contrasts) used
	// for training/validation and for testing, in channel order.
	TrainingValidation []string `json:"training_validation"`
	Testing            []string `json:"testing"`
	// Balance keeps only the first fraction (in sorted file order) of the
	// images of a contrast: {"T1w": 0.5}.
	Balance map[string]float64 `json:"balance"`
	// ContrastLst, when set, overrides both lists (ivadomed fills it in
	// from one of them; its unit tests set it directly).
	ContrastLst []string `json:"contrast_lst,omitempty"`
}

// List returns the contrasts in use: ContrastLst when set, else Testing
// when testing, else TrainingValidation.
func (c ContrastParams) List(testing bool) []string {
	switch {
	case c.ContrastLst != nil:
		return c.ContrastLst
	case testing:
		return c.Testing
	}
	return c.TrainingValidation
}

// SubjectSelection is loader_parameters.subject_selection: for each i,
// draw N[i] participants whose Metadata[i] column equals Value[i]. Values
// are compared as text.
type SubjectSelection struct {
	N        []int    `json:"n"`
	Metadata []string `json:"metadata"`
	Value    Strings  `json:"value"`
}

// Paths is a list of directories that decodes from a JSON string or list.
type Paths []string

// UnmarshalJSON accepts "dir" or ["dir1", "dir2"].
func (p *Paths) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*p = Paths{s}
		return nil
	}
	var l []string
	if err := json.Unmarshal(b, &l); err != nil {
		return fmt.Errorf("path_data: want a string or a list of strings, got %s", b)
	}
	*p = l
	return nil
}

// Strings is a list of text values that decodes from JSON strings,
// numbers or booleans (written as text).
type Strings []string

// UnmarshalJSON accepts a list of scalars.
func (s *Strings) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("want a list, got %s", b)
	}
	out := make(Strings, len(raw))
	for i, r := range raw {
		var str string
		if err := json.Unmarshal(r, &str); err == nil {
			out[i] = str
			continue
		}
		t := strings.TrimSpace(string(r))
		if t == "" || t[0] == '[' || t[0] == '{' || t == "null" {
			return fmt.Errorf("item %d: want a string, number or boolean, got %s", i, r)
		}
		out[i] = t
	}
	*s = out
	return nil
}

// TargetSuffix is the list of classes of target_suffix, each with its
// raters' suffixes (one for a single rater).
type TargetSuffix []Class

// Class is one segmentation class: the label suffixes of its raters.
type Class []string

// UnmarshalJSON accepts ["_a", "_b"], [["_a1", "_a2"], ["_b1"]] or a mix.
func (t *TargetSuffix) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("target_suffix: want a list of strings or of lists of strings, got %s", b)
	}
	out := make(TargetSuffix, len(raw))
	for i, r := range raw {
		var s string
		if err := json.Unmarshal(r, &s); err == nil {
			out[i] = Class{s}
			continue
		}
		var l []string
		if err := json.Unmarshal(r, &l); err != nil {
			return fmt.Errorf("target_suffix[%d]: want a string or a list of strings, got %s", i, r)
		}
		out[i] = Class(l)
	}
	*t = out
	return nil
}

// MarshalJSON writes single-rater classes as strings.
func (t TargetSuffix) MarshalJSON() ([]byte, error) {
	out := make([]any, len(t))
	multi := false
	for _, c := range t {
		if len(c) != 1 {
			multi = true
		}
	}
	for i, c := range t {
		if multi {
			out[i] = []string(c)
		} else {
			out[i] = c[0]
		}
	}
	return json.Marshal(out)
}

// Flat returns every suffix of every class, in order.
func (t TargetSuffix) Flat() []string {
	var out []string
	for _, c := range t {
		out = append(out, c...)
	}
	return out
}

// MultiRater reports whether any class has more than one rater, or was
// given as a list.
func (t TargetSuffix) MultiRater() bool {
	for _, c := range t {
		if len(c) != 1 {
			return true
		}
	}
	return false
}

// SplitParams mirrors ivadomed's split_dataset section; the JSON tags are
// its key names.
type SplitParams struct {
	// FnameSplit, when set, names a split file to reuse instead of
	// drawing one: the JSON that pipeline/config.WriteSplit writes and
	// ReadSplit reads. ivadomed's .joblib files cannot be read without
	// Python (ReadSplit's error gives the conversion).
	FnameSplit *string `json:"fname_split"`
	// RandomSeed seeds the draw (ivadomed's default is 6).
	RandomSeed int64 `json:"random_seed"`
	// SplitMethod is the column whose values are kept together:
	// "participant_id" (default) or "sample_id" for microscopy, or any
	// other column of the frame.
	SplitMethod string `json:"split_method"`
	// DataTesting puts the rows whose DataType column has one of the
	// DataValue values in the test set; with no values, a random
	// TestFraction of that column's values is drawn.
	DataTesting DataTesting `json:"data_testing"`
	// Balance, when set, names a categorical column: the split is made per
	// category and the parts concatenated.
	Balance *string `json:"balance"`
	// TrainFraction and TestFraction are fractions of the SplitMethod
	// values; validation gets the rest.
	TrainFraction float64 `json:"train_fraction"`
	TestFraction  float64 `json:"test_fraction"`

	// Legacy keys of old configs: method "per_center" means
	// data_testing.data_type "institution_id", and center_test its
	// data_value; "per_patient" is the default split. Normalize moves
	// them to the new keys, as ivadomed's config manager does.
	Method     string  `json:"method,omitempty"`
	CenterTest Strings `json:"center_test,omitempty"`
}

// DataTesting is split_dataset.data_testing.
type DataTesting struct {
	DataType  *string `json:"data_type"`
	DataValue Strings `json:"data_value"`
}

// DefaultSplitParams returns ivadomed's defaults (config_default.json).
func DefaultSplitParams() SplitParams {
	return SplitParams{RandomSeed: 6, SplitMethod: "participant_id", TrainFraction: 0.6, TestFraction: 0.2}
}

// Normalize maps the legacy keys method and center_test onto
// data_testing and fills in an empty split_method.
func (p *SplitParams) Normalize() {
	if p.Method == "per_center" {
		it := "institution_id"
		p.DataTesting.DataType = &it
		if len(p.CenterTest) > 0 {
			p.DataTesting.DataValue = p.CenterTest
		}
	}
	p.Method, p.CenterTest = "", nil
	if p.SplitMethod == "" {
		p.SplitMethod = "participant_id"
	}
}
