package bids_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/ivadogo/ivadogo/bids"
)

func ExampleParseName() {
	n := bids.ParseName("sub-01_ses-02_acq-ax_T2w.nii.gz")
	fmt.Println(n.Entities, n.Suffix, n.Extension)
	l := bids.ParseName("sub-01_ses-02_acq-ax_T2w_seg-manual.nii.gz")
	fmt.Println(l.Entities, l.Bare, l.HasSuffix())
	// Output:
	// [{sub 01} {ses 02} {acq ax}] T2w .nii.gz
	// [{sub 01} {ses 02} {acq ax} {seg manual}] [{3 T2w}] false
}

// makeDataset writes a small BIDS dataset: four subjects with a T2w image
// each, a sidecar at the top and a spinal-cord label per image.
func makeDataset() string {
	dir, _ := os.MkdirTemp("", "bids-example")
	write := func(p, s string) {
		p = filepath.Join(dir, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(s), 0o644)
	}
	write("dataset_description.json", `{"Name": "example", "BIDSVersion": "1.9.0"}`)
	write("T2w.json", `{"Manufacturer": "Siemens", "EchoTime": 0.12}`)
	tsv := "participant_id\tsex\n"
	for _, s := range []string{"01", "02", "03", "04"} {
		tsv += "sub-" + s + "\tF\n"
		write("sub-"+s+"/anat/sub-"+s+"_T2w.nii.gz", "")
		write("derivatives/labels/sub-"+s+"/anat/sub-"+s+"_T2w_seg-manual.nii.gz", "")
	}
	write("participants.tsv", tsv)
	return dir
}

func ExampleIndex() {
	dir := makeDataset()
	defer os.RemoveAll(dir)
	d, err := bids.Index(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	im := d.Image("sub-01/anat/sub-01_T2w.nii.gz")
	fmt.Println(d.Subjects, d.SuffixCounts())
	fmt.Println(im.Sidecars, d.Metadata(im)["EchoTime"])
	fmt.Println(im.Labels[0].Suffix, im.Labels[0].Path)
	// Output:
	// [01 02 03 04] map[T2w:4]
	// [T2w.json] 0.12
	// _seg-manual derivatives/labels/sub-01/anat/sub-01_T2w_seg-manual.nii.gz
}

func ExampleFrame_Split() {
	dir := makeDataset()
	defer os.RemoveAll(dir)
	p := bids.LoaderParams{
		PathData:       bids.Paths{dir},
		TargetSuffix:   bids.TargetSuffix{{"_seg-manual"}},
		ContrastParams: bids.ContrastParams{TrainingValidation: []string{"T2w"}},
	}
	ds, err := bids.Open(p)
	if err != nil {
		fmt.Println(err)
		return
	}
	f, err := bids.Select(ds, p, bids.SelectOptions{SplitMethod: "participant_id"})
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := f.Split(bids.DefaultSplitParams()) // seed 6, 60% train, 20% test
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(s.Train), len(s.Valid), len(s.Test))
	pairs, _ := f.Pairs(s.Train, false)
	fmt.Println(len(pairs), len(pairs[0].Targets))
	// Output:
	// 2 1 1
	// 2 1
}
