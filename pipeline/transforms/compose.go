package transforms

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"

	"github.com/ivadogo/ivadogo/internal/jsonorder"
)

// transform is one configured transform.
type transform interface {
	// draw picks the parameters for one sample (random ones from r, or
	// ones read from the sample such as ROICrop's centre).
	draw(s *Sample, r *rand.Rand) (any, error)
	// apply transforms one part with those parameters.
	apply(k Kind, p Part, params any) (Part, error)
}

// undoer is a transform ivadomed can undo on a prediction.
type undoer interface {
	undo(p Part, params any) (Part, error)
}

// kindOf says how a transform may be used at inference.
type kindOf interface {
	// deterministic transforms change intensities the same way every time
	// and not geometry: kept at inference with an identity undo.
	deterministic() bool
}

// Dataset types of the config's dataset_type.
const (
	Training   = "training"
	Validation = "validation"
	Testing    = "testing"
)

// Spec is one entry of the "transformation" section.
type Spec struct {
	Name        string
	AppliedTo   []Kind
	DatasetType []string
	t           transform
}

// Preprocessing reports whether ivadomed runs the transform once when the
// dataset is built (Resample, CenterCrop, ROICrop) rather than on the fly.
func (s Spec) Preprocessing() bool {
	return s.Name == "Resample" || s.Name == "CenterCrop" || s.Name == "ROICrop"
}

// Undoable reports whether the transform has an undo step on predictions.
func (s Spec) Undoable() bool {
	_, ok := s.t.(undoer)
	return ok
}

// List is the parsed "transformation" section, in config order.
type List []Spec

type builder func(raw json.RawMessage) (transform, error)

// builders maps config names to constructors; filled by each transform's
// file.
var builders = map[string]builder{}

// Names returns the transform names a config may use.
func Names() []string {
	var n []string
	for k := range builders {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// Parse reads the "transformation" object of an ivadomed config (the raw
// JSON, so that the order of keys, which is the order the transforms run
// in, survives). Each entry's applied_to (default im, gt, roi) and
// dataset_type (default all three) are read here, the legacy key
// "preprocessing" is accepted and ignored (ivadomed decides that by name),
// and the remaining keys must be the transform's parameters: an unknown
// transform or parameter is an error naming it.
func Parse(raw json.RawMessage) (List, error) {
	keys, vals, err := jsonorder.Object(raw)
	if err != nil {
		return nil, fmt.Errorf("transformation: %w", err)
	}
	var list List
	for i, name := range keys {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(vals[i], &fields); err != nil {
			return nil, fmt.Errorf("transformation.%s: want an object of parameters: %w", name, err)
		}
		var appliedTo, datasetType []string
		if v, ok := fields["applied_to"]; ok {
			if err := json.Unmarshal(v, &appliedTo); err != nil {
				return nil, fmt.Errorf("transformation.%s.applied_to: want a list of \"im\", \"gt\", \"roi\": %w", name, err)
			}
			delete(fields, "applied_to")
		}
		if v, ok := fields["dataset_type"]; ok {
			if err := json.Unmarshal(v, &datasetType); err != nil {
				return nil, fmt.Errorf("transformation.%s.dataset_type: want a list of \"training\", \"validation\", \"testing\": %w", name, err)
			}
			delete(fields, "dataset_type")
		}
		delete(fields, "preprocessing")
		rest, _ := json.Marshal(fields)
		spec, err := NewSpec(name, appliedTo, datasetType, rest)
		if err != nil {
			return nil, err
		}
		list = append(list, spec)
	}
	return list, nil
}

// Compose is the transforms used for one dataset type.
type Compose struct {
	steps []Spec
	undo  bool
}

// For returns the transforms whose dataset_type includes dataset. With
// undo (ivadomed's requires_undo, used by test and segment), random
// transforms that cannot be undone are left out; see the package comment
// for how this differs from ivadomed.
func (l List) For(dataset string, undo bool) *Compose {
	c := &Compose{undo: undo}
	for _, s := range l {
		if !slices.Contains(s.DatasetType, dataset) {
			continue
		}
		if undo && !s.Undoable() {
			if d, ok := s.t.(kindOf); !ok || !d.deterministic() {
				continue
			}
		}
		c.steps = append(c.steps, s)
	}
	return c
}

// Names lists the transforms of c in order.
func (c *Compose) Names() []string {
	var n []string
	for _, s := range c.steps {
		n = append(n, s.Name)
	}
	return n
}

// Split returns the preprocessing transforms (run once per volume) and
// the on-the-fly ones, each in order.
func (c *Compose) Split() (pre, onTheFly *Compose) {
	pre, onTheFly = &Compose{undo: c.undo}, &Compose{undo: c.undo}
	for _, s := range c.steps {
		if s.Preprocessing() {
			pre.steps = append(pre.steps, s)
		} else {
			onTheFly.steps = append(onTheFly.steps, s)
		}
	}
	return pre, onTheFly
}

type applied struct {
	spec   Spec
	params any
}

// Record is what Apply did to one sample, for Undo.
type Record struct {
	steps []applied
}

// Apply runs the transforms on s in place, each with one random draw
// shared by the parts in its applied_to (empty parts are skipped).
func (c *Compose) Apply(s *Sample, r *rand.Rand) (*Record, error) {
	rec := &Record{}
	for _, k := range []Kind{Im, GT, ROI} {
		p := s.part(k)
		if err := p.check(string(k)); err != nil {
			return nil, err
		}
		for c, v := range p.Data {
			for i, x := range v {
				if x != x {
					return nil, fmt.Errorf("transforms: %s volume %d is NaN at voxel %d", k, c, i)
				}
			}
		}
	}
	for _, st := range c.steps {
		params, err := st.t.draw(s, r)
		if err != nil {
			return nil, fmt.Errorf("transforms: %s: %w", st.Name, err)
		}
		for _, k := range st.AppliedTo {
			p := s.part(k)
			if len(p.Data) == 0 {
				continue
			}
			out, err := st.t.apply(k, *p, params)
			if err != nil {
				return nil, fmt.Errorf("transforms: %s on %s: %w", st.Name, k, err)
			}
			*p = out
		}
		rec.steps = append(rec.steps, applied{st, params})
	}
	return rec, nil
}

// Undo maps a prediction (volumes in the space of the transformed sample)
// back through the undoable transforms in reverse order. Transforms that
// were not applied to "gt" are skipped, as ivadomed undoes predictions
// as ground truth.
func (rec *Record) Undo(pred Part) (Part, error) {
	if err := pred.check("prediction"); err != nil {
		return pred, err
	}
	for i := len(rec.steps) - 1; i >= 0; i-- {
		st := rec.steps[i]
		u, ok := st.spec.t.(undoer)
		if !ok || !slices.Contains(st.spec.AppliedTo, GT) {
			continue
		}
		out, err := u.undo(pred, st.params)
		if err != nil {
			return pred, fmt.Errorf("transforms: undo %s: %w", st.spec.Name, err)
		}
		pred = out
	}
	return pred, nil
}

// NewSpec builds one transform from its name, applied_to and
// dataset_type (nil: all) and its parameters as a JSON object (without
// those two keys). It is the entry point for a caller holding a config
// already parsed, e.g. by marshalling each entry's parameter struct.
func NewSpec(name string, appliedTo, datasetType []string, params json.RawMessage) (Spec, error) {
	spec := Spec{Name: name, AppliedTo: []Kind{Im, GT, ROI}, DatasetType: []string{Training, Validation, Testing}}
	if appliedTo != nil {
		spec.AppliedTo = nil
		for _, a := range appliedTo {
			if a != "im" && a != "gt" && a != "roi" {
				return spec, fmt.Errorf("transformation.%s.applied_to: %q is not one of \"im\", \"gt\", \"roi\"", name, a)
			}
			spec.AppliedTo = append(spec.AppliedTo, Kind(a))
		}
	}
	if datasetType != nil {
		for _, d := range datasetType {
			if d != Training && d != Validation && d != Testing {
				return spec, fmt.Errorf("transformation.%s.dataset_type: %q is not one of \"training\", \"validation\", \"testing\"", name, d)
			}
		}
		spec.DatasetType = datasetType
	}
	b, ok := builders[name]
	if !ok {
		// ivadomed only fails when it instantiates the transform, so a
		// misnamed training-only transform passes unnoticed at inference
		// (test_segment_volume's "RandomTranslation"); here it is an
		// error at once.
		return spec, fmt.Errorf("transformation.%s: unknown transform (want one of %s)", name, strings.Join(Names(), ", "))
	}
	if len(bytes.TrimSpace(params)) == 0 || string(bytes.TrimSpace(params)) == "null" {
		params = json.RawMessage("{}")
	}
	t, err := b(params)
	if err != nil {
		return spec, fmt.Errorf("transformation.%s: %w", name, err)
	}
	spec.t = t
	return spec, nil
}

// decodeParams decodes a transform's parameters into v, rejecting unknown
// keys.
func decodeParams(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("parameters: %w", err)
	}
	return nil
}
