package bids

import (
	"encoding/csv"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Frame is the table ivadomed calls the BIDS dataframe: one row per
// selected raw image and per label kept for them, with the image's
// entities, sidecar metadata and participants/samples/sessions/scans
// columns. Derivative rows carry only filename and path, as in ivadomed.
type Frame struct {
	Columns  []string // in ivadomed's order: path, filename, then the rest
	Rows     []*Row
	Warnings []string
	params   LoaderParams
	derivs   map[*Image]bool
}

// Row is one file of a Frame.
type Row struct {
	Dataset    *Dataset
	Image      *Image
	Path       string // on disk
	Filename   string
	Derivative bool
	// Values maps column names to values: string, json.Number, bool,
	// []any or map[string]any (from sidecars), string (from TSV tables).
	// Missing cells are absent.
	Values map[string]any
}

// Get returns a row's value in a column as text ("" when missing; see
// FormatValue), and whether the cell is set.
func (r *Row) Get(col string) (string, bool) {
	switch col {
	case "path":
		return r.Path, true
	case "filename":
		return r.Filename, true
	}
	v, ok := r.Values[col]
	if !ok {
		return "", false
	}
	return FormatValue(v), true
}

// pybidsNames maps BIDS entity keys to the column names pybids gives them.
var pybidsNames = map[string]string{
	"sub": "subject", "ses": "session", "sample": "sample", "task": "task",
	"acq": "acquisition", "ce": "ceagent", "stain": "staining", "trc": "tracer",
	"rec": "reconstruction", "dir": "direction", "run": "run", "proc": "proc",
	"mod": "modality", "echo": "echo", "flip": "flip", "inv": "inv", "mt": "mt",
	"part": "part", "recording": "recording", "space": "space", "chunk": "chunk",
	"res": "res", "den": "den", "label": "label", "desc": "desc",
	"hemi": "hemi", "split": "split", "nuc": "nucleus", "voi": "volume",
	"tracksys": "tracksys", "acqtype": "acquisition_type",
}

var datatypeFolders = map[string]bool{
	"anat": true, "beh": true, "dwi": true, "eeg": true, "fmap": true, "func": true,
	"ieeg": true, "meg": true, "micr": true, "perf": true, "pet": true, "ct": true,
	"nirs": true, "motion": true, "mrs": true,
}

var fmapRe = regexp.MustCompile(`(phasediff|magnitude[1-2]|phase[1-2]|fieldmap|epi)\.nii`)

// pandasNA are the cells pandas reads as missing.
var pandasNA = map[string]bool{
	"": true, "#N/A": true, "#N/A N/A": true, "#NA": true, "-1.#IND": true, "-1.#QNAN": true,
	"-NaN": true, "-nan": true, "1.#IND": true, "1.#QNAN": true, "<NA>": true, "N/A": true,
	"NA": true, "NULL": true, "NaN": true, "None": true, "n/a": true, "nan": true, "null": true,
}

// Open indexes every dataset of p.PathData.
func Open(p LoaderParams) ([]*Dataset, error) {
	if len(p.PathData) == 0 {
		return nil, fmt.Errorf("bids: loader_parameters.path_data is empty: want a BIDS dataset directory or a list of them")
	}
	var out []*Dataset
	for _, dir := range p.PathData {
		d, err := Index(dir)
		if err != nil {
			return nil, fmt.Errorf("bids: loader_parameters.path_data: %w", err)
		}
		out = append(out, d)
	}
	return out, nil
}

// SelectOptions says what the frame is for.
type SelectOptions struct {
	// Testing selects contrast_params.testing instead of
	// training_validation (unless contrast_lst is set).
	Testing bool
	// NoLabels builds the frame without derivatives, for segmenting
	// images that have no labels.
	NoLabels bool
	// SplitMethod, when set, leaves out raw images with no value in that
	// column (and their labels).
	SplitMethod string
}

// Select builds the frame of the datasets as ivadomed's BidsDataframe does:
//
//   - raw images whose suffix matches one of the contrasts (a regular
//     expression searched in the suffix, as ivadomed does, so "T2" also
//     matches "T2star"; a contrast holding '_', such as "acq-ax_T2w", also
//     matches an image whose stem ends with it, which ivadomed no longer
//     does since it moved to pybids); all images when the list is empty;
//   - derivatives whose stem ends with a target suffix or the ROI suffix;
//   - names ending with one of the extensions;
//   - participants.tsv, samples.tsv, *_sessions.tsv and *_scans.tsv
//     columns merged as pandas does (a clash renames the older column
//     with "_x");
//   - raw images without a value in SplitMethod left out;
//   - raw images without labels (or without the ROI label when one is
//     asked for) left out, each reported once, and labels of no kept
//     image left out.
//
// It fails when no image remains, naming the parameters to check.
func Select(datasets []*Dataset, p LoaderParams, o SelectOptions) (*Frame, error) {
	f := &Frame{params: p}
	exts := p.Extensions
	if len(exts) == 0 {
		exts = []string{".nii", ".nii.gz"}
	}
	targets := p.TargetSuffix.Flat()
	roi := ""
	if p.RoiParams.Suffix != nil {
		roi = *p.RoiParams.Suffix
		targets = append(targets, roi)
	}
	contrasts := p.ContrastParams.List(o.Testing)
	var contrastRe *regexp.Regexp
	if len(contrasts) > 0 {
		re, err := regexp.Compile(strings.Join(contrasts, "|"))
		if err != nil {
			return nil, fmt.Errorf("bids: contrast_params: %v", err)
		}
		contrastRe = re
	}
	validate := p.BidsValidate == nil || *p.BidsValidate
	cols := newColumns()
	for _, d := range datasets {
		var rows []*Row
		var cands []*Image
		for _, im := range d.Images {
			if im.HasSuffix() && matchContrast(im, contrasts, contrastRe) && hasAnySuffix(im.Path, exts) {
				cands = append(cands, im)
			}
		}
		d.preload(cands)
		for _, im := range cands {
			if msg := im.problem(); msg != "" {
				if validate {
					f.warn("%s: left out (bids_validate): %s", d.Abs(im.Path), msg)
					continue
				}
				f.warn("%s: kept although %s", d.Abs(im.Path), msg)
			}
			rows = append(rows, f.rawRow(d, im))
		}
		if len(rows) == 0 {
			f.warn("%s: no image matches the contrasts %q and extensions %q; dataset skipped", d.Root, contrasts, exts)
			continue
		}
		if !o.NoLabels {
			for _, pl := range d.Derivatives {
				for _, im := range pl.Images {
					if hasAnySuffix(im.Stem, targets) && hasAnySuffix(im.Path, exts) {
						rows = append(rows, &Row{Dataset: d, Image: im, Path: d.Abs(im.Path), Filename: path.Base(im.Path), Derivative: true, Values: map[string]any{}})
					}
				}
			}
		}
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].Path < rows[j].Path })
		// pybids' columns come out of a pivot, sorted; the tables' columns
		// follow in the order they are merged.
		var keys []string
		for _, r := range rows {
			for k := range r.Values {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		local := newColumns()
		for _, k := range slices.Compact(keys) {
			local.add(k)
		}
		f.mergeTables(d, rows, local)
		for _, c := range local.list {
			cols.add(c)
		}
		f.Rows = append(f.Rows, rows...)
	}
	if len(f.Rows) == 0 {
		return nil, fmt.Errorf("bids: no image found in %q for contrasts %q and extensions %q: check loader_parameters (contrast_params, extensions, path_data) and that the datasets follow BIDS", p.PathData, contrasts, exts)
	}
	f.dropDuplicates()
	if o.SplitMethod != "" {
		f.dropMissing(o.SplitMethod)
	}
	if !o.NoLabels {
		if err := f.keepLabelled(targets, roi); err != nil {
			return nil, err
		}
	}
	f.Columns = append([]string{"path", "filename"}, cols.used(f.Rows)...)
	return f, nil
}

func (f *Frame) warn(format string, args ...any) {
	f.Warnings = append(f.Warnings, fmt.Sprintf(format, args...))
}

func hasAnySuffix(s string, suffixes []string) bool {
	for _, x := range suffixes {
		if strings.HasSuffix(s, x) {
			return true
		}
	}
	return false
}

func matchContrast(im *Image, contrasts []string, re *regexp.Regexp) bool {
	if re == nil || re.MatchString(im.Suffix) {
		return true
	}
	for _, c := range contrasts {
		if strings.Contains(c, "_") && strings.HasSuffix("_"+im.Stem, "_"+c) {
			return true
		}
	}
	return false
}

// rawRow makes the row of a raw image: its entities under pybids' names,
// datatype, suffix, extension, and the sidecar metadata.
func (f *Frame) rawRow(d *Dataset, im *Image) *Row {
	v := map[string]any{}
	for k, x := range d.Metadata(im) {
		if x != nil {
			v[k] = x
		}
	}
	for _, e := range im.Entities {
		if name, ok := pybidsNames[e.Key]; ok {
			if _, set := v[name]; !set || name != "subject" {
				v[name] = e.Value
			}
		}
	}
	if datatypeFolders[im.Datatype] {
		v["datatype"] = im.Datatype
	}
	v["suffix"] = im.Suffix
	v["extension"] = im.Extension
	if m := fmapRe.FindStringSubmatch(path.Base(im.Path)); m != nil {
		v["fmap"] = m[1]
	}
	return &Row{Dataset: d, Image: im, Path: d.Abs(im.Path), Filename: path.Base(im.Path), Values: v}
}

// columns keeps column names in first-seen order.
type columns struct {
	list []string
	seen map[string]bool
}

func newColumns() *columns { return &columns{seen: map[string]bool{}} }

func (c *columns) add(name string) {
	if !c.seen[name] {
		c.seen[name] = true
		c.list = append(c.list, name)
	}
}

// used returns the columns that have a value in some row, the pybids
// columns first in sorted order (as pandas' pivot leaves them), then the
// table columns in the order they were merged.
func (c *columns) used(rows []*Row) []string {
	have := map[string]bool{}
	for _, r := range rows {
		for k := range r.Values {
			have[k] = true
		}
	}
	var out []string
	for _, k := range c.list {
		if have[k] {
			out = append(out, k)
		}
	}
	return out
}

// merge adds table columns to the rows picked by key, renaming a clashing
// column already there to name+"_x" (pandas' suffixes=("_x", None)).
func merge(rows []*Row, cols *columns, newCols []string, lookup func(r *Row) map[string]string) {
	for _, c := range newCols {
		if cols.seen[c] {
			for _, r := range rows {
				if v, ok := r.Values[c]; ok {
					r.Values[c+"_x"] = v
					delete(r.Values, c)
				}
			}
			cols.rename(c, c+"_x")
		}
	}
	for _, c := range newCols {
		cols.add(c)
	}
	for _, r := range rows {
		if r.Derivative {
			continue
		}
		for k, v := range lookup(r) {
			if !pandasNA[v] {
				r.Values[k] = v
			}
		}
	}
}

func (c *columns) rename(from, to string) {
	for i, x := range c.list {
		if x == from {
			c.list[i] = to
		}
	}
	delete(c.seen, from)
	c.seen[to] = true
}

// mergeTables adds the participants, samples, sessions and scans columns.
func (f *Frame) mergeTables(d *Dataset, rows []*Row, cols *columns) {
	// participants.tsv, through pybids: only when it has a column besides
	// participant_id; participant_id is then added from the subject.
	if t := d.Participants; t != nil && t.Col("participant_id") >= 0 && len(t.Columns) > 1 {
		by := map[string]map[string]string{}
		var newCols []string
		newCols = append(newCols, "participant_id")
		var other []string
		for _, c := range t.Columns {
			if c != "participant_id" && c != "suffix" {
				other = append(other, c)
			}
		}
		slices.Sort(other)
		newCols = append(newCols, other...)
		for i := range t.Rows {
			id, _ := t.Cell(i, "participant_id")
			m := map[string]string{"participant_id": id}
			for _, c := range other {
				if v, ok := cell(t, i, c); ok {
					m[c] = v
				}
			}
			by[strings.TrimPrefix(id, "sub-")] = m
		}
		merge(rows, cols, newCols, func(r *Row) map[string]string {
			s, _ := r.Values["subject"].(string)
			return by[s]
		})
	}
	// samples.tsv, read with pandas and merged on subject and sample.
	if t := d.Samples; t != nil && t.Col("sample_id") >= 0 && t.Col("participant_id") >= 0 {
		by := map[[2]string]map[string]string{}
		var newCols []string
		for _, c := range t.Columns {
			if c == "participant_id" && cols.seen["participant_id"] {
				continue
			}
			newCols = append(newCols, c)
		}
		for i := range t.Rows {
			sid, _ := cell(t, i, "sample_id")
			pid, _ := cell(t, i, "participant_id")
			_, sample, _ := strings.Cut(sid, "sample-")
			_, sub, _ := strings.Cut(pid, "sub-")
			m := map[string]string{}
			for _, c := range newCols {
				if v, ok := cell(t, i, c); ok {
					m[c] = v
				}
			}
			by[[2]string{sub, sample}] = m
		}
		merge(rows, cols, newCols, func(r *Row) map[string]string {
			s, _ := r.Values["subject"].(string)
			x, _ := r.Values["sample"].(string)
			return by[[2]string{s, x}]
		})
	}
	// sub-<label>_sessions.tsv, through pybids: merged on subject and
	// session; session_id becomes the session key.
	var sesTables []string
	var scanTables []string
	for _, rel := range d.Tables {
		if strings.HasSuffix(rel, "_sessions.tsv") {
			sesTables = append(sesTables, rel)
		} else {
			scanTables = append(scanTables, rel)
		}
	}
	if len(sesTables) > 0 {
		by := map[[2]string]map[string]string{}
		var newCols []string
		seen := map[string]bool{}
		for _, rel := range sesTables {
			t, err := ReadTSVFile(d.Abs(rel))
			if err != nil || t.Col("session_id") < 0 {
				f.warn("%s: unreadable sessions table (need a session_id column): %v", d.Abs(rel), err)
				continue
			}
			sub := strings.TrimPrefix(strings.Split(rel, "/")[0], "sub-")
			var other []string
			for _, c := range t.Columns {
				if c != "session_id" && c != "suffix" {
					other = append(other, c)
					if !seen[c] {
						seen[c] = true
						newCols = append(newCols, c)
					}
				}
			}
			for i := range t.Rows {
				id, _ := cell(t, i, "session_id")
				m := map[string]string{}
				for _, c := range other {
					if v, ok := cell(t, i, c); ok {
						m[c] = v
					}
				}
				by[[2]string{sub, strings.TrimPrefix(id, "ses-")}] = m
			}
		}
		slices.Sort(newCols)
		merge(rows, cols, newCols, func(r *Row) map[string]string {
			s, _ := r.Values["subject"].(string)
			x, _ := r.Values["session"].(string)
			return by[[2]string{s, x}]
		})
	}
	// *_scans.tsv, read with pandas and merged on the file name.
	if len(scanTables) > 0 {
		by := map[string]map[string]string{}
		var newCols []string
		seen := map[string]bool{}
		for _, rel := range scanTables {
			t, err := ReadTSVFile(d.Abs(rel))
			if err != nil || t.Col("filename") < 0 {
				f.warn("%s: unreadable scans table (need a filename column): %v", d.Abs(rel), err)
				continue
			}
			for _, c := range t.Columns {
				if c != "filename" && !seen[c] {
					seen[c] = true
					newCols = append(newCols, c)
				}
			}
			for i := range t.Rows {
				fn, _ := cell(t, i, "filename")
				m := map[string]string{}
				for _, c := range t.Columns {
					if c == "filename" {
						continue
					}
					if v, ok := cell(t, i, c); ok {
						m[c] = v
					}
				}
				by[path.Base(filepath.ToSlash(fn))] = m
			}
		}
		merge(rows, cols, newCols, func(r *Row) map[string]string { return by[r.Filename] })
	}
}

// cell returns a table cell as pandas would keep it (untrimmed), with
// whether the row has it.
func cell(t *Table, i int, col string) (string, bool) {
	j := t.Col(col)
	if j < 0 || j >= len(t.Rows[i]) {
		return "", false
	}
	return t.Rows[i][j], true
}

// dropDuplicates removes rows equal to an earlier one in every column but
// the path (the same file in two datasets of path_data).
func (f *Frame) dropDuplicates() {
	seen := map[string]bool{}
	out := f.Rows[:0]
	for _, r := range f.Rows {
		keys := sortedKeys(r.Values)
		var b strings.Builder
		b.WriteString(r.Filename)
		for _, k := range keys {
			fmt.Fprintf(&b, "\x00%s\x01%s", k, FormatValue(r.Values[k]))
		}
		if seen[b.String()] {
			f.warn("%s: duplicate of a file already selected; left out", r.Path)
			continue
		}
		seen[b.String()] = true
		out = append(out, r)
	}
	f.Rows = out
}

// dropMissing leaves out raw images without a value in col, with every
// file whose name contains theirs.
func (f *Frame) dropMissing(col string) {
	var gone []string
	for _, r := range f.Rows {
		if _, ok := r.Values[col]; !ok && !r.Derivative {
			gone = append(gone, r.Filename)
		}
	}
	if len(gone) == 0 {
		return
	}
	f.warn("no %q value (split_method) for %s; left out", col, strings.Join(gone, ", "))
	out := f.Rows[:0]
	for _, r := range f.Rows {
		drop := false
		for _, g := range gone {
			if strings.Contains(r.Filename, g) {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, r)
		}
	}
	f.Rows = out
}

// keepLabelled leaves out raw images without labels and labels without a
// kept image.
func (f *Frame) keepLabelled(targets []string, roi string) error {
	inFrame := map[*Image]bool{}
	for _, r := range f.Rows {
		if r.Derivative {
			inFrame[r.Image] = true
		}
	}
	keepRaw := map[*Row]bool{}
	keepDeriv := map[*Image]bool{}
	var missing []string
	for _, r := range f.Rows {
		if r.Derivative {
			continue
		}
		var avail []*Image
		for _, l := range r.Image.Labels {
			if li := r.Dataset.Image(l.Path); li != nil && inFrame[li] {
				avail = append(avail, li)
			}
		}
		if len(avail) == 0 {
			missing = append(missing, r.Path)
			continue
		}
		if roi != "" && !slices.ContainsFunc(avail, func(li *Image) bool { return strings.HasSuffix(li.Stem, roi) }) {
			f.warn("%s: no ROI label %q; left out", r.Path, roi)
			continue
		}
		for _, t := range targets {
			if t != roi && !slices.ContainsFunc(avail, func(li *Image) bool { return strings.HasSuffix(li.Stem, t) }) {
				f.warn("%s: no label %q", r.Path, t)
			}
		}
		for _, li := range avail {
			keepDeriv[li] = true
		}
		keepRaw[r] = true
	}
	if len(missing) > 0 {
		f.warn("no label with suffix %q for %d images, left out: %s", targets, len(missing), strings.Join(missing, ", "))
	}
	if len(keepRaw) == 0 {
		return fmt.Errorf("bids: no image has a label with target_suffix %q (derivatives not found): check target_suffix and derivatives/labels", targets)
	}
	var out []*Row
	for _, r := range f.Rows {
		if keepRaw[r] || r.Derivative && keepDeriv[r.Image] {
			out = append(out, r)
		}
	}
	f.Rows = out
	return nil
}

// WriteCSV writes the frame as ivadomed's bids_dataframe.csv: one line
// per row, the columns of f.Columns, values as FormatValue writes them.
func (f *Frame) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(f.Columns); err != nil {
		return err
	}
	rec := make([]string, len(f.Columns))
	for _, r := range f.Rows {
		for i, c := range f.Columns {
			switch c {
			case "path":
				rec[i] = r.Path
			case "filename":
				rec[i] = r.Filename
			default:
				rec[i], _ = r.Get(c)
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
