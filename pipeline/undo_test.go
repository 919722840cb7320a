package pipeline

import (
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/ivadogo/ivadogo/pipeline/postprocess"
	"github.com/ivadogo/ivadogo/pipeline/transforms"
)

// TestUndoPerfectPrediction sends the label of a real image through the
// reference 2D config's test transforms (Resample to 0.75 mm, CenterCrop
// 128², on axial slices) as a perfect model's prediction would be, in
// training space, and back through their undo, the reorientation to the
// source grid and the post-processing, as test writes pred_masks: what
// comes back must be the label again. An error in the geometry of any
// step (a resampling grid, a crop offset, an axis order) shows as a
// Dice well under 0.99: half a voxel on the spinal cord, about ten
// voxels across at 1 mm, costs more than 0.05. Today it comes back
// exactly (Dice 1) for all three contrasts.
func TestUndoPerfectPrediction(t *testing.T) {
	cfg := refConfig(t)
	tl, err := transformList(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tf := tl.For(transforms.Testing, true)
	pb, err := json.Marshal(cfg.Postprocessing)
	if err != nil {
		t.Fatal(err)
	}
	post, err := postprocess.Parse(pb)
	if err != nil {
		t.Fatal(err)
	}
	for _, contrast := range []string{"T2w", "T1w", "T2star"} {
		t.Run(contrast, func(t *testing.T) {
			r := loadRefSlices(t, cfg, contrast)
			im, gt, sh := r.im, r.gt, r.sh
			part := [3]int{sh[0], sh[1], 1}
			out := make([]float32, len(r.ic))
			for k := range sh[2] {
				s := r.sample(k)
				rec, err := tf.Apply(s, rand.New(rand.NewPCG(1, uint64(k))))
				if err != nil {
					t.Fatal(err)
				}
				s.BinarizeGT() // the label a training step sees
				back, err := rec.Undo(s.GT)
				if err != nil {
					t.Fatal(err)
				}
				if back.Shape != part {
					t.Fatalf("slice %d: shape %v after undo, want %v", k, back.Shape, part)
				}
				setSlice(out, sh, k, back.Data[0])
			}
			out, _ = permute(out, sh, inverse(r.perm))
			src, ssh, err := toSource(im, [][]float32{out})
			if err != nil {
				t.Fatal(err)
			}
			want, _, err := toSource(im, [][]float32{gt.data})
			if err != nil {
				t.Fatal(err)
			}
			got, err := postprocessSoft(post, src, ssh, srcZooms(im), nil)
			if err != nil {
				t.Fatal(err)
			}
			var tp, fp, fn float64
			for i, v := range got[0] {
				switch p, r := v >= 0.5, want[0][i] >= 0.5; {
				case p && r:
					tp++
				case p:
					fp++
				case r:
					fn++
				}
			}
			dice := 2 * tp / (2*tp + fp + fn)
			t.Logf("Dice %.4f (%v label voxels kept, %v added, %v lost)", dice, tp, fp, fn)
			if tp == 0 || !(dice >= 0.99) {
				t.Errorf("a perfect prediction comes back with Dice %.4f (%v voxels kept, %v added, %v lost), want ≥ 0.99", dice, tp, fp, fn)
			}
		})
	}
}
