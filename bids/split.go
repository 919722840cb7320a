package bids

import (
	"fmt"
	"slices"
	"strings"
)

// Split lists the file names (not paths) of the raw images of each set.
// Its JSON form is the split file (see SplitFile).
type Split struct {
	Train []string `json:"train"`
	Valid []string `json:"valid"`
	Test  []string `json:"test"`
}

// SplitFile is the name of a run's split in its output folder (ivadomed
// writes split_datasets.joblib). Split files are read and written by
// pipeline/config (ReadSplit, WriteSplit), whose strict reader gives
// each error with its line and column; Frame.Resolve maps what it reads
// onto a frame.
const SplitFile = "split_datasets.json"

// SelectSubjects applies subject_selection to the frame: for each
// (metadata, value, n) it draws n participants among those whose metadata
// column equals value, with CPython's random.sample seeded with seed, as
// ivadomed does. It keeps the raw rows of the drawn participants (in the
// order drawn) and the labels of those rows. An empty selection keeps the
// frame as it is.
func (f *Frame) SelectSubjects(s SubjectSelection, seed int64) error {
	if len(s.N) != len(s.Metadata) || len(s.N) != len(s.Value) {
		return fmt.Errorf("bids: subject_selection: n, metadata and value must have the same length (got %d, %d, %d)", len(s.N), len(s.Metadata), len(s.Value))
	}
	if len(s.N) == 0 {
		return nil
	}
	rng := newPyRandom(seed)
	var rows []*Row
	for i := range s.N {
		var ids []string
		seen := map[string]bool{}
		for _, r := range f.Rows {
			if v, ok := r.Get(s.Metadata[i]); ok && v == s.Value[i] {
				if id, ok := r.Get("participant_id"); ok && !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
		}
		picked, err := rng.sample(ids, s.N[i])
		if err != nil {
			return fmt.Errorf("bids: subject_selection: %s = %q: %v", s.Metadata[i], s.Value[i], err)
		}
		for _, id := range picked {
			for _, r := range f.Rows {
				if v, ok := r.Get("participant_id"); ok && v == id {
					rows = append(rows, r)
				}
			}
		}
	}
	keep := map[*Image]bool{}
	for _, r := range rows {
		for _, l := range r.Image.Labels {
			if li := r.Dataset.Image(l.Path); li != nil {
				keep[li] = true
			}
		}
	}
	for _, r := range f.Rows {
		if r.Derivative && keep[r.Image] {
			rows = append(rows, r)
		}
	}
	f.Rows = rows
	f.derivs = nil
	return nil
}

// Split draws the train, validation and test sets as ivadomed's
// split_dataset does (loader/utils.py), with the same generator, so a seed
// gives ivadomed's sets:
//
//   - the unit is a value of the split_method column (participant_id by
//     default, sample_id for microscopy); rows without one are dropped;
//   - the test set is every row whose data_testing.data_type column (the
//     split_method when null) holds one of data_value; with no data_value
//     and test_fraction > 0, max(test_fraction, 1/#values) of the sorted
//     values are drawn with train_test_split;
//   - train_test_split then splits the remaining units with train_fraction
//     rescaled to them (train_fraction × #all / #remaining);
//   - with balance set, this is done per category of that column and the
//     parts concatenated.
//
// Lists keep the frame's row order (ivadomed's come out of a Python set,
// in no fixed order). Fractions that leave a set empty are errors, as in
// ivadomed.
func (f *Frame) Split(p SplitParams) (Split, error) {
	p.Normalize()
	var raw []*Row
	for _, r := range f.Rows {
		if !r.Derivative {
			raw = append(raw, r)
		}
	}
	parts := [][]*Row{raw}
	if p.Balance != nil && *p.Balance != "" {
		if !f.hasColumn(*p.Balance) {
			f.warn("split_dataset.balance: no column %q; split not balanced", *p.Balance)
		} else {
			parts = nil
			idx := map[string]int{}
			for _, r := range raw {
				v, ok := r.Get(*p.Balance)
				if !ok {
					continue
				}
				if _, seen := idx[v]; !seen {
					idx[v] = len(parts)
					parts = append(parts, nil)
				}
				parts[idx[v]] = append(parts[idx[v]], r)
			}
		}
	}
	var out Split
	for _, rows := range parts {
		s, err := f.splitRows(rows, p)
		if err != nil {
			return Split{}, err
		}
		out.Train = append(out.Train, s.Train...)
		out.Valid = append(out.Valid, s.Valid...)
		out.Test = append(out.Test, s.Test...)
	}
	return out, nil
}

func (f *Frame) hasColumn(c string) bool { return slices.Contains(f.Columns, c) }

func (f *Frame) splitRows(rows []*Row, p SplitParams) (Split, error) {
	method := p.SplitMethod
	if !f.hasColumn(method) {
		return Split{}, fmt.Errorf("bids: split_dataset.split_method: no column %q in the dataset's metadata (have %s)", method, strings.Join(f.Columns, ", "))
	}
	dataType := method
	if p.DataTesting.DataType != nil && *p.DataTesting.DataType != "" {
		dataType = *p.DataTesting.DataType
		if !f.hasColumn(dataType) {
			f.warn("split_dataset.data_testing.data_type: no column %q; using %q", dataType, method)
			dataType = method
		}
	}
	var kept []*Row
	for _, r := range rows {
		if _, ok := r.Get(method); ok {
			kept = append(kept, r)
		}
	}
	if len(kept) == 0 {
		return Split{}, fmt.Errorf("bids: split_dataset: no image has a %q value", method)
	}
	testValues := map[string]bool{}
	for _, v := range p.DataTesting.DataValue {
		testValues[v] = true
	}
	if len(p.DataTesting.DataValue) == 0 && p.TestFraction != 0 {
		var values []string
		seen := map[string]bool{}
		for _, r := range kept {
			if v, ok := r.Get(dataType); ok && !seen[v] {
				seen[v] = true
				values = append(values, v)
			}
		}
		slices.Sort(values)
		// The test set takes at least one value; when it is drawn by the
		// split's own column, training and validation need one each too.
		need, sets := 2, "the test set and the others"
		if dataType == method {
			need, sets = 3, "the training, validation and test sets"
		}
		if len(values) < need {
			return Split{}, fmt.Errorf("bids: split_dataset: %d %s value(s) (%s): a drawn split needs at least %d, one each for %s; "+
				"list the files or subjects of each set in split_dataset.fname_split (a JSON file {\"train\": [...], \"valid\": [...], \"test\": [...]}, where one may stand in several sets)",
				len(values), dataType, strings.Join(values, ", "), need, sets)
		}
		frac := p.TestFraction
		if min := 1 / float64(len(values)); frac < min {
			frac = min
		}
		test, _, err := trainTestSplit(values, frac, p.RandomSeed)
		if err != nil {
			return Split{}, fmt.Errorf("bids: split_dataset: drawing the test set from %d %s values with test_fraction %v: %v", len(values), dataType, p.TestFraction, err)
		}
		for _, v := range test {
			testValues[v] = true
		}
	}
	var s Split
	var remain []string
	seenRemain, seenAll := map[string]bool{}, map[string]bool{}
	testFiles := map[string]bool{}
	for _, r := range kept {
		m, _ := r.Get(method)
		seenAll[m] = true
		if v, _ := r.Get(dataType); testValues[v] {
			if !testFiles[r.Filename] {
				testFiles[r.Filename] = true
				s.Test = append(s.Test, r.Filename)
			}
		} else if !seenRemain[m] {
			seenRemain[m] = true
			remain = append(remain, m)
		}
	}
	if len(remain) == 0 {
		return Split{}, fmt.Errorf("bids: split_dataset: every %s is in the test set; none is left for training and validation", method)
	}
	frac := p.TrainFraction * float64(len(seenAll)) / float64(len(remain))
	if frac > 1-1/float64(len(remain)) && len(remain) < 2 || frac > 1 {
		return Split{}, fmt.Errorf("bids: split_dataset: %d/%d %s remaining for training and validation sets, train_fraction %v is too large, validation set would be empty", len(remain), len(seenAll), method, p.TrainFraction)
	}
	train, valid, err := trainTestSplit(remain, frac, p.RandomSeed)
	if err != nil {
		return Split{}, fmt.Errorf("bids: split_dataset: splitting %d %s values with train_fraction %v: %v", len(remain), method, p.TrainFraction, err)
	}
	inTrain, inValid := toSet(train), toSet(valid)
	seenFile := map[string]bool{}
	for _, r := range kept {
		m, _ := r.Get(method)
		if testFiles[r.Filename] || seenFile[r.Filename] {
			continue
		}
		switch {
		case inTrain[m]:
			s.Train = append(s.Train, r.Filename)
			seenFile[r.Filename] = true
		case inValid[m]:
			s.Valid = append(s.Valid, r.Filename)
			seenFile[r.Filename] = true
		}
	}
	return s, nil
}

func toSet(l []string) map[string]bool {
	m := make(map[string]bool, len(l))
	for _, v := range l {
		m[v] = true
	}
	return m
}

// Resolve maps a split read from a file onto the frame: ivadomed's old
// split files list participant_ids instead of file names; when no train
// entry is a file name of the frame, each list is replaced by the sorted
// file names of the rows of those participants. Names not in the frame
// are reported in the error.
func (f *Frame) Resolve(s Split) (Split, error) {
	names := map[string]bool{}
	for _, r := range f.Rows {
		if !r.Derivative {
			names[r.Filename] = true
		}
	}
	byFile := slices.ContainsFunc(s.Train, func(n string) bool { return names[n] })
	if !byFile && len(s.Train) > 0 {
		ids := map[string]bool{}
		for _, r := range f.Rows {
			if id, ok := r.Get("participant_id"); ok && !r.Derivative {
				ids[id] = true
			}
		}
		var unknown []string
		for _, l := range [][]string{s.Train, s.Valid, s.Test} {
			for _, n := range l {
				if !ids[n] && !slices.Contains(unknown, n) {
					unknown = append(unknown, n)
				}
			}
		}
		if len(unknown) > 0 {
			f.warn("split lists %d entries that are neither selected images nor participant_id values: %s; left out", len(unknown), strings.Join(unknown, ", "))
		}
		conv := func(ids []string) []string {
			set := toSet(ids)
			var out []string
			for _, r := range f.Rows {
				if id, ok := r.Get("participant_id"); ok && set[id] && !r.Derivative {
					out = append(out, r.Filename)
				}
			}
			slices.Sort(out)
			return out
		}
		in := s
		s = Split{conv(s.Train), conv(s.Valid), conv(s.Test)}
		for i, l := range [][]string{s.Train, s.Valid, s.Test} {
			if given := [][]string{in.Train, in.Valid, in.Test}[i]; len(l) == 0 && len(given) > 0 {
				return s, fmt.Errorf("bids: the split's %s set (%s) names no selected image, by file name or participant_id (check the contrasts and extensions the config selects)",
					[]string{"train", "valid", "test"}[i], strings.Join(given, ", "))
			}
		}
	}
	var unknown []string
	for _, l := range [][]string{s.Train, s.Valid, s.Test} {
		for _, n := range l {
			if !names[n] {
				unknown = append(unknown, n)
			}
		}
	}
	if len(unknown) > 0 {
		return s, fmt.Errorf("bids: split lists %d files not among the selected images: %s", len(unknown), strings.Join(unknown, ", "))
	}
	return s, nil
}
