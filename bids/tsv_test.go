package bids

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// TestTSVPython compares the record splitting with Python's csv module
// on tricky inputs (testdata/make_tsv.py).
func TestTSVPython(t *testing.T) {
	b, err := os.ReadFile("testdata/tsv.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Input   string
		Records [][]string
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		in := strings.TrimPrefix(c.Input, "\ufeff")
		got, _ := splitRecords([]byte(in))
		want := c.Records
		// Python yields [] for an empty line; compare lengths and cells.
		norm := func(r [][]string) [][]string {
			out := make([][]string, len(r))
			for i, x := range r {
				out[i] = append([]string{}, x...)
			}
			return out
		}
		if !reflect.DeepEqual(norm(got), norm(want)) {
			t.Errorf("%q:\n got %q\nwant %q", c.Input, got, want)
		}
	}
}

func TestParseTSV(t *testing.T) {
	tab, err := ParseTSV([]byte("\ufeff participant_id \tage\n\nsub-01\t30\n \t \nsub-02\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tab.Columns, []string{"participant_id", "age"}) || len(tab.Rows) != 2 {
		t.Fatalf("%+v", tab)
	}
	if !reflect.DeepEqual(tab.Lines, []int{3, 5}) {
		t.Errorf("lines %v, want [3 5]", tab.Lines)
	}
	if v, ok := tab.Cell(0, "age"); !ok || v != "30" {
		t.Errorf("Cell(0, age) = %q %v", v, ok)
	}
	if _, ok := tab.Cell(1, "age"); ok {
		t.Error("short row has an age")
	}
	tab.Path = "p.tsv"
	if c := tab.Check(); len(c) != 1 || !strings.Contains(c[0], "p.tsv: line 5: 1 cells, header has 2") {
		t.Errorf("Check: %q", c)
	}
}

// TestReadTSV checks that ReadTSV parses what ParseTSV parses and passes
// on the reader's error.
func TestReadTSV(t *testing.T) {
	const in = "participant_id\tage\nsub-01\t30\n"
	got, err := ReadTSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := ParseTSV([]byte(in))
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReadTSV: %+v, want ParseTSV's %+v", got, want)
	}
	bad := errors.New("disk on fire")
	if _, err := ReadTSV(io.MultiReader(strings.NewReader(in), iotest.ErrReader(bad))); !errors.Is(err, bad) {
		t.Errorf("ReadTSV of a failing reader: %v, want %v", err, bad)
	}
}

func TestParseName(t *testing.T) {
	tests := []struct {
		name, stem, ext, suffix string
		hasSuffix               bool
		ents                    []Entity
		bare                    []BareToken
	}{
		{"sub-01_ses-02_T1w.nii.gz", "sub-01_ses-02_T1w", ".nii.gz", "T1w", true, []Entity{{"sub", "01"}, {"ses", "02"}}, nil},
		{"sub-01_T2w_seg-manual.nii.gz", "sub-01_T2w_seg-manual", ".nii.gz", "", false, []Entity{{"sub", "01"}, {"seg", "manual"}}, []BareToken{{1, "T2w"}}},
		{"sub-01_sample-A_SEM.ome.tif", "sub-01_sample-A_SEM", ".ome.tif", "SEM", true, []Entity{{"sub", "01"}, {"sample", "A"}}, nil},
		{"sub-1_labels-disc-manual.png", "sub-1_labels-disc-manual", ".png", "", false, []Entity{{"sub", "1"}, {"labels", "disc-manual"}}, nil},
		{"sub-01_scans.tsv.gz", "sub-01_scans", ".tsv.gz", "scans", true, []Entity{{"sub", "01"}}, nil},
		{".hidden", ".hidden", "", ".hidden", true, nil, nil},
		{"T1w.json", "T1w", ".json", "T1w", true, nil, nil},
		{"sub-01_.nii", "sub-01_", ".nii", "", true, []Entity{{"sub", "01"}}, nil},
		{"README", "README", "", "README", true, nil, nil},
		{"a.b.c", "a.b", ".c", "a.b", true, nil, nil},
	}
	for _, tt := range tests {
		n := ParseName(tt.name)
		if n.Stem != tt.stem || n.Extension != tt.ext || n.Suffix != tt.suffix || n.HasSuffix() != tt.hasSuffix ||
			!reflect.DeepEqual(n.Entities, tt.ents) || !reflect.DeepEqual(n.Bare, tt.bare) {
			t.Errorf("ParseName(%q) = %+v", tt.name, n)
		}
	}
}

func FuzzParseName(f *testing.F) {
	for _, s := range []string{"sub-01_ses-02_acq-ax_run-1_T2w.nii.gz", "sub-x_T1w_seg-manual.png", "_-_.ome.tiff", "a", "", "sub-01__T1w.nii", "--_-.tsv.gz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		n := ParseName(name)
		if n.Stem+n.Extension != name {
			t.Fatalf("%q: stem %q + ext %q", name, n.Stem, n.Extension)
		}
		tokens := strings.Count(n.Stem, "_") + 1
		suffix := 0
		if n.HasSuffix() {
			suffix = 1
		}
		if len(n.Entities)+len(n.Bare)+suffix != tokens {
			t.Fatalf("%q: %d entities + %d bare + %d suffix != %d tokens", name, len(n.Entities), len(n.Bare), suffix, tokens)
		}
		for _, e := range n.Entities {
			if strings.Contains(e.Key, "_") || strings.Contains(e.Key, "-") || strings.Contains(e.Value, "_") {
				t.Fatalf("%q: bad entity %+v", name, e)
			}
		}
	})
}

func FuzzParseTSV(f *testing.F) {
	for _, s := range []string{"a\tb\n1\t2\n", "\"x\ty\"\t\"a\"\"b\"\r\n1\n", "\ufeffparticipant_id\n\n", "\"open", "a\r\r\n\r", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tab, err := ParseTSV(b)
		if err != nil {
			return
		}
		if len(tab.Rows) != len(tab.Lines) {
			t.Fatalf("%d rows, %d line numbers", len(tab.Rows), len(tab.Lines))
		}
		for i, l := range tab.Lines {
			if l < 2 || i > 0 && l < tab.Lines[i-1] {
				t.Fatalf("line numbers %v", tab.Lines)
			}
		}
		_ = tab.Check()
		// Without quotes, records are the lines split on tabs.
		if !strings.ContainsAny(string(b), "\"\r") {
			recs, _ := splitRecords(b)
			lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
			if len(b) == 0 {
				lines = nil
			}
			if len(recs) != len(lines) {
				t.Fatalf("%q: %d records, %d lines", b, len(recs), len(lines))
			}
			for i, r := range recs {
				want := strings.Split(lines[i], "\t")
				if lines[i] == "" {
					want = nil
				}
				if !reflect.DeepEqual(r, want) {
					t.Fatalf("%q: record %d = %q, want %q", b, i, r, want)
				}
			}
		}
	})
}

func FuzzDecodeTIFF(f *testing.F) {
	f.Add([]byte("II*\x00\x08\x00\x00\x00\x00\x00"))
	f.Add([]byte("MM\x00*\x00\x00\x00\x08\x00\x01\x01\x00\x00\x03\x00\x00\x00\x01\x00\x10\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeTIFF(b)
		if err == nil && len(r.pix) != r.w*r.h*r.spp {
			t.Fatalf("%d samples for %dx%dx%d", len(r.pix), r.w, r.h, r.spp)
		}
	})
}
