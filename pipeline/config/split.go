package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/ivadogo/ivadogo/bids"
	"github.com/ivadogo/ivadogo/internal/atomicfile"
)

// SplitFile is the train/validation/test split of a run, as the JSON
// {"train": [...], "valid": [...], "test": [...]}: the bids.Split a run
// draws, under the name the config package reads and writes it by.
// Entries are participant ids ("sub-01") or image file names
// ("sub-01_T2w.nii.gz"), as in ivadomed's split_datasets.joblib
// (bids.Frame.Resolve maps ids to file names). The same entry may be in
// several lists (ivadomed's "fit" protocol trains and tests on one
// subject).
type SplitFile = bids.Split

// joblibConversion is the one line of Python that turns ivadomed's split
// file into the JSON form.
const joblibConversion = `python3 -c "import joblib, json; d = joblib.load('%s'); json.dump({k: [str(x) for x in d[k]] for k in ('train', 'valid', 'test')}, open('%s', 'w'), indent=1)"`

// ReadSplit reads a split file: fname_split, and the split a training run
// leaves in its output folder (bids.SplitFile) for test to reuse. It is
// the only split reader, so every one is held to the same strict format
// and errors. A .joblib file (a Python pickle) is an error that wraps
// ErrJoblib and gives the one-line conversion to JSON.
func ReadSplit(path string) (*SplitFile, error) {
	if strings.EqualFold(filepath.Ext(path), ".joblib") {
		return nil, joblibError(path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: split file: %w", err)
	}
	// A pickle renamed to .json starts with the protocol opcode 0x80.
	if len(data) > 1 && data[0] == 0x80 && data[1] <= 5 {
		return nil, joblibError(path)
	}
	s, err := ParseSplit(data)
	if err != nil {
		return nil, withFile(err, path)
	}
	return s, nil
}

func joblibError(path string) error {
	out := strings.TrimSuffix(path, filepath.Ext(path)) + ".json"
	return fmt.Errorf("config: %s: %w; convert it once with\n  "+joblibConversion+"\nand set split_dataset.fname_split to %s",
		path, ErrJoblib, path, out, out)
}

// ParseSplit parses the JSON form of a split. The three keys must be
// present and be lists of strings; other keys are errors.
func ParseSplit(data []byte) (*SplitFile, error) {
	tree, err := parseTree(data)
	if err != nil {
		return nil, err
	}
	var s SplitFile
	d := &decoder{}
	d.decode(tree, reflect.ValueOf(&s).Elem(), "", nil)
	if tree.kind == kindObject {
		for _, k := range []string{"train", "valid", "test"} {
			if tree.get(k) == nil {
				d.errorf(tree, k, "missing key: a split file needs \"train\", \"valid\" and \"test\" lists")
			}
		}
	}
	if len(d.errs) > 0 {
		return nil, d.errs.sorted()
	}
	fillEmpty(&s)
	return &s, nil
}

// WriteSplit writes s as indented JSON to path. The file is written to a
// temporary name and renamed, so an existing split is never left half
// written.
func WriteSplit(path string, s *SplitFile) error {
	c := *s
	fillEmpty(&c)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", " ")
	if err := enc.Encode(&c); err != nil {
		return fmt.Errorf("config: split file %s: %w", path, err)
	}
	return writeAtomic(path, b.Bytes())
}

// fillEmpty turns absent lists into empty ones, so a split always has
// the three keys as lists (never null) in its JSON.
func fillEmpty(s *SplitFile) {
	for _, l := range []*[]string{&s.Train, &s.Valid, &s.Test} {
		if *l == nil {
			*l = []string{}
		}
	}
}

// writeAtomic writes data to a temporary file beside path and renames it.
func writeAtomic(path string, data []byte) error {
	if err := atomicfile.WriteFile(path, data); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}

// Save writes the config as ivadomed's config_file.json (indented JSON)
// to path, atomically.
func (c *Config) Save(path string) error {
	data, err := c.MarshalIndent()
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return writeAtomic(path, append(data, '\n'))
}
