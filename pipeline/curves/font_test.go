package curves

import (
	"image"
	"image/color"
	"strings"
	"testing"
)

func TestFontCoversPrintableASCII(t *testing.T) {
	seen := map[[glyphH]string]rune{}
	for r := rune(32); r < 127; r++ {
		g, ok := glyphs[r]
		d, isDesc := descenders[r]
		if ok == isDesc {
			t.Errorf("%q: in glyphs %v, in descenders %v; want exactly one", r, ok, isDesc)
			continue
		}
		if isDesc {
			g = d
		}
		for i, row := range g {
			if len(row) != glyphW || strings.Trim(row, "#.") != "" {
				t.Errorf("%q row %d: %q, want %d of '#' and '.'", r, i, row, glyphW)
			}
		}
		if prev, dup := seen[g]; dup && !isDesc {
			t.Errorf("%q and %q have the same glyph", prev, r)
		}
		seen[g] = r
		if r != ' ' && strings.Count(strings.Join(g[:], ""), "#") == 0 {
			t.Errorf("%q has no ink", r)
		}
	}
	if len(glyphs)+len(descenders) != 95 {
		t.Errorf("%d glyphs, want the 95 printable ASCII characters", len(glyphs)+len(descenders))
	}
}

func TestDrawText(t *testing.T) {
	ink := color.RGBA{200, 0, 0, 255}
	for _, tc := range []struct {
		s     string
		scale int
		want  []string // the glyphs drawn, in order
		down  []int    // rows each glyph is shifted down
	}{
		{"1", 1, []string{"1"}, []int{0}},
		{"a1", 2, []string{"a", "1"}, []int{0, 0}},
		{"g", 1, []string{"g"}, []int{2}},
		{"é", 1, []string{"?"}, []int{0}},
	} {
		img := image.NewRGBA(image.Rect(0, 0, 40, 40))
		drawText(img, 3, 4, tc.s, ink, tc.scale)
		if w := textWidth(tc.s, tc.scale); w != (len(tc.want)*advance-1)*tc.scale {
			t.Errorf("%q: width %d", tc.s, w)
		}
		for y := 0; y < 40; y++ {
			for x := 0; x < 40; x++ {
				want := false
				gi := (x - 3) / (advance * tc.scale)
				if x >= 3 && gi < len(tc.want) {
					r := rune(tc.want[gi][0])
					g, ok := glyphs[r]
					if !ok {
						g = descenders[r]
					}
					gx := (x - 3 - gi*advance*tc.scale) / tc.scale
					gy := (y - 4 - tc.down[gi]*tc.scale)
					if gy >= 0 && gx < glyphW {
						gy /= tc.scale
						want = gy < glyphH && g[gy][gx] == '#'
					}
				}
				if got := img.RGBAAt(x, y) == ink; got != want {
					t.Fatalf("%q scale %d: pixel (%d,%d) inked %v, want %v", tc.s, tc.scale, x, y, got, want)
				}
			}
		}
	}
	// Text running off the image is clipped, not a panic.
	drawText(image.NewRGBA(image.Rect(0, 0, 4, 4)), -3, 2, "Wg", ink, 3)
}
