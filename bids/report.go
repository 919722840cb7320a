package bids

import (
	"encoding/json"
	"path/filepath"
	"sort"
)

// Report is what the indexer sees in a dataset, with the field names of
// the layout oracle (bids-oracle.json): it is the output of
// `ivadogo bids --json`. Paths are relative to the dataset.
type Report struct {
	Path               string                   `json:"path"`
	DatasetDescription map[string]any           `json:"dataset_description"`
	Subjects           []string                 `json:"subjects"`
	Sessions           map[string][]string      `json:"sessions"`
	AllSessions        []string                 `json:"all_sessions"`
	Participants       TableReport              `json:"participants"`
	Samples            TableReport              `json:"samples"`
	Images             []ImageReport            `json:"images"`
	NImages            int                      `json:"n_images"`
	SuffixCounts       map[string]int           `json:"suffix_counts"`
	ScansSessionsTSV   []string                 `json:"scans_sessions_tsv"`
	Derivatives        []PipelineReport         `json:"derivatives"`
	LabelsByImage      map[string][]LabelReport `json:"labels_by_image"`
	LabelSuffixes      []string                 `json:"label_suffixes"`
	Warnings           []string                 `json:"warnings"`
}

// TableReport describes participants.tsv or samples.tsv.
type TableReport struct {
	Exists  bool
	Columns []string
	NRows   int
	// IDs holds the participant_id, sample_id, session_id and filename
	// columns when present, trimmed; nil marks a row too short to have one.
	IDs map[string][]*string
}

// MarshalJSON writes {"exists": false} for a missing table, and otherwise
// exists, columns, n_rows and one "<column>s" list per id column.
func (t TableReport) MarshalJSON() ([]byte, error) {
	m := map[string]any{"exists": t.Exists}
	if t.Exists {
		m["columns"] = t.Columns
		m["n_rows"] = t.NRows
		for k, v := range t.IDs {
			m[k+"s"] = v
		}
	}
	return json.Marshal(m)
}

// ImageReport describes one image. The derivative-only fields are nil for
// raw images.
type ImageReport struct {
	Path        string      `json:"path"`
	Datatype    *string     `json:"datatype"`
	Sub         *string     `json:"sub"`
	Ses         *string     `json:"ses"`
	Acq         *string     `json:"acq"`
	Run         *string     `json:"run"`
	Suffix      *string     `json:"suffix"`
	Entities    [][2]string `json:"entities"`
	BareTokens  [][2]any    `json:"bare_tokens"`
	Extension   string      `json:"extension"`
	Size        int64       `json:"size"`
	SidecarJSON *string     `json:"sidecar_json"`
	Sidecars    []string    `json:"sidecars,omitempty"`
}

// DerivativeReport describes one image under derivatives/.
type DerivativeReport struct {
	ImageReport
	FolderSubject *string  `json:"folder_subject"`
	SourceImages  []string `json:"source_images"`
	LabelSuffix   *string  `json:"label_suffix"`
}

// PipelineReport describes one derivatives folder.
type PipelineReport struct {
	Pipeline              string             `json:"pipeline"`
	HasDatasetDescription bool               `json:"has_dataset_description"`
	NImages               int                `json:"n_images"`
	Images                []DerivativeReport `json:"images"`
}

// LabelReport is one label of a raw image.
type LabelReport struct {
	LabelSuffix     string `json:"label_suffix"`
	Pipeline        string `json:"pipeline"`
	Path            string `json:"path"`
	InSubjectFolder bool   `json:"in_subject_folder"`
}

// Report describes the dataset. base, when not "", is the directory the
// report's path is made relative to.
func (d *Dataset) Report(base string) Report {
	r := Report{
		Path:               filepath.ToSlash(d.Root),
		DatasetDescription: map[string]any{},
		Subjects:           nonNil(d.Subjects),
		Sessions:           d.Sessions,
		AllSessions:        nonNil(d.AllSessions()),
		Participants:       tableReport(d.Participants),
		Samples:            tableReport(d.Samples),
		NImages:            len(d.Images),
		SuffixCounts:       map[string]int{},
		ScansSessionsTSV:   nonNil(d.Tables),
		LabelsByImage:      map[string][]LabelReport{},
		LabelSuffixes:      nonNil(d.LabelSuffixes),
		Images:             []ImageReport{},
		Derivatives:        []PipelineReport{},
		Warnings:           []string{},
	}
	if base != "" {
		if rel, err := filepath.Rel(base, d.Root); err == nil {
			r.Path = filepath.ToSlash(rel)
		}
	}
	for _, k := range []string{"Name", "BIDSVersion", "DatasetType", "License"} {
		if v, ok := d.Description.Raw[k]; ok {
			r.DatasetDescription[k] = v
		}
	}
	for _, im := range d.Images {
		r.Images = append(r.Images, imageReport(im))
		s := "None"
		if im.HasSuffix() {
			s = im.Suffix
		}
		r.SuffixCounts[s]++
		for _, l := range im.Labels {
			r.LabelsByImage[im.Path] = append(r.LabelsByImage[im.Path], LabelReport{l.Suffix, l.Pipeline, l.Path, l.InSubjectFolder})
		}
	}
	for _, p := range d.Derivatives {
		pr := PipelineReport{Pipeline: p.Name, HasDatasetDescription: p.HasDescription, NImages: len(p.Images), Images: []DerivativeReport{}}
		for _, im := range p.Images {
			pr.Images = append(pr.Images, derivativeReport(im))
		}
		r.Derivatives = append(r.Derivatives, pr)
	}
	for _, w := range d.Warnings {
		r.Warnings = append(r.Warnings, w.String())
	}
	return r
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func tableReport(t *Table) TableReport {
	if t == nil {
		return TableReport{}
	}
	r := TableReport{Exists: true, Columns: nonNil(t.Columns), NRows: len(t.Rows), IDs: map[string][]*string{}}
	for _, col := range []string{"participant_id", "sample_id", "session_id", "filename"} {
		if t.Col(col) < 0 {
			continue
		}
		ids := make([]*string, len(t.Rows))
		for i := range t.Rows {
			if v, ok := t.Cell(i, col); ok {
				ids[i] = &v
			}
		}
		r.IDs[col] = ids
	}
	return r
}

func ptr(s string, ok bool) *string {
	if !ok {
		return nil
	}
	return &s
}

func imageReport(im *Image) ImageReport {
	get := func(k string) *string { return ptr(im.Get(k)) }
	r := ImageReport{
		Path:        im.Path,
		Datatype:    ptr(im.Datatype, true),
		Sub:         get("sub"),
		Ses:         get("ses"),
		Acq:         get("acq"),
		Run:         get("run"),
		Suffix:      ptr(im.Suffix, im.HasSuffix()),
		Entities:    [][2]string{},
		BareTokens:  [][2]any{},
		Extension:   im.Extension,
		Size:        im.Size,
		SidecarJSON: ptr(im.Sidecar, im.Sidecar != ""),
		Sidecars:    im.Sidecars,
	}
	for _, e := range im.Entities {
		r.Entities = append(r.Entities, [2]string{e.Key, e.Value})
	}
	for _, b := range im.Bare {
		r.BareTokens = append(r.BareTokens, [2]any{b.Pos, b.Token})
	}
	return r
}

func derivativeReport(im *Image) DerivativeReport {
	r := DerivativeReport{ImageReport: imageReport(im), SourceImages: im.Sources}
	hasFolder := false
	for _, part := range splitPath(im.Path) {
		if len(part) >= 4 && part[:4] == "sub-" {
			hasFolder = true
			break
		}
	}
	r.FolderSubject = ptr(im.FolderSubject, hasFolder)
	r.LabelSuffix = ptr(im.LabelSuffix, im.Sources != nil)
	return r
}

func splitPath(p string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(p); i++ {
		if i == len(p) || p[i] == '/' {
			out = append(out, p[start:i])
			start = i + 1
		}
	}
	return out
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
