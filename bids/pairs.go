package bids

import (
	"fmt"
	"slices"
	"strings"
)

// Pair is one sample of the training set: its input images and labels.
type Pair struct {
	// Inputs holds one raw image, or one per contrast (in contrast order)
	// with multichannel.
	Inputs []*Row
	// Targets holds, per class of target_suffix, the paths of its labels:
	// at most one for a single-rater class ("" when missing), one per rater
	// found for a multi-rater class.
	Targets [][]string
	// ROI is the path of the region-of-interest mask, or "".
	ROI string
}

// Pairs makes the samples of a set of files (the names in a Split list)
// as ivadomed's BidsDataset does: files in sorted order; with
// contrast_params.balance, only the first fraction of each contrast's
// files; each file with the labels of every class (and rater) found
// among its labels in the frame; files without any target label, or
// without the ROI label when roi_params.suffix is set, are left out and
// reported in f.Warnings. With multichannel, the files of a subject
// (sub-<label>, the first '_' token of the name) become the channels of
// one sample in the order of the contrasts, subjects missing a contrast
// are left out, and the labels are those of the subject's last file (in
// sorted order), as in ivadomed.
func (f *Frame) Pairs(files []string, testing bool) ([]Pair, error) {
	p := f.params
	byName := map[string]*Row{}
	for _, r := range f.Rows {
		if !r.Derivative {
			byName[r.Filename] = r
		}
	}
	files = slices.Sorted(slices.Values(files))
	balance := p.ContrastParams.Balance
	total := map[string]int{}
	for _, name := range files {
		if r := byName[name]; r != nil {
			total[r.Image.Suffix]++
		}
	}
	count := map[string]int{}
	roi := ""
	if p.RoiParams.Suffix != nil {
		roi = *p.RoiParams.Suffix
	}
	contrasts := p.ContrastParams.List(testing)
	type channels struct {
		inputs  []*Row
		targets [][]string
		roi     string
	}
	subjects := map[string]*channels{}
	var order []string
	var out []Pair
	for _, name := range files {
		r := byName[name]
		if r == nil {
			return nil, fmt.Errorf("bids: %s is not among the selected images", name)
		}
		contrast := r.Image.Suffix
		if frac, ok := balance[contrast]; ok {
			count[contrast]++
			if float64(count[contrast])/float64(total[contrast]) > frac {
				continue
			}
		}
		targets := make([][]string, len(p.TargetSuffix))
		multi := p.TargetSuffix.MultiRater()
		if !multi {
			for i := range targets {
				targets[i] = []string{""}
			}
		}
		roiPath := ""
		found := false
		var labels []*Image
		for _, l := range r.Image.Labels {
			if li := r.Dataset.Image(l.Path); li != nil && f.hasDerivative(li) {
				labels = append(labels, li)
			}
		}
		// Raters in the order of their suffixes (ivadomed lists them in
		// file order; the rater drawn per iteration is random either way).
		for i, class := range p.TargetSuffix {
			for _, s := range class {
				for _, li := range labels {
					if !strings.HasSuffix(li.Stem, s) {
						continue
					}
					abs := r.Dataset.Abs(li.Path)
					if multi {
						targets[i] = append(targets[i], abs)
					} else {
						targets[i][0] = abs
					}
					found = true
				}
			}
		}
		for _, li := range labels {
			if roi != "" && strings.HasSuffix(li.Stem, roi) {
				roiPath = r.Dataset.Abs(li.Path)
			}
		}
		if !found {
			f.warn("%s: no label with suffix %q; left out of the set", r.Path, p.TargetSuffix.Flat())
			continue
		}
		if roi != "" && roiPath == "" {
			f.warn("%s: no ROI label %q; left out of the set", r.Path, roi)
			continue
		}
		if !p.Multichannel {
			out = append(out, Pair{Inputs: []*Row{r}, Targets: targets, ROI: roiPath})
			continue
		}
		idx := slices.Index(contrasts, contrast)
		if idx < 0 {
			return nil, fmt.Errorf("bids: multichannel: %s has contrast %q, not one of contrast_params %q", r.Path, contrast, contrasts)
		}
		subj, _, _ := strings.Cut(strings.SplitN(name, ".", 2)[0], "_")
		ch := subjects[subj]
		if ch == nil {
			ch = &channels{inputs: make([]*Row, len(contrasts))}
			subjects[subj] = ch
			order = append(order, subj)
		}
		ch.inputs[idx] = r
		ch.targets = targets
		if roiPath != "" {
			ch.roi = roiPath
		}
	}
	slices.Sort(order)
	for _, s := range order {
		ch := subjects[s]
		if slices.Contains(ch.inputs, nil) {
			var missing []string
			for i, in := range ch.inputs {
				if in == nil {
					missing = append(missing, contrasts[i])
				}
			}
			f.warn("%s: no %s image; left out of the multichannel set", s, strings.Join(missing, ", "))
			continue
		}
		out = append(out, Pair{Inputs: ch.inputs, Targets: ch.targets, ROI: ch.roi})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("bids: no sample left: check contrast_params, target_suffix and roi_params")
	}
	return out, nil
}

func (f *Frame) hasDerivative(im *Image) bool {
	if f.derivs == nil {
		f.derivs = map[*Image]bool{}
		for _, r := range f.Rows {
			if r.Derivative {
				f.derivs[r.Image] = true
			}
		}
	}
	return f.derivs[im]
}
