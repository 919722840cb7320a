package bids

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeTree creates files (path → content) under dir.
func writeTree(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTolerance indexes a dataset that bends the specification in the ways
// real ones do: it loads, each problem is a warning naming its file, and
// selection leaves out only what cannot be used.
func TestTolerance(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"dataset_description.json":                                    `{"Name": "bent", "BIDSVersion": "1.9.0"}`,
		"participants.tsv":                                            "participant_id\tage\nsub-01\t30\n\t40\nsub-02\t50\textra\n",
		"T2w.json":                                                    `{"EchoTime": 0.1, "Manufacturer": "GE"}`,
		"sub-01/anat/sub-01_T2w.nii.gz":                               "x",
		"sub-01/anat/sub-01_T2w.json":                                 `{"EchoTime": 0.09}`,
		"sub-01/anat/sub-01_T1w.nii.gz":                               "x",
		"sub-01/anat/sub-01_T1w.json":                                 `{not json`,
		"sub-02/anat/sub-02_T2w.nii.gz":                               "x",
		"sub-02/anat/sub-03_T2w.nii.gz":                               "x", // filed under the wrong subject
		"sub-03/anat/T2w.nii.gz":                                      "x", // no sub- entity
		"sub-04/ses-01/anat/sub-04_T2w.nii.gz":                        "x", // no ses entity
		"sub-04/anat/sub-04_T2w_mask-x.nii.gz":                        "x", // no suffix
		"sub-04/anat/sub-04_T2w_mask-x.json":                          `{"Note": "own sidecar"}`,
		"derivatives/labels/sub-01/anat/sub-01_T2w_seg-manual.nii.gz": "x",
		"derivatives/labels/sub-01/anat/sub-02_T2w_seg-manual.nii.gz": "x", // another subject's folder
		"derivatives/labels/sub-01/anat/sub-09_T2w_seg-manual.nii.gz": "x", // no image
	})
	d, err := Index(dir)
	if err != nil {
		t.Fatal(err)
	}
	warned := func(file, substr string) bool {
		for _, w := range d.Warnings {
			if strings.Contains(w.File, file) && strings.Contains(w.Msg, substr) {
				return true
			}
		}
		return false
	}
	for _, c := range []struct{ file, msg string }{
		{"participants.tsv", "no participant_id"},
		{"participants.tsv", "3 cells, header has 2"},
		{"participants.tsv", "sub-03 has a folder but no row"},
		{"sub-02/anat/sub-03_T2w.nii.gz", "filed under sub-02"},
		{"sub-03/anat/T2w.nii.gz", "does not start with sub-"},
		{"sub-04/ses-01/anat/sub-04_T2w.nii.gz", "ses"},
		{"derivatives/labels/sub-01/anat/sub-02_T2w_seg-manual.nii.gz", "filed in sub-01"},
		{"derivatives/labels", "sub-09_T2w_seg-manual.nii.gz"},
	} {
		if !warned(c.file, c.msg) {
			t.Errorf("no warning on %s saying %q; got %v", c.file, c.msg, d.Warnings)
		}
	}
	// Sidecar inheritance: the dataset-level T2w.json, then the image's own.
	meta := d.Metadata(d.Image("sub-01/anat/sub-01_T2w.nii.gz"))
	if FormatValue(meta["EchoTime"]) != "0.09" || meta["Manufacturer"] != "GE" {
		t.Errorf("inherited metadata %v", meta)
	}
	// A name without suffix still has its same-stem sidecar.
	if im := d.Image("sub-04/anat/sub-04_T2w_mask-x.nii.gz"); im == nil || im.Sidecar == "" || d.Metadata(im)["Note"] != "own sidecar" {
		t.Errorf("no-suffix image: %+v", im)
	}
	if !warned("sub-04_T2w_mask-x.nii.gz", "no suffix") {
		t.Errorf("no-suffix image not reported: %v", d.Warnings)
	}
	// An unreadable sidecar is a warning, not an error.
	d.Metadata(d.Image("sub-01/anat/sub-01_T1w.nii.gz"))
	d.preload(d.Images)
	n := 0
	for _, w := range d.Warnings {
		if strings.Contains(w.File, "sub-01_T1w.json") && strings.Contains(w.Msg, "JSON") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d warnings on the broken sidecar, want 1: %v", n, d.Warnings)
	}
	// The label in sub-01's folder is still sub-02's.
	if l := d.Image("sub-02/anat/sub-02_T2w.nii.gz").Labels; len(l) != 1 || l[0].InSubjectFolder {
		t.Errorf("sub-02 labels %+v", l)
	}

	no, yes := false, true
	for _, c := range []struct {
		validate *bool
		want     []string
	}{
		{nil, []string{"sub-01_T2w.nii.gz", "sub-02_T2w.nii.gz"}},
		{&no, []string{"sub-01_T2w.nii.gz", "sub-02_T2w.nii.gz"}},
		{&yes, []string{"sub-01_T2w.nii.gz", "sub-02_T2w.nii.gz"}},
	} {
		p := LoaderParams{PathData: Paths{dir}, TargetSuffix: TargetSuffix{{"_seg-manual"}},
			ContrastParams: ContrastParams{TrainingValidation: []string{"T2w"}}, BidsValidate: c.validate}
		f, err := Select([]*Dataset{d}, p, SelectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var raw []string
		for _, r := range f.Rows {
			if !r.Derivative {
				raw = append(raw, r.Filename)
			}
		}
		if !slices.Equal(raw, c.want) {
			t.Errorf("validate %v: images %q, want %q", c.validate, raw, c.want)
		}
		joined := strings.Join(f.Warnings, "\n")
		if c.validate == &no {
			if !strings.Contains(joined, "kept although") {
				t.Errorf("validate false: warnings %s", joined)
			}
		} else if !strings.Contains(joined, "left out (bids_validate)") {
			t.Errorf("validate: warnings %s", joined)
		}
		if c.validate == &no && !strings.Contains(joined, "no label with suffix") {
			t.Errorf("images without labels not reported: %s", joined)
		}
	}
	// No image with the requested label at all is an error that says so.
	p := LoaderParams{PathData: Paths{dir}, TargetSuffix: TargetSuffix{{"_lesion-manual"}}}
	if _, err := Select([]*Dataset{d}, p, SelectOptions{}); err == nil || !strings.Contains(err.Error(), "_lesion-manual") {
		t.Errorf("no label: %v", err)
	}
	// A missing dataset is an error naming it.
	if _, err := Index(filepath.Join(dir, "nope")); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("missing dir: %v", err)
	}
}
