package bids

import (
	"encoding/json"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// frameOf builds a frame from rows of text values; "filename" names the row.
func frameOf(rows []map[string]string) *Frame {
	f := &Frame{}
	cols := newColumns()
	for _, m := range rows {
		r := &Row{Filename: m["filename"], Image: &Image{}, Values: map[string]any{}}
		for _, k := range sortedKeys(m) {
			if k != "filename" {
				r.Values[k] = m[k]
				cols.add(k)
			}
		}
		f.Rows = append(f.Rows, r)
	}
	f.Columns = append([]string{"path", "filename"}, cols.list...)
	return f
}

// TestSplitIvadomed compares Split with the sets ivadomed's split_dataset
// draws (testdata/make_split.py) for the cases of ivadomed's
// test_split_dataset.py and for microscopy samples, and checks the
// properties that test asserts.
func TestSplitIvadomed(t *testing.T) {
	b, err := os.ReadFile("testdata/split.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Tables map[string][]map[string]string
		Cases  []struct {
			Name   string
			Table  string
			Params json.RawMessage
			Split  Split
		}
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	for _, c := range ref.Cases {
		t.Run(c.Name, func(t *testing.T) {
			p := DefaultSplitParams()
			if err := json.Unmarshal(c.Params, &p); err != nil {
				t.Fatal(err)
			}
			f := frameOf(ref.Tables[c.Table])
			got, err := f.Split(p)
			if err != nil {
				t.Fatal(err)
			}
			for _, set := range []struct {
				name      string
				got, want []string
			}{{"train", got.Train, c.Split.Train}, {"valid", got.Valid, c.Split.Valid}, {"test", got.Test, c.Split.Test}} {
				g := slices.Sorted(slices.Values(set.got))
				w := slices.Sorted(slices.Values(set.want))
				if !slices.Equal(g, w) {
					t.Errorf("%s: got %d %v\nwant %d %v", set.name, len(g), g, len(w), w)
				}
			}
			all := slices.Concat(got.Train, got.Valid, got.Test)
			slices.Sort(all)
			if len(slices.Compact(all)) != len(got.Train)+len(got.Valid)+len(got.Test) {
				t.Errorf("a file is in two sets")
			}
		})
	}
}

func TestSplitProperties(t *testing.T) {
	const n = 200
	var rows []map[string]string
	for i := range n {
		id := "sub-00" + itoa(i)
		rows = append(rows, map[string]string{"filename": id, "participant_id": id, "disability": itoa(i % 3), "institution_id": itoa(i % 5)})
	}
	center := map[string]string{}
	for _, r := range rows {
		center[r["filename"]] = r["institution_id"]
	}
	it := "institution_id"
	p := DefaultSplitParams()
	p.DataTesting = DataTesting{DataType: &it, DataValue: Strings{"0"}}
	s, err := frameOf(rows).Split(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Train) != int(math.Round(0.6*n)) {
		t.Errorf("train %d, want %d", len(s.Train), int(math.Round(0.6*n)))
	}
	for _, f := range s.Test {
		if center[f] != "0" {
			t.Errorf("test file %s from centre %s", f, center[f])
		}
	}
	// Same seed, same split; another seed, another split.
	again, _ := frameOf(rows).Split(p)
	if !slices.Equal(again.Train, s.Train) {
		t.Error("split not deterministic for a seed")
	}
	p.RandomSeed = 7
	other, _ := frameOf(rows).Split(p)
	if slices.Equal(other.Train, s.Train) {
		t.Error("seed has no effect")
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestSplitErrors(t *testing.T) {
	one := frameOf([]map[string]string{{"filename": "a", "participant_id": "sub-1"}})
	two := frameOf([]map[string]string{{"filename": "a", "participant_id": "sub-1"}, {"filename": "b", "participant_id": "sub-2"}})
	siteOne := frameOf([]map[string]string{{"filename": "a", "participant_id": "sub-1", "site": "x"}, {"filename": "b", "participant_id": "sub-2", "site": "x"},
		{"filename": "c", "participant_id": "sub-3", "site": "x"}})
	tests := []struct {
		name string
		f    *Frame
		p    func(*SplitParams)
		want string
	}{
		{"one participant", one, func(*SplitParams) {}, "1 participant_id value(s) (sub-1): a drawn split needs at least 3, one each for the training, validation and test sets; list the files or subjects of each set in split_dataset.fname_split"},
		{"two participants", two, func(*SplitParams) {}, "2 participant_id value(s) (sub-1, sub-2): a drawn split needs at least 3"},
		{"test set by one site", siteOne, func(p *SplitParams) { site := "site"; p.DataTesting.DataType = &site }, "1 site value(s) (x): a drawn split needs at least 2, one each for the test set and the others"},
		{"no column", two, func(p *SplitParams) { p.SplitMethod = "sample_id" }, `no column "sample_id"`},
		{"train too large", two, func(p *SplitParams) { p.TestFraction = 0; p.TrainFraction = 1 }, "train_fraction"},
	}
	for _, tt := range tests {
		p := DefaultSplitParams()
		tt.p(&p)
		_, err := tt.f.Split(p)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err %v, want it to mention %q", tt.name, err, tt.want)
		}
	}
}

func TestResolveParticipantSplit(t *testing.T) {
	f := frameOf([]map[string]string{
		{"filename": "sub-1_T1w.nii.gz", "participant_id": "sub-1"},
		{"filename": "sub-1_T2w.nii.gz", "participant_id": "sub-1"},
		{"filename": "sub-2_T1w.nii.gz", "participant_id": "sub-2"},
	})
	s, err := f.Resolve(Split{Train: []string{"sub-1"}, Test: []string{"sub-2"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Train, []string{"sub-1_T1w.nii.gz", "sub-1_T2w.nii.gz"}) || !slices.Equal(s.Test, []string{"sub-2_T1w.nii.gz"}) {
		t.Errorf("%+v", s)
	}
	if _, err := f.Resolve(Split{Train: []string{"sub-1_T1w.nii.gz", "nope.nii.gz"}}); err == nil || !strings.Contains(err.Error(), "nope.nii.gz") {
		t.Errorf("unknown file: %v", err)
	}
	// A participant without a selected image is left out with a warning;
	// a set that names nothing selected, such as a file of a contrast the
	// config does not select, is an error that names the set.
	s, err = f.Resolve(Split{Train: []string{"sub-1", "sub-9"}, Test: []string{"sub-2"}})
	if err != nil || !slices.Equal(s.Train, []string{"sub-1_T1w.nii.gz", "sub-1_T2w.nii.gz"}) {
		t.Errorf("a participant without images: %+v, %v", s, err)
	}
	if w := f.Warnings; len(w) != 1 || !strings.Contains(w[0], "sub-9") {
		t.Errorf("warnings %q, want one naming sub-9", w)
	}
	_, err = f.Resolve(Split{Train: []string{"sub-1_T2star.nii.gz"}, Valid: []string{"sub-1_T2star.nii.gz"}})
	if err == nil || !strings.Contains(err.Error(), "the split's train set (sub-1_T2star.nii.gz) names no selected image") {
		t.Errorf("a split of another contrast's files: %v", err)
	}
}

// TestSelectThenSplit runs subject_selection and then the split, as
// pipeline does for a run with no fname_split: the split covers exactly
// the drawn participants, and a split read back from a file (by
// pipeline/config.ReadSplit) maps onto the same files.
func TestSelectThenSplit(t *testing.T) {
	var rows []map[string]string
	for i := range 20 {
		id := "sub-" + itoa(i)
		sex := "F"
		if i%2 == 1 {
			sex = "M"
		}
		rows = append(rows, map[string]string{"filename": id + "_T2w.nii.gz", "participant_id": id, "sex": sex})
	}
	f := frameOf(rows)
	sp := DefaultSplitParams()
	sel := SubjectSelection{N: []int{5, 3}, Metadata: []string{"sex", "sex"}, Value: Strings{"F", "M"}}
	if err := f.SelectSubjects(sel, sp.RandomSeed); err != nil {
		t.Fatal(err)
	}
	s, err := f.Split(sp)
	if err != nil {
		t.Fatal(err)
	}
	all := slices.Concat(s.Train, s.Valid, s.Test)
	if len(all) != 8 {
		t.Fatalf("split %d files, want the 8 selected", len(all))
	}
	nf := 0
	for _, name := range all {
		n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(name, "sub-"), "_T2w.nii.gz"))
		if n%2 == 0 {
			nf++
		}
	}
	if nf != 5 {
		t.Errorf("%d F participants, want 5", nf)
	}
	// What a split file holds (file names) resolves to itself.
	again, err := f.Resolve(s)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(again.Train, s.Train) || !slices.Equal(again.Valid, s.Valid) || !slices.Equal(again.Test, s.Test) {
		t.Errorf("resolved split %+v, want %+v", again, s)
	}
	g := frameOf(rows)
	bad := SubjectSelection{N: []int{50}, Metadata: []string{"sex"}, Value: Strings{"F"}}
	if err := g.SelectSubjects(bad, sp.RandomSeed); err == nil || !strings.Contains(err.Error(), "sex") {
		t.Errorf("oversized selection: %v", err)
	}
}
