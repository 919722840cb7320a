package pipeline

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/pipeline/transforms"
)

// TestExportPeerSlices is a tool more than a test: where IVADOGO_PEER_SLICES
// names a folder, it writes there the slices that the reference 2D config
// (shared/reference/ivadomed-runs/config_2d.json) trains on, sub-unf01's
// axial T2w slices after the config's preprocessing (Resample, CenterCrop)
// and before its random transforms, for the PyTorch replica of ivadomed's
// training in bench/ivadomed_peer_2d.py: im.f32 and gt.f32, n×128×128
// little-endian float32, the label soft (resampled with order 1) as the
// random transforms see it. It checks that the slices are what training
// sees: normalised and binarised, they match the validation transforms'
// output.
func TestExportPeerSlices(t *testing.T) {
	dir := os.Getenv("IVADOGO_PEER_SLICES")
	if dir == "" {
		t.Skip("set IVADOGO_PEER_SLICES=DIR to export the reference 2D slices for bench/ivadomed_peer_2d.py")
	}
	cfg := refConfig(t)
	val, err := transformList(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Transformation = slices.DeleteFunc(cfg.Transformation, func(tr config.Transform) bool {
		return tr.Name != "Resample" && tr.Name != "CenterCrop"
	})
	prep, err := transformList(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := loadRefSlices(t, cfg, "T2w")
	sh, sample := r.sh, r.sample
	var ims, gts []float32
	for k := range sh[2] {
		s := sample(k)
		if _, err := prep.For(transforms.Validation, false).Apply(s, rand.New(rand.NewPCG(1, uint64(k)))); err != nil {
			t.Fatal(err)
		}
		if s.Im.Shape != [3]int{128, 128, 1} {
			t.Fatalf("slice %d: shape %v after preprocessing, want [128 128 1]", k, s.Im.Shape)
		}
		v := sample(k)
		if _, err := val.For(transforms.Validation, false).Apply(v, rand.New(rand.NewPCG(1, uint64(k)))); err != nil {
			t.Fatal(err)
		}
		v.BinarizeGT()
		// NormalizeInstance of the exported image, and the label at 0.5,
		// are what validation sees.
		x := s.Im.Data[0]
		var mean, sq float64
		for _, a := range x {
			mean += float64(a)
		}
		mean /= float64(len(x))
		for _, a := range x {
			sq += (float64(a) - mean) * (float64(a) - mean)
		}
		std := math.Sqrt(sq / float64(len(x)))
		for i, a := range x {
			if d := (float64(a)-mean)/std - float64(v.Im.Data[0][i]); d > 1e-5 || d < -1e-5 {
				t.Fatalf("slice %d [%d]: normalised export %v, validation %v", k, i, (float64(a)-mean)/std, v.Im.Data[0][i])
			}
			if (s.GT.Data[0][i] >= 0.5) != (v.GT.Data[0][i] > 0.5) {
				t.Fatalf("slice %d [%d]: label %v exported, %v in validation", k, i, s.GT.Data[0][i], v.GT.Data[0][i])
			}
		}
		ims = append(ims, x...)
		gts = append(gts, s.GT.Data[0]...)
	}
	for name, v := range map[string][]float32{"im.f32": ims, "gt.f32": gts} {
		buf := make([]byte, 0, 4*len(v))
		for _, a := range v {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(a))
		}
		if err := os.WriteFile(filepath.Join(dir, name), buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d slices of 128×128 written to %s", sh[2], dir)
}
