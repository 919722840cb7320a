package bids

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// makeSynthetic writes n subjects × 4 images (T1w, T2w, T2star, FLAIR),
// each with a sidecar, one dataset-level sidecar, participants.tsv and a
// seg-manual label per T2w.
func makeSynthetic(tb testing.TB, dir string, n int) {
	tb.Helper()
	write := func(p, c string) {
		if err := os.WriteFile(filepath.Join(dir, p), []byte(c), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	write("dataset_description.json", `{"Name": "synthetic", "BIDSVersion": "1.9.0"}`)
	write("T2w.json", `{"Manufacturer": "Siemens"}`)
	tsv := []byte("participant_id\tage\tsex\n")
	for i := range n {
		sub := fmt.Sprintf("sub-%05d", i)
		tsv = fmt.Appendf(tsv, "%s\t%d\t%s\n", sub, 20+i%50, []string{"F", "M"}[i%2])
		anat := filepath.Join(dir, sub, "anat")
		lab := filepath.Join(dir, "derivatives", "labels", sub, "anat")
		if err := os.MkdirAll(anat, 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.MkdirAll(lab, 0o755); err != nil {
			tb.Fatal(err)
		}
		for _, s := range []string{"T1w", "T2w", "T2star", "FLAIR"} {
			write(filepath.Join(sub, "anat", sub+"_"+s+".nii.gz"), "")
			write(filepath.Join(sub, "anat", sub+"_"+s+".json"), `{"EchoTime": 0.01, "RepetitionTime": 2.0, "FlipAngle": 90}`)
		}
		write(filepath.Join("derivatives", "labels", sub, "anat", sub+"_T2w_seg-manual.nii.gz"), "")
	}
	write("participants.tsv", string(tsv))
}

// TestIndexSpeed indexes 5,000 subjects × 4 images with sidecars and
// reports the time per 1,000 subjects (the issue asks for well under a
// second). Timing is logged, not asserted.
func TestIndexSpeed(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 45,000 files; skipped with -short")
	}
	const n = 5000
	dir := t.TempDir()
	makeSynthetic(t, dir, n)
	start := time.Now()
	d, err := Index(dir)
	if err != nil {
		t.Fatal(err)
	}
	index := time.Since(start)
	if len(d.Images) != 4*n || len(d.Subjects) != n || len(d.Image("sub-00042/anat/sub-00042_T2w.nii.gz").Labels) != 1 {
		t.Fatalf("indexed %d images, %d subjects", len(d.Images), len(d.Subjects))
	}
	start = time.Now()
	p := LoaderParams{PathData: Paths{dir}, TargetSuffix: TargetSuffix{{"_seg-manual"}},
		ContrastParams: ContrastParams{TrainingValidation: []string{"T2w"}}}
	f, err := Select([]*Dataset{d}, p, SelectOptions{SplitMethod: "participant_id"})
	if err != nil {
		t.Fatal(err)
	}
	sel := time.Since(start)
	start = time.Now()
	s, err := f.Split(DefaultSplitParams())
	if err != nil {
		t.Fatal(err)
	}
	split := time.Since(start)
	if len(s.Train)+len(s.Valid)+len(s.Test) != n {
		t.Errorf("split %d+%d+%d, want %d", len(s.Train), len(s.Valid), len(s.Test), n)
	}
	t.Logf("%d subjects × 4 images: Index %v (%v per 1,000 subjects), Select (reads %d sidecars) %v, Split %v",
		n, index, index/5, len(d.Images)/4, sel, split)
}

func BenchmarkIndex(b *testing.B) {
	const n = 1000
	dir := b.TempDir()
	makeSynthetic(b, dir, n)
	b.ResetTimer()
	for range b.N {
		if _, err := Index(dir); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Seconds())/float64(b.N), "s/1000subjects")
}

// BenchmarkSelect builds the frame of 1,000 subjects (T2w images: reads
// 1,000 sidecars plus the inherited top-level one) on a fresh index each
// time, so the sidecars are read every iteration.
func BenchmarkSelect(b *testing.B) {
	const n = 1000
	dir := b.TempDir()
	makeSynthetic(b, dir, n)
	p := LoaderParams{PathData: Paths{dir}, TargetSuffix: TargetSuffix{{"_seg-manual"}},
		ContrastParams: ContrastParams{TrainingValidation: []string{"T2w"}}}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		d, err := Index(dir)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := Select([]*Dataset{d}, p, SelectOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Seconds())/float64(b.N), "s/1000images")
}
