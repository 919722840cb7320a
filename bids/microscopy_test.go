package bids

import (
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/internal/testenv"
)

// TestReadMicroscopy decodes the 8/16-bit gray, RGB and RGBA crops of
// ivadomed's data_test_png_tif, which hold the same picture: every PNG and
// its TIFF twin must agree exactly, and each colour file's gray must
// agree with the 8/16-bit gray file within rounding of the luma weights.
func TestReadMicroscopy(t *testing.T) {
	dir := filepath.Join(testenv.SharedData(t), "ivadomed-data-testing", "data_test_png_tif")
	d, err := Index(dir)
	if err != nil {
		t.Fatal(err)
	}
	read := func(sub, sample, ext string) *Microscopy {
		t.Helper()
		rel := "sub-" + sub + "/micr/sub-" + sub + "_sample-" + sample + "_SEM" + ext
		im := d.Image(rel)
		if im == nil {
			t.Fatalf("%s not indexed", rel)
		}
		m, err := ReadMicroscopy(d.Abs(rel), d.Metadata(im))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	for _, c := range []struct {
		sample        string
		channels, bit int
	}{{"8gray", 1, 8}, {"8rgb", 3, 8}, {"8rgba", 4, 8}, {"16gray", 1, 16}, {"16rgb", 3, 16}, {"16rgba", 4, 16}} {
		p, tf := read("png", c.sample, ".png"), read("tif", c.sample, ".tif")
		for _, m := range []*Microscopy{p, tf} {
			if m.BitDepth != c.bit {
				t.Errorf("%s: %d-bit, want %d-bit", c.sample, m.BitDepth, c.bit)
			}
			// PixelSize [0.07, 0.07] um, inherited from sub-*_SEM.json.
			if want := [3]float64{0.07e-3, 0.07e-3, 0.07e-3}; !close3(m.Zooms, want) {
				t.Errorf("%s: zooms %v, want %v", c.sample, m.Zooms, want)
			}
		}
		if tf.Channels != c.channels || tf.Height != 256 || tf.Width != 256 {
			t.Errorf("tif %s: %dx%d, %d channels, want 256x256, %d", c.sample, tf.Height, tf.Width, tf.Channels, c.channels)
		}
		if c.sample == "8gray" {
			// This PNG is another crop (266 rows, 278 columns).
			if p.Height != 266 || p.Width != 278 || p.Channels != 1 {
				t.Errorf("png 8gray: %dx%d, %d channels, want 266x278, 1", p.Height, p.Width, p.Channels)
			}
			continue
		}
		for i := range p.Gray {
			if p.Gray[i] != tf.Gray[i] {
				t.Fatalf("%s: pixel %d: png %v, tif %v", c.sample, i, p.Gray[i], tf.Gray[i])
			}
		}
	}
	for _, bits := range []string{"8", "16"} {
		gray := read("tif", bits+"gray", ".tif")
		for _, col := range []string{"rgb", "rgba"} {
			m := read("png", bits+col, ".png")
			var worst float64
			for i := range m.Gray {
				worst = math.Max(worst, math.Abs(float64(m.Gray[i]-gray.Gray[i])))
			}
			if worst > 1 {
				t.Errorf("%s%s: gray differs from the gray file by up to %v", bits, col, worst)
			}
		}
	}
	// Gray with alpha keeps the gray sample.
	ga, g := read("png", "8grayalpha", ".png"), read("png", "8gray", ".png")
	for i := range g.Gray {
		if ga.Gray[i] != g.Gray[i] {
			t.Fatalf("8grayalpha: pixel %d = %v, gray file %v", i, ga.Gray[i], g.Gray[i])
		}
	}
}

func close3(a, b [3]float64) bool {
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-12 {
			return false
		}
	}
	return true
}

func TestPixelSize(t *testing.T) {
	tests := []struct {
		meta map[string]any
		want [3]float64
		err  string
	}{
		{map[string]any{"PixelSize": []any{num("0.1"), num("0.2")}, "PixelSizeUnits": "um"}, [3]float64{0.2e-3, 0.1e-3, 0.1e-3}, ""},
		{map[string]any{"PixelSize": []any{num("100"), num("100")}, "PixelSizeUnits": "nm"}, [3]float64{1e-4, 1e-4, 1e-4}, ""},
		{map[string]any{"PixelSize": []any{num("9.3e-05"), num("9.3e-05"), num("2")}, "PixelSizeUnits": "mm"}, [3]float64{9.3e-5, 9.3e-5, 2}, ""},
		{map[string]any{"PixelSize": num("0.5")}, [3]float64{0.5e-3, 0.5e-3, 0.5e-3}, ""},
		{map[string]any{"PixelSize": []any{num("1")}}, [3]float64{}, "1 values"},
		{map[string]any{"PixelSize": "big"}, [3]float64{}, "want a number"},
		{map[string]any{"PixelSize": num("1"), "PixelSizeUnits": "furlong"}, [3]float64{}, "furlong"},
	}
	for _, tt := range tests {
		var m Microscopy
		err := m.setZooms(tt.meta)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%v: err %v, want %q", tt.meta, err, tt.err)
			}
			continue
		}
		if err != nil || !close3(m.Zooms, tt.want) {
			t.Errorf("%v: %v %v, want %v", tt.meta, m.Zooms, err, tt.want)
		}
	}
}

func num(s string) json.Number { return json.Number(s) }
