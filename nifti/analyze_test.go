package nifti

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

type analyzeOracle struct {
	Name      string        `json:"name"`
	File      string        `json:"file"`
	Affine    [4][4]float64 `json:"affine"`
	Canonical struct {
		Shape  []int         `json:"shape"`
		Affine [4][4]float64 `json:"affine"`
		Zooms  []float64     `json:"zooms"`
		Data   []float64     `json:"data"`
	} `json:"canonical"`
	Resampled struct {
		Shape  []int         `json:"shape"`
		Affine [4][4]float64 `json:"affine"`
		Zooms  []float64     `json:"zooms"`
	} `json:"resampled"`
}

// TestAnalyzeHeaders checks the header that Canonical and ResampleShape
// give an Analyze input against nibabel (testdata/make_analyze.py): the
// result is a NIfTI-1 pair whose affine is nibabel's and whose voxel sizes
// are those of that affine, as nibabel's header has them, also when the
// stored pixdim is negative or a .mat beside the header overrides it. The
// result is written and read back, so the file says the same.
func TestAnalyzeHeaders(t *testing.T) {
	dir := filepath.Join("testdata", "analyze")
	b, err := os.ReadFile(filepath.Join(dir, "analyze.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fx struct {
		Cases []analyzeOracle `json:"cases"`
	}
	if err := json.Unmarshal(b, &fx); err != nil {
		t.Fatal(err)
	}
	if len(fx.Cases) != 3 {
		t.Fatalf("%d cases, want 3", len(fx.Cases))
	}
	for _, c := range fx.Cases {
		t.Run(c.Name, func(t *testing.T) {
			img, err := Read(filepath.Join(dir, c.File))
			if err != nil {
				t.Fatal(err)
			}
			if img.Header.Format != Analyze {
				t.Fatalf("read as %v, want Analyze", img.Header.Format)
			}
			checkAffine(t, "input affine", img.Header.Affine(), c.Affine)
			can, err := img.Canonical()
			if err != nil {
				t.Fatal(err)
			}
			checkAnalyzeResult(t, "canonical", can, c.Canonical.Shape, c.Canonical.Affine, c.Canonical.Zooms)
			for i, v := range can.Data {
				if float64(v) != c.Canonical.Data[i] {
					t.Fatalf("canonical voxel %d = %v, nibabel %v", i, v, c.Canonical.Data[i])
				}
			}
			var shape [3]int
			copy(shape[:], c.Resampled.Shape)
			res, err := img.ResampleShape(shape, 1)
			if err != nil {
				t.Fatal(err)
			}
			checkAnalyzeResult(t, "resampled", res, c.Resampled.Shape, c.Resampled.Affine, c.Resampled.Zooms)
		})
	}
}

// checkAnalyzeResult checks an image made from an Analyze input, then the
// same after writing it and reading it back.
func checkAnalyzeResult(t *testing.T, what string, img *Image, shape []int, aff [4][4]float64, zooms []float64) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "out.hdr")
	if err := Write(p, img); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	back, err := Read(p)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	for _, im := range []struct {
		name string
		img  *Image
	}{{what, img}, {what + " (written and read back)", back}} {
		h := im.img.Header
		if h.Format != NIfTI1Pair {
			t.Errorf("%s: format %v, want a NIfTI-1 pair", im.name, h.Format)
		}
		for i, s := range shape {
			if int(h.Dim[i+1]) != s {
				t.Errorf("%s: shape %v, nibabel %v", im.name, h.Dim[1:4], shape)
				break
			}
		}
		checkAffine(t, im.name+" affine", h.Affine(), aff)
		z := h.Zooms()
		for i := range 3 {
			// pixdim is float32 in the file; nibabel's zooms too.
			if math.Abs(z[i]-zooms[i]) > 1e-6*zooms[i] || h.Pixdim[i+1] != z[i] {
				t.Errorf("%s: pixdim %v, nibabel's voxel sizes %v", im.name, h.Pixdim[1:4], zooms)
				break
			}
		}
		if q := h.Pixdim[0]; q != 1 && q != -1 {
			t.Errorf("%s: qfac pixdim[0] = %v, want ±1", im.name, q)
		}
	}
}

func checkAffine(t *testing.T, what string, got Affine, want [4][4]float64) {
	t.Helper()
	for i := range 4 {
		for j := range 4 {
			if math.Abs(got[i][j]-want[i][j]) > 1e-5 {
				t.Errorf("%s = %v, nibabel %v", what, got, want)
				return
			}
		}
	}
}
