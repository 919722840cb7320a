package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestSplitRoundTrip(t *testing.T) {
	dir := t.TempDir()
	tests := []*SplitFile{
		{Train: []string{"sub-01", "sub-02"}, Valid: []string{"sub-03"}, Test: []string{"sub-04"}},
		{Train: []string{"sub-01_T2w.nii.gz"}, Valid: []string{"sub-01_T2w.nii.gz"}, Test: []string{"sub-01_T2w.nii.gz"}},
		{Train: []string{"a"}, Valid: nil, Test: []string{}},
	}
	for i, s := range tests {
		p := filepath.Join(dir, "split.json")
		if err := WriteSplit(p, s); err != nil {
			t.Fatal(err)
		}
		got, err := ReadSplit(p)
		if err != nil {
			t.Fatal(err)
		}
		want := *s
		if want.Valid == nil {
			want.Valid = []string{}
		}
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("case %d: read back %+v, want %+v", i, got, want)
		}
	}
	// No temporary file is left beside the split.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries after writes, want 1", len(entries))
	}
}

func TestReadReferenceSplit(t *testing.T) {
	s, err := ReadSplit(filepath.Join(reference(t), "ivadomed-runs", "split_fit.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"sub-unf01_T2w.nii.gz"}
	if !reflect.DeepEqual(s.Train, want) || !reflect.DeepEqual(s.Valid, want) || !reflect.DeepEqual(s.Test, want) {
		t.Errorf("split = %+v", s)
	}
}

func TestSplitErrors(t *testing.T) {
	tests := []struct {
		json string
		want string
	}{
		{`{"train": [], "validation": [], "test": []}`, `validation: unknown key; did you mean "valid"?`},
		{`{"train": [], "test": []}`, `valid: missing key`},
		{`{"train": [], "valid": []}`, `test: missing key`},
		{`{"train": ["a"], "valid": [], "test": [null]}`, `test[0]: expected a string`},
		{`{"train": "sub-01", "valid": [], "test": []}`, `train: expected a list of strings, got string "sub-01"`},
		{`{"train": [1], "valid": [], "test": []}`, `train[0]: expected a string, got number 1`},
		{`["sub-01"]`, `expected an object`},
		{`{"train": [}`, `invalid JSON`},
	}
	for _, tt := range tests {
		_, err := ParseSplit([]byte(tt.json))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseSplit(%s) error = %v, want it to contain %q", tt.json, err, tt.want)
		}
	}
}

func TestSplitJoblib(t *testing.T) {
	dir := t.TempDir()
	// A pickle under its own extension (not read at all) and one renamed
	// to .json (recognised by the pickle protocol opcode).
	jl := filepath.Join(dir, "split_datasets.joblib")
	renamed := filepath.Join(dir, "split.json")
	pickle := []byte{0x80, 0x04, 0x95, 0x10, 0, 0, 0, 0, 0, 0, 0, '}', 0x94}
	os.WriteFile(jl, pickle, 0o644)
	os.WriteFile(renamed, pickle, 0o644)
	for _, p := range []string{jl, renamed, filepath.Join(dir, "absent.joblib")} {
		_, err := ReadSplit(p)
		if !errors.Is(err, ErrJoblib) {
			t.Fatalf("ReadSplit(%s) = %v, want ErrJoblib", p, err)
		}
		msg := err.Error()
		for _, want := range []string{p, "cannot be read without Python", "python3 -c \"import joblib, json;", "joblib.load('" + p + "')", "split_dataset.fname_split"} {
			if !strings.Contains(msg, want) {
				t.Errorf("error %q lacks %q", msg, want)
			}
		}
	}
	if _, err := ReadSplit(filepath.Join(dir, "absent.json")); err == nil || errors.Is(err, ErrJoblib) || !strings.Contains(err.Error(), "absent.json") {
		t.Errorf("missing JSON split error = %v", err)
	}
}

func TestWriteSplitUnwritable(t *testing.T) {
	err := WriteSplit(filepath.Join(t.TempDir(), "no", "such", "dir", "split.json"), &SplitFile{})
	if err == nil || !strings.Contains(err.Error(), "split.json") && !strings.Contains(err.Error(), "no such") {
		t.Errorf("WriteSplit into a missing folder = %v", err)
	}
}

// TestWriteNothingDamaged: a write that cannot complete leaves what was
// there, and no temporary file.
func TestWriteNothingDamaged(t *testing.T) {
	dir := t.TempDir()
	// The target is a folder: the final rename fails after the data is
	// written to the temporary file.
	target := filepath.Join(dir, "split.json")
	os.Mkdir(target, 0o755)
	os.WriteFile(filepath.Join(target, "keep"), []byte("x"), 0o644)
	if err := WriteSplit(target, &SplitFile{Train: []string{"a"}}); err == nil {
		t.Fatal("WriteSplit over a folder succeeded")
	}
	c := Default()
	if err := c.Save(target); err == nil {
		t.Fatal("Save over a folder succeeded")
	}
	if b, err := os.ReadFile(filepath.Join(target, "keep")); err != nil || string(b) != "x" {
		t.Errorf("the folder's content changed: %q %v", b, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d entries left in the folder, want only the target", len(entries))
	}
	// An existing split survives a failed write of a new one.
	good := filepath.Join(dir, "good.json")
	WriteSplit(good, &SplitFile{Train: []string{"old"}})
	if err := WriteSplit(filepath.Join(dir, "missing", "x.json"), &SplitFile{}); err == nil {
		t.Error("WriteSplit into a missing folder succeeded")
	}
	if s, err := ReadSplit(good); err != nil || s.Train[0] != "old" {
		t.Errorf("existing split damaged: %+v %v", s, err)
	}
}
