package phantom

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/bids"
	"github.com/ivadogo/ivadogo/pipeline/config"
)

// TestShippedQuickstartConfig checks that testdata/quickstart.json is the
// embedded config, and that it parses without a notice (no legacy or
// misspelt keys) into the small 2D U-Net the quickstart promises.
func TestShippedQuickstartConfig(t *testing.T) {
	shipped, err := os.ReadFile(filepath.Join("..", "..", "testdata", "quickstart.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(shipped, quickstartJSON) {
		t.Fatal("testdata/quickstart.json differs from pipeline/phantom/quickstart.json; keep them identical")
	}
	c, err := config.Parse(shipped)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Notices) != 0 {
		t.Errorf("quickstart config has legacy keys: %q", c.Notices)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	m, film, err := c.ModelParams()
	if err != nil || film || m.Name != "Unet" || !m.Is2D || m.Depth != 2 || m.NFilters != 16 {
		t.Errorf("model = %+v, film %v, err %v", m, film, err)
	}
	def := Options{}.withDefaults()
	if !slices.Equal(c.Loader.ContrastParams.TrainingValidation, def.Contrasts) || !slices.Equal(c.Loader.TargetSuffix.All(), []string{LabelSuffix}) {
		t.Errorf("contrasts %q, target_suffix %q do not match the phantom", c.Loader.ContrastParams.TrainingValidation, c.Loader.TargetSuffix.All())
	}
	// 2D slices of the phantom must fit the U-Net: each of the depth
	// poolings halves the in-plane size.
	for _, n := range def.Size[:2] {
		if n%(1<<m.Depth) != 0 {
			t.Errorf("phantom size %v is not divisible by 2^depth", def.Size)
		}
	}
}

func TestQuickstart(t *testing.T) {
	dir := t.TempDir()
	data, out := filepath.Join(dir, "phantom"), filepath.Join(dir, "out")
	c, err := Quickstart(data, out)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Loader.PathData, config.Strings{data}) || c.PathOutput != out || c.Command != "train" {
		t.Errorf("path_data %q path_output %q command %q", c.Loader.PathData, c.PathOutput, c.Command)
	}
	if _, err := os.Stat(filepath.Join(data, "derivatives", "labels", "sub-06", "anat", "sub-06_T2star_seg-manual.nii.gz")); err != nil {
		t.Errorf("phantom not written: %v", err)
	}
	// Empty folders mean the config's own, under the working directory.
	t.Chdir(dir)
	c, err = Quickstart("", "")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Loader.PathData, config.Strings{"ivadogo_quickstart/phantom"}) || c.PathOutput != "ivadogo_quickstart/output" {
		t.Errorf("default folders: path_data %q path_output %q", c.Loader.PathData, c.PathOutput)
	}
	if _, err := os.Stat(filepath.Join(dir, "ivadogo_quickstart", "phantom", "participants.tsv")); err != nil {
		t.Errorf("phantom not written in the default folder: %v", err)
	}
}

// TestQuickstartSelectsPhantom runs the quickstart config's loader and
// split sections, as the config package marshals them, through the bids
// package that the pipeline loads data with: every phantom image is
// selected with its label, and the split is ivadomed's 3/2/1 of six
// subjects (scikit-learn rounds the test share 0.2·6 down to 1).
func TestQuickstartSelectsPhantom(t *testing.T) {
	dir := t.TempDir()
	c, err := Quickstart(filepath.Join(dir, "phantom"), filepath.Join(dir, "out"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(c.Loader)
	if err != nil {
		t.Fatal(err)
	}
	var lp bids.LoaderParams
	if err := json.Unmarshal(raw, &lp); err != nil {
		t.Fatalf("bids cannot read the marshalled loader_parameters: %v\n%s", err, raw)
	}
	ds, err := bids.Open(lp)
	if err != nil {
		t.Fatal(err)
	}
	frame, err := bids.Select(ds, lp, bids.SelectOptions{SplitMethod: c.Split.SplitMethod})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ = json.Marshal(c.Split)
	sp := bids.DefaultSplitParams()
	if err := json.Unmarshal(raw, &sp); err != nil {
		t.Fatalf("bids cannot read the marshalled split_dataset: %v\n%s", err, raw)
	}
	split, err := frame.Split(sp)
	if err != nil {
		t.Fatal(err)
	}
	subjects := func(files []string) int {
		seen := map[string]bool{}
		for _, f := range files {
			seen[strings.SplitN(f, "_", 2)[0]] = true
		}
		return len(seen)
	}
	if len(split.Train)+len(split.Valid)+len(split.Test) != 18 || subjects(split.Train) != 3 || subjects(split.Valid) != 2 || subjects(split.Test) != 1 {
		t.Errorf("split = %+v", split)
	}
	pairs, err := frame.Pairs(split.Train, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(pairs) != len(split.Train) || len(frame.Warnings) != 0 {
		t.Errorf("%d training pairs for %d files; warnings %q", len(pairs), len(split.Train), frame.Warnings)
	}
}
