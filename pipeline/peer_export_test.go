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
// sees: through the config's remaining transforms and binarised, they are
// the validation transforms' output.
func TestExportPeerSlices(t *testing.T) {
	dir := os.Getenv("IVADOGO_PEER_SLICES")
	if dir == "" {
		t.Skip("set IVADOGO_PEER_SLICES=DIR to export the reference 2D slices for bench/ivadomed_peer_2d.py")
	}
	cfg := refConfig(t)
	// The validation transforms, and the same cut in two: the
	// preprocessing this test exports after, and the rest.
	only := func(keep func(name string) bool) *transforms.Compose {
		c := *cfg
		c.Transformation = slices.DeleteFunc(slices.Clone(cfg.Transformation), func(tr config.Transform) bool { return !keep(tr.Name) })
		l, err := transformList(&c)
		if err != nil {
			t.Fatal(err)
		}
		return l.For(transforms.Validation, false)
	}
	isPrep := func(name string) bool { return name == "Resample" || name == "CenterCrop" }
	val := only(func(string) bool { return true })
	prep := only(isPrep)
	rest := only(func(name string) bool { return !isPrep(name) })
	r := loadRefSlices(t, cfg, "T2w")
	apply := func(k int, cs ...*transforms.Compose) *transforms.Sample {
		s := r.sample(k)
		for _, c := range cs {
			if _, err := c.Apply(s, rand.New(rand.NewPCG(1, uint64(k)))); err != nil {
				t.Fatal(err)
			}
		}
		return s
	}
	var ims, gts []float32
	for k := range r.sh[2] {
		s := apply(k, prep)
		if s.Im.Shape != [3]int{128, 128, 1} {
			t.Fatalf("slice %d: shape %v after preprocessing, want [128 128 1]", k, s.Im.Shape)
		}
		// The rest of the transforms on the exported slice, and the label
		// at 0.5, are what validation sees.
		got, want := apply(k, prep, rest), apply(k, val)
		got.BinarizeGT()
		want.BinarizeGT()
		for i := range want.Im.Data[0] {
			if got.Im.Data[0][i] != want.Im.Data[0][i] || got.GT.Data[0][i] != want.GT.Data[0][i] {
				t.Fatalf("slice %d [%d]: image %v, label %v from the export; %v, %v in validation", k, i,
					got.Im.Data[0][i], got.GT.Data[0][i], want.Im.Data[0][i], want.GT.Data[0][i])
			}
		}
		ims = append(ims, s.Im.Data[0]...)
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
	t.Logf("%d slices of 128×128 written to %s", r.sh[2], dir)
}
