package pipeline

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/nifti"
)

// TestCascade trains a cord finder, then a second model on the images
// cropped to the box the finder draws around the cord (safety factor
// 1.5): the second model's samples must be smaller than the slices and
// hold every labelled voxel, and its test predictions, pasted back into
// the whole image, must reach the Dice of a whole-image model.
func TestCascade(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two models, about 10 s")
	}
	dir := t.TempDir()
	first := e2eConfig(t, filepath.Join(dir, "a"), 4)
	var log bytes.Buffer
	tr, err := Train(first, Options{Log: &log})
	if err != nil {
		t.Fatalf("train the detection model: %v\n%s", err, log.String())
	}
	cfg := e2eConfig(t, filepath.Join(dir, "b"), 6)
	cfg.ObjectDetection.ObjectDetectionPath = &tr.ModelDir
	cfg.ObjectDetection.SafetyFactor = []float64{1.5, 1.5, 1.5}
	whole := trainSet2D(t, first)
	d := trainSet2D(t, cfg)
	if len(d.boxes) == 0 {
		t.Fatal("no bounding box: the cascade is not applied")
	}
	fg := func(set *slices2D) (n float64) {
		for i := range set.size() {
			s, _, err := set.drawAt(i, sampleRand(1, 1, i), false)
			if err != nil {
				t.Fatal(err)
			}
			if set == d && (s.Im.Shape[0] >= 32 || s.Im.Shape[1] >= 32) {
				t.Fatalf("sample %d of shape %v: not cropped (slices are 32×32)", i, s.Im.Shape)
			}
			for _, v := range s.GT.Data[0] {
				n += float64(v)
			}
		}
		return n
	}
	if a, b := fg(whole), fg(d); a != b {
		t.Errorf("the cropped samples hold %v labelled voxels, the whole slices %v", b, a)
	}
	if _, err := Train(cfg, Options{Log: &log}); err != nil {
		t.Fatalf("train the second model: %v\n%s", err, log.String())
	}
	te, err := Test(cfg, Options{Log: &log})
	if err != nil {
		t.Fatalf("test: %v\n%s", err, log.String())
	}
	t.Logf("cascade test Dice %.3f over %d images", te.MeanDice, len(te.Rows))
	if !(te.MeanDice > 0.75) {
		t.Errorf("cascade test Dice %.3f, want > 0.75", te.MeanDice)
	}
	for _, row := range te.Rows {
		pred, err := nifti.Read(filepath.Join(te.PredDir, row.ID+"_pred.nii.gz"))
		if err != nil {
			t.Fatal(err)
		}
		if n := len(pred.Data); n != 32*32*16 {
			t.Errorf("%s: prediction of %d voxels, want the whole 32×32×16 image", row.ID, n)
		}
		// segment -i with the second model's folder runs the cascade too.
		sub, _, _ := strings.Cut(row.ID, "_")
		out, err := SegmentImages([]string{filepath.Join(cfg.Loader.PathData[0], sub, "anat", row.ID+".nii.gz")}, filepath.Join(cfg.PathOutput, cfg.ModelName), filepath.Join(dir, "seg"), "", Options{})
		if err != nil {
			t.Fatal(err)
		}
		seg, _ := nifti.Read(out)
		if seg == nil || !equalFloats(seg.Data, pred.Data) {
			t.Errorf("segment -i %s differs from test's prediction", row.ID)
		}
	}
}
