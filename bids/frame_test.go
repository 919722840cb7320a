package bids

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/internal/testenv"
)

func strp(s string) *string { return &s }

// TestSelectDfRef builds the frame for the four BidsDataframe cases of
// ivadomed's testing/unit_tests/test_loader.py and compares it, row by row
// and cell by cell, with the df_ref*.csv tables ivadomed checks itself
// against (the path column excepted, as there).
func TestSelectDfRef(t *testing.T) {
	data := filepath.Join(testenv.SharedData(t), "ivadomed-data-testing")
	micro := filepath.Join(data, "microscopy_png")
	tests := []struct {
		name string
		ref  string
		p    LoaderParams
	}{
		{"microscopy_png", filepath.Join(micro, "df_ref.csv"), LoaderParams{
			PathData:       Paths{micro},
			TargetSuffix:   TargetSuffix{{"_seg-myelin-manual", "_seg-axon-manual"}},
			Extensions:     []string{".png"},
			ContrastParams: ContrastParams{ContrastLst: []string{}},
		}},
		{"anat", filepath.Join(data, "df_ref.csv"), LoaderParams{
			PathData:       Paths{data},
			TargetSuffix:   TargetSuffix{{"_lesion-manual"}},
			RoiParams:      RoiParams{Suffix: strp("_seg-manual")},
			ContrastParams: ContrastParams{ContrastLst: []string{"T1w", "T2w"}},
		}},
		{"multi", filepath.Join(data, "df_ref_multi.csv"), LoaderParams{
			PathData:       Paths{data, micro},
			TargetSuffix:   TargetSuffix{{"_seg-manual"}, {"seg-axon-manual"}},
			Extensions:     []string{".nii.gz", ".png"},
			ContrastParams: ContrastParams{ContrastLst: []string{"T1w", "T2w", "SEM"}},
		}},
		{"ct_scan", filepath.Join(data, "ct_scan", "df_ref.csv"), LoaderParams{
			PathData:       Paths{filepath.Join(data, "ct_scan")},
			TargetSuffix:   TargetSuffix{{"_seg-manual"}},
			Extensions:     []string{".nii.gz"},
			ContrastParams: ContrastParams{ContrastLst: []string{"ct"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := Open(tt.p)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Select(ds, tt.p, SelectOptions{})
			if err != nil {
				t.Fatal(err)
			}
			ref := readCSV(t, tt.ref)
			header, body := ref[0], ref[1:]
			gotCols := slices.Clone(f.Columns[1:]) // without path
			wantCols := slices.Clone(header)
			slices.Sort(gotCols)
			slices.Sort(wantCols)
			if !slices.Equal(gotCols, wantCols) {
				t.Errorf("columns:\n got %q\nwant %q", gotCols, wantCols)
			}
			byName := map[string]*Row{}
			for _, r := range f.Rows {
				byName[r.Filename] = r
			}
			if len(f.Rows) != len(body) {
				var names []string
				for _, r := range f.Rows {
					names = append(names, r.Filename)
				}
				t.Errorf("%d rows %q, want %d", len(f.Rows), names, len(body))
			}
			for _, rec := range body {
				r := byName[rec[0]]
				if r == nil {
					t.Errorf("row %s missing", rec[0])
					continue
				}
				for j, c := range header[1:] {
					got, _ := r.Get(c)
					if got != rec[j+1] {
						t.Errorf("%s: %s = %q, want %q", rec[0], c, got, rec[j+1])
					}
				}
			}
		})
	}
}

func readCSV(t *testing.T, p string) [][]string {
	t.Helper()
	fh, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	recs, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return recs
}

func TestWriteCSV(t *testing.T) {
	data := filepath.Join(testenv.SharedData(t), "ivadomed-data-testing")
	p := LoaderParams{PathData: Paths{filepath.Join(data, "ct_scan")}, TargetSuffix: TargetSuffix{{"_seg-manual"}},
		ContrastParams: ContrastParams{ContrastLst: []string{"ct"}}}
	ds, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Select(ds, p, SelectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := f.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	got, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := readCSV(t, filepath.Join(data, "ct_scan", "df_ref.csv"))
	// Same table once the path column is dropped; ivadomed's columns
	// come in the same order here (one dataset, no clashes).
	for i := range got {
		got[i] = got[i][1:]
	}
	// ivadomed's test sorts the rows by file name before comparing.
	slices.SortFunc(got[1:], func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d", len(got), len(want))
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("line %d:\n got %q\nwant %q", i, got[i], want[i])
		}
	}
}

// TestSelectTricky checks the merges on testdata/tricky/A: sessions.tsv
// by subject and session (its acq_time renamed acq_time_x, as pandas does,
// because the scans tables also have one), participants.tsv with a short
// row, sidecar inheritance, and a quoted cell.
func TestSelectTricky(t *testing.T) {
	f := selectTricky(t, SelectOptions{})
	if len(f.Rows) != 8 {
		t.Fatalf("%d rows, want 4 images and 4 labels", len(f.Rows))
	}
	want := map[string]map[string]string{
		"sub-01_ses-pre_acq-ax_run-1_T2w.nii.gz":  {"acq_time_x": "2020-01-01", "acq_time": "", "age": "30", "group": "a\tb", "EchoTime": "0.09", "session": "pre", "acquisition": "ax", "run": "1", "participant_id": "sub-01"},
		"sub-02_ses-post_acq-ax_run-1_T2w.nii.gz": {"acq_time_x": "2020-06-01", "age": "", "group": "", "datatype": "anat", "subject": "02"},
	}
	for _, r := range f.Rows {
		for col, w := range want[r.Filename] {
			if got, _ := r.Get(col); got != w {
				t.Errorf("%s: %s = %q, want %q", r.Filename, col, got, w)
			}
		}
	}
}

// TestSelectDropsMissingSplitValue checks split_method's selection on
// testdata/tricky/A, as ivadomed's BidsDataframe does it: sub-02's
// participants.tsv row leaves age empty and has no group cell, so its
// images are left out with a warning that names them, and their labels go
// with them; sub-01's stay.
func TestSelectDropsMissingSplitValue(t *testing.T) {
	for _, col := range []string{"age", "group"} {
		f := selectTricky(t, SelectOptions{SplitMethod: col})
		if len(f.Rows) != 4 {
			t.Errorf("split_method %s: %d rows, want sub-01's 2 images and 2 labels", col, len(f.Rows))
		}
		for _, r := range f.Rows {
			if !strings.HasPrefix(r.Filename, "sub-01_") {
				t.Errorf("split_method %s: %s kept", col, r.Filename)
			}
		}
		want := `no "` + col + `" value (split_method) for sub-02_ses-post_acq-ax_run-1_T2w.nii.gz, sub-02_ses-pre_acq-ax_run-1_T2w.nii.gz; left out`
		if !slices.Contains(f.Warnings, want) {
			t.Errorf("split_method %s: warnings %q, want %q", col, f.Warnings, want)
		}
	}
}

// selectTricky selects the T2w images of testdata/tricky/A and their
// _seg-manual labels with o.
func selectTricky(t *testing.T, o SelectOptions) *Frame {
	t.Helper()
	p := LoaderParams{PathData: Paths{filepath.Join("testdata", "tricky", "A")}, TargetSuffix: TargetSuffix{{"_seg-manual"}},
		ContrastParams: ContrastParams{TrainingValidation: []string{"T2w"}}}
	ds, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Select(ds, p, o)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
