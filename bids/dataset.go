package bids

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Description holds the fields of dataset_description.json that the
// loader uses; Raw has the whole document.
type Description struct {
	Name        string         `json:"Name,omitempty"`
	BIDSVersion string         `json:"BIDSVersion,omitempty"`
	DatasetType string         `json:"DatasetType,omitempty"`
	License     string         `json:"License,omitempty"`
	Raw         map[string]any `json:"-"`
}

// Image is one image file of a dataset: a raw image under sub-<label>/, or
// a derivative under derivatives/<pipeline>/.
type Image struct {
	Name
	Path     string // relative to the dataset root, '/'-separated
	Datatype string // name of the parent folder (anat, func, micr, ct, …)
	Size     int64  // bytes; 0 for the empty placeholders of bids-examples
	// Sidecar is the JSON file with the same stem in the same folder, or "".
	Sidecar string
	// Sidecars are all the JSON files that apply to the image under the
	// inheritance principle, from the dataset root down to the image's
	// folder; later ones override earlier ones (see Dataset.Metadata).
	Sidecars []string

	// Labels of a raw image: the derivatives named after it.
	Labels []Label

	// For derivatives only.
	Pipeline      string   // the folder under derivatives/
	FolderSubject string   // label of the first sub-<label> folder on the path, or ""
	Sources       []string // raw images whose stem starts this name, or nil
	LabelSuffix   string   // the rest of the stem after the source's stem, e.g. "_seg-manual"
}

// Label is a derivative matched to a raw image by ivadomed's naming rule.
type Label struct {
	Suffix   string // e.g. "_seg-manual", "_seg-axon-manual"
	Pipeline string // derivatives/<Pipeline>
	Path     string // relative to the dataset root
	// InSubjectFolder is false for a label filed in another subject's
	// folder (or outside any): it is still matched by name.
	InSubjectFolder bool
}

// Pipeline is one folder under derivatives/.
type Pipeline struct {
	Name           string
	HasDescription bool // derivatives/<name>/dataset_description.json exists
	Images         []*Image
}

// Dataset is an indexed BIDS dataset.
type Dataset struct {
	Root         string // the directory as given to Index
	Description  Description
	Subjects     []string            // labels of the sub-<label> folders, sorted
	Sessions     map[string][]string // subject → its ses-<label> folders, sorted
	Participants *Table              // participants.tsv, or nil
	// ParticipantsInfo is participants.json (column descriptions), or nil.
	ParticipantsInfo map[string]any
	Samples          *Table   // samples.tsv, or nil
	Images           []*Image // raw images in walk order (sorted paths per folder)
	// Tables are the *_sessions.tsv and *_scans.tsv files under the
	// subject folders, relative to Root.
	Tables      []string
	Derivatives []*Pipeline
	// LabelSuffixes are all the label suffixes found, sorted.
	LabelSuffixes []string
	Warnings      []Warning

	jsonByDir map[string][]string // folder (relative) → JSON file names in it
	metaCache map[string]map[string]any
	jsonCache map[string]jsonResult
	byPath    map[string]*Image
}

// Warning is a problem found while indexing that did not stop it. File
// is relative to the dataset root ("" for the dataset itself).
type Warning struct {
	File string
	Msg  string
}

func (w Warning) String() string {
	if w.File == "" {
		return w.Msg
	}
	return w.File + ": " + w.Msg
}

func (d *Dataset) warn(file, format string, args ...any) {
	d.Warnings = append(d.Warnings, Warning{file, fmt.Sprintf(format, args...)})
}

// Index reads the layout of the BIDS dataset in dir. It fails only when
// dir cannot be read; everything else that bends the specification is
// recorded in Dataset.Warnings. Hidden files and folders (name starting
// with '.') are ignored. Image contents are not read; sidecar JSON files
// are read on demand by Metadata.
func Index(dir string) (*Dataset, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("bids: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("bids: %s: not a directory", dir)
	}
	d := &Dataset{
		Root:      dir,
		Sessions:  map[string][]string{},
		jsonByDir: map[string][]string{},
		metaCache: map[string]map[string]any{},
		jsonCache: map[string]jsonResult{},
		byPath:    map[string]*Image{},
	}
	d.readDescription()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("bids: %w", err)
	}
	var subDirs []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		if isDir(filepath.Join(dir, name), e) {
			if strings.HasPrefix(name, "sub-") {
				subDirs = append(subDirs, name)
			}
			continue
		}
		if strings.HasSuffix(name, ".json") {
			d.jsonByDir["."] = append(d.jsonByDir["."], name)
		}
	}
	// Subjects are scanned in parallel (the work is file-system calls) and
	// merged in order.
	scans := make([]*subjectScan, len(subDirs))
	parallel(len(subDirs), func(i int) { scans[i] = scanSubject(dir, subDirs[i]) })
	for i, s := range subDirs {
		label := s[len("sub-"):]
		sc := scans[i]
		d.Subjects = append(d.Subjects, label)
		d.Sessions[label] = sc.sessions
		d.Images = append(d.Images, sc.images...)
		d.Tables = append(d.Tables, sc.tables...)
		d.Warnings = append(d.Warnings, sc.warnings...)
		for k, v := range sc.jsons {
			d.jsonByDir[k] = append(d.jsonByDir[k], v...)
		}
	}
	d.Participants = d.readTable("participants.tsv")
	if b, err := os.ReadFile(filepath.Join(dir, "participants.json")); err == nil {
		if err := json.Unmarshal(b, &d.ParticipantsInfo); err != nil {
			d.warn("participants.json", "not valid JSON: %v", err)
		}
	}
	d.Samples = d.readTable("samples.tsv")
	d.checkParticipants()
	for _, im := range d.Images {
		d.byPath[im.Path] = im
		im.Sidecars = d.inherited(im)
		d.validate(im)
	}
	if err := d.indexDerivatives(); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *Dataset) readDescription() {
	b, err := os.ReadFile(filepath.Join(d.Root, "dataset_description.json"))
	if err != nil {
		d.warn("dataset_description.json", "missing: a BIDS dataset must have one")
		return
	}
	if err := json.Unmarshal(b, &d.Description.Raw); err != nil {
		d.warn("dataset_description.json", "not valid JSON: %v", err)
		return
	}
	str := func(k string) string {
		v, ok := d.Description.Raw[k]
		if !ok {
			return ""
		}
		if s, ok := v.(string); ok {
			return s
		}
		d.warn("dataset_description.json", "%s is %T, want a string", k, v)
		return fmt.Sprint(v)
	}
	d.Description.Name = str("Name")
	d.Description.BIDSVersion = str("BIDSVersion")
	d.Description.DatasetType = str("DatasetType")
	d.Description.License = str("License")
	if d.Description.Name == "" {
		d.warn("dataset_description.json", "Name is missing (required)")
	}
	if d.Description.BIDSVersion == "" {
		d.warn("dataset_description.json", "BIDSVersion is missing (required)")
	}
}

func (d *Dataset) readTable(rel string) *Table {
	t, err := ReadTSVFile(filepath.Join(d.Root, filepath.FromSlash(rel)))
	if err != nil {
		if !os.IsNotExist(err) && !strings.Contains(err.Error(), "no such file") {
			d.warn(rel, "cannot be read: %v", err)
		}
		return nil
	}
	t.Path = rel
	for _, m := range t.Check() {
		d.warn(rel, "%s", strings.TrimPrefix(m, rel+": "))
	}
	return t
}

// subjectScan is what one subject folder holds.
type subjectScan struct {
	sessions []string
	images   []*Image
	tables   []string
	jsons    map[string][]string // folder → JSON file names
	warnings []Warning
}

// scanSubject lists the sessions, images, sidecars and tables under one
// subject folder of the dataset at root. Each folder's files come before
// its subfolders, both sorted, and hidden entries are skipped (the order of
// Python's os.walk).
func scanSubject(root, sub string) *subjectScan {
	sc := &subjectScan{sessions: []string{}, jsons: map[string][]string{}}
	if es, err := os.ReadDir(filepath.Join(root, sub)); err == nil {
		for _, e := range es {
			if strings.HasPrefix(e.Name(), "ses-") && isDir(filepath.Join(root, sub, e.Name()), e) {
				sc.sessions = append(sc.sessions, e.Name()[len("ses-"):])
			}
		}
	}
	warn := func(w Warning) { sc.warnings = append(sc.warnings, w) }
	walk(root, sub, warn, func(rel string, e fs.DirEntry) {
		name := e.Name()
		if e.IsDir() {
			return
		}
		dir := path.Dir(rel)
		switch {
		case IsImage(name):
			im := &Image{Name: ParseName(name), Path: rel, Datatype: path.Base(dir)}
			if info, err := e.Info(); err == nil {
				im.Size = info.Size()
			}
			sc.images = append(sc.images, im)
		case strings.HasSuffix(name, ".json"):
			sc.jsons[dir] = append(sc.jsons[dir], name)
		case strings.HasSuffix(name, "_scans.tsv") || strings.HasSuffix(name, "_sessions.tsv"):
			sc.tables = append(sc.tables, rel)
		}
	})
	return sc
}

// walk visits every non-hidden entry under the folder rel of root: a
// folder's files first, then its subfolders, each sorted by name.
// Unreadable folders and broken links are passed to warn.
func walk(root, rel string, warn func(Warning), visit func(rel string, e fs.DirEntry)) {
	abs := func(r string) string { return filepath.Join(root, filepath.FromSlash(r)) }
	entries, err := os.ReadDir(abs(rel))
	if err != nil {
		warn(Warning{rel, fmt.Sprintf("cannot be read: %v", err)})
		return
	}
	var dirs []fs.DirEntry
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if e.IsDir() {
			dirs = append(dirs, e)
			continue
		}
		if e.Type()&fs.ModeSymlink != 0 {
			// Follow links to files (datalad/git-annex datasets are made of
			// them) but, like os.walk, do not descend into linked folders.
			info, err := os.Stat(abs(rel + "/" + e.Name()))
			if err != nil {
				warn(Warning{rel + "/" + e.Name(), fmt.Sprintf("broken link: %v", err)})
				continue
			}
			if info.IsDir() {
				continue
			}
			e = fs.FileInfoToDirEntry(info)
		}
		visit(rel+"/"+e.Name(), e)
	}
	for _, e := range dirs {
		r := rel + "/" + e.Name()
		visit(r, e)
		walk(root, r, warn, visit)
	}
}

// checkParticipants compares participants.tsv with the subject folders.
func (d *Dataset) checkParticipants() {
	t := d.Participants
	if t == nil {
		if len(d.Subjects) > 0 {
			d.warn("participants.tsv", "missing: subject metadata will be empty")
		}
		return
	}
	if t.Col("participant_id") < 0 {
		d.warn("participants.tsv", "no participant_id column: its rows cannot be matched to subjects")
		return
	}
	listed := map[string]bool{}
	for i := range t.Rows {
		id, ok := t.Cell(i, "participant_id")
		switch {
		case !ok || id == "":
			d.warn("participants.tsv", "line %d: no participant_id; row ignored", t.Lines[i])
			continue
		case !strings.HasPrefix(id, "sub-"):
			d.warn("participants.tsv", "line %d: participant_id %q does not start with \"sub-\"", t.Lines[i], id)
		case listed[id]:
			d.warn("participants.tsv", "line %d: participant_id %q repeated", t.Lines[i], id)
		}
		listed[id] = true
	}
	for _, s := range d.Subjects {
		if !listed["sub-"+s] {
			d.warn("participants.tsv", "subject sub-%s has a folder but no row", s)
		}
	}
}

// Image returns the raw image or derivative at a path relative to the
// dataset root, or nil.
func (d *Dataset) Image(rel string) *Image { return d.byPath[rel] }

// Abs returns the path of a dataset-relative path on disk.
func (d *Dataset) Abs(rel string) string { return filepath.Join(d.Root, filepath.FromSlash(rel)) }

// SuffixCounts counts the raw images per suffix.
func (d *Dataset) SuffixCounts() map[string]int {
	m := map[string]int{}
	for _, im := range d.Images {
		m[im.Suffix]++
	}
	return m
}

// AllSessions returns the union of the session labels, sorted.
func (d *Dataset) AllSessions() []string {
	var out []string
	for _, v := range d.Sessions {
		out = append(out, v...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// FindDatasets returns every directory under root (root excluded) that
// holds a dataset_description.json, without looking inside derivatives/,
// sub-<label>/ or hidden folders: the datasets of a data collection, with
// nested ones (such as ivadomed-data-testing/ct_scan) listed on their own.
// The result is sorted.
func FindDatasets(root string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() {
			return nil
		}
		name := e.Name()
		if p != root && (strings.HasPrefix(name, ".") || name == "derivatives" || strings.HasPrefix(name, "sub-")) {
			return fs.SkipDir
		}
		if p != root && fileExists(filepath.Join(p, "dataset_description.json")) {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bids: %w", err)
	}
	slices.Sort(out)
	return out, nil
}

// isDir reports whether an entry is a folder, following a symbolic link.
func isDir(p string, e fs.DirEntry) bool {
	if e.IsDir() {
		return true
	}
	if e.Type()&fs.ModeSymlink == 0 {
		return false
	}
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
