package bids

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/internal/testenv"
)

func TestPairs(t *testing.T) {
	data := filepath.Join(testenv.SharedData(t), "ivadomed-data-testing")
	micro := filepath.Join(data, "microscopy_png")
	tests := []struct {
		name    string
		p       LoaderParams
		files   []string
		n       int      // samples
		classes []int    // labels per class of the first sample
		want    []string // suffixes of the first sample's labels, in order
		roi     string
		chans   int
	}{
		{
			name: "multi-rater", files: []string{"sub-rat3_ses-01_sample-data9_SEM.png"}, n: 1, classes: []int{2, 2}, chans: 1,
			p: LoaderParams{PathData: Paths{micro}, Extensions: []string{".png"},
				TargetSuffix: TargetSuffix{{"_seg-myelin-manual", "_seg-axon-manual"}, {"_seg-myelin-manual", "_seg-axon-manual"}}},
			want: []string{"_seg-myelin-manual", "_seg-axon-manual", "_seg-myelin-manual", "_seg-axon-manual"},
		},
		{
			name: "two classes", files: []string{"sub-rat2_sample-data5_SEM.png", "sub-rat3_ses-01_sample-data9_SEM.png"}, n: 2, classes: []int{1, 1}, chans: 1,
			p: LoaderParams{PathData: Paths{micro}, Extensions: []string{".png"},
				TargetSuffix: TargetSuffix{{"_seg-axon-manual"}, {"_seg-myelin-manual"}}},
			want: []string{"_seg-axon-manual", "_seg-myelin-manual"},
		},
		{
			name: "roi", files: []string{"sub-unf01_T1w.nii.gz", "sub-unf01_T2w.nii.gz"}, n: 2, classes: []int{1}, chans: 1, roi: "_seg-manual",
			p: LoaderParams{PathData: Paths{data}, TargetSuffix: TargetSuffix{{"_lesion-manual"}}, RoiParams: RoiParams{Suffix: strp("_seg-manual")},
				ContrastParams: ContrastParams{TrainingValidation: []string{"T1w", "T2w"}}},
			want: []string{"_lesion-manual"},
		},
		{
			name: "multichannel", files: []string{"sub-unf01_T2w.nii.gz", "sub-unf01_T1w.nii.gz"}, n: 1, classes: []int{1}, chans: 2,
			p: LoaderParams{PathData: Paths{data}, TargetSuffix: TargetSuffix{{"_seg-manual"}}, Multichannel: true,
				ContrastParams: ContrastParams{TrainingValidation: []string{"T2w", "T1w"}}},
			want: []string{"_seg-manual"},
		},
		{
			name: "balance", files: []string{"sub-rat3_ses-02_sample-data11_run-1_SEM.png", "sub-rat3_ses-02_sample-data11_run-2_SEM.png"}, n: 1, classes: []int{1}, chans: 1,
			p: LoaderParams{PathData: Paths{micro}, Extensions: []string{".png"}, TargetSuffix: TargetSuffix{{"_seg-axon-manual"}},
				ContrastParams: ContrastParams{Balance: map[string]float64{"SEM": 0.5}}},
			want: []string{"_seg-axon-manual"},
		},
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
			pairs, err := f.Pairs(tt.files, false)
			if err != nil {
				t.Fatal(err)
			}
			if len(pairs) != tt.n {
				t.Fatalf("%d samples, want %d", len(pairs), tt.n)
			}
			p0 := pairs[0]
			if len(p0.Inputs) != tt.chans {
				t.Errorf("%d channels, want %d", len(p0.Inputs), tt.chans)
			}
			if tt.name == "multichannel" && (p0.Inputs[0].Image.Suffix != "T2w" || p0.Inputs[1].Image.Suffix != "T1w") {
				t.Errorf("channel order %s, %s; want T2w, T1w", p0.Inputs[0].Filename, p0.Inputs[1].Filename)
			}
			var got []string
			for i, c := range p0.Targets {
				if len(c) != tt.classes[i] {
					t.Errorf("class %d: %d labels %q, want %d", i, len(c), c, tt.classes[i])
				}
				for _, l := range c {
					stem, _ := SplitExt(filepath.Base(l))
					got = append(got, stem[strings.LastIndex(stem, "_"):])
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("labels %q, want %q", got, tt.want)
			}
			if tt.roi != "" && !strings.HasSuffix(p0.ROI, p0.Inputs[0].Image.Stem+tt.roi+".nii.gz") {
				t.Errorf("ROI %q, want the image's %s", p0.ROI, tt.roi)
			}
		})
	}
}
