package curves

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pixelsOf returns the points of img with colour c, at or below row minY.
func pixelsOf(img *image.RGBA, c color.RGBA, minY int) []image.Point {
	var pts []image.Point
	b := img.Bounds()
	for y := max(minY, b.Min.Y); y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if img.RGBAAt(x, y) == c {
				pts = append(pts, image.Pt(x, y))
			}
		}
	}
	return pts
}

// frame finds the plot frame of the panel holding column x, scanning for
// the black frame lines rather than trusting the layout code: the top and
// bottom lines are the first two black pixels below y0 in column x, the
// left and right lines the outermost columns of the panel that are black
// for 20 rows around the middle.
func frame(t *testing.T, img *image.RGBA, x, y0 int) image.Rectangle {
	t.Helper()
	top, bottom := -1, -1
	for y := y0; y < img.Bounds().Max.Y; y++ {
		if img.RGBAAt(x, y) == black {
			if top < 0 {
				top = y
			} else {
				bottom = y
				break
			}
		}
	}
	left, right := -1, -1
	mid := (top + bottom) / 2
	panelW := 480
	for xx := x / panelW * panelW; xx < min(img.Bounds().Max.X, (x/panelW+1)*panelW) && top >= 0; xx++ {
		solid := true
		for y := mid - 10; y <= mid+10; y++ {
			solid = solid && img.RGBAAt(xx, y) == black
		}
		if solid {
			if left < 0 {
				left = xx
			}
			right = xx
		}
	}
	if top < 0 || bottom < 0 || left < 0 || right <= left {
		t.Fatalf("no frame found: top %d bottom %d left %d right %d", top, bottom, left, right)
	}
	return image.Rect(left, top, right+1, bottom+1)
}

func TestConstantSeriesIsHorizontalLine(t *testing.T) {
	for _, v := range []float64{0.7, 0, -3, 1e-4, 250} {
		vals := make([]float64, 10)
		for i := range vals {
			vals[i] = v
		}
		blue := color.RGBA{0, 0, 255, 255}
		img, err := Render([]Series{{Name: "constant", Values: vals, Color: blue}}, Options{PanelWidth: 400, PanelHeight: 250})
		if err != nil {
			t.Fatal(err)
		}
		f := frame(t, img, 200, marginTop-2)
		pts := pixelsOf(img, blue, f.Min.Y)
		rows := map[int]int{}
		minX, maxX := math.MaxInt, 0
		for _, p := range pts {
			rows[p.Y]++
			minX, maxX = min(minX, p.X), max(maxX, p.X)
		}
		if len(rows) != lineWidth {
			t.Fatalf("v=%v: series on rows %v, want %d adjacent rows", v, rows, lineWidth)
		}
		var sum float64
		for y := range rows {
			sum += float64(y)
		}
		centre := float64(f.Min.Y+f.Max.Y-1) / 2
		if mean := sum / lineWidth; math.Abs(mean-centre) > 1 {
			t.Errorf("v=%v: line at row %.1f, want the middle of the frame %.1f", v, mean, centre)
		}
		// Epochs 1..10 padded by 5% of 9 at both ends: the line spans 9/9.9
		// of the frame, centred, and has no gap.
		wantLeft := float64(f.Min.X) + 0.45/9.9*float64(f.Dx()-1)
		wantRight := float64(f.Max.X-1) - 0.45/9.9*float64(f.Dx()-1)
		if math.Abs(float64(minX)-wantLeft) > 2 || math.Abs(float64(maxX)-wantRight) > 3 {
			t.Errorf("v=%v: line from x=%d to %d, want %.1f to %.1f", v, minX, maxX, wantLeft, wantRight)
		}
		if n := maxX - minX + 1; len(pts) != n*lineWidth {
			t.Errorf("v=%v: %d pixels between x=%d and %d, want %d: a gap", v, len(pts), minX, maxX, n*lineWidth)
		}
	}
}

// TestRisingSeries checks a straight rising line: its slope in pixels is
// the frame's aspect ratio, since both axes are padded alike.
func TestRisingSeries(t *testing.T) {
	red := color.RGBA{255, 0, 0, 255}
	vals := make([]float64, 21)
	for i := range vals {
		vals[i] = float64(i) * 0.5
	}
	img, err := Render([]Series{{Name: "rising", Values: vals, Color: red}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := frame(t, img, 240, marginTop-2)
	top := map[int]int{} // column → highest row
	for _, p := range pixelsOf(img, red, f.Min.Y) {
		if y, ok := top[p.X]; !ok || p.Y < y {
			top[p.X] = p.Y
		}
	}
	xs, ys := []float64{}, []float64{}
	for x, y := range top {
		xs, ys = append(xs, float64(x)), append(ys, float64(y))
	}
	// Least-squares slope.
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx, my = mx/float64(len(xs)), my/float64(len(xs))
	var sxy, sxx float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
	}
	slope := sxy / sxx
	want := -float64(f.Dy()-1) / float64(f.Dx()-1)
	if math.Abs(slope-want) > 0.02 {
		t.Errorf("slope %.4f px/px, want %.4f", slope, want)
	}
	// The centre of the line is the centre of the frame.
	if cx, cy := float64(f.Min.X+f.Max.X-1)/2, float64(f.Min.Y+f.Max.Y-1)/2; math.Abs(mx-cx) > 2 || math.Abs(my+0.5-cy) > 2 {
		t.Errorf("line centred at (%.1f, %.1f), want (%.1f, %.1f)", mx, my, cx, cy)
	}
}

func TestNonFiniteValuesBreakTheLine(t *testing.T) {
	c := color.RGBA{0, 200, 0, 255}
	vals := []float64{1, 2, 3, math.NaN(), 3, 2, math.Inf(1), 1, 2}
	img, err := Render([]Series{{Name: "gappy", Values: vals, Color: c}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := frame(t, img, 240, marginTop-2)
	// Epoch e is at f.Min.X + (e-0.6)/8.8*(width-1): epochs 1..9 padded by 0.4.
	xOf := func(e float64) int { return f.Min.X + int(math.Round((e-0.6)/8.8*float64(f.Dx()-1))) }
	cols := map[int]bool{}
	for _, p := range pixelsOf(img, c, f.Min.Y) {
		cols[p.X] = true
	}
	for _, gap := range [][2]float64{{3, 5}, {6, 8}} {
		for x := xOf(gap[0]) + 3; x <= xOf(gap[1])-3; x++ {
			if cols[x] {
				t.Errorf("pixel at x=%d, inside the gap between epochs %v and %v", x, gap[0], gap[1])
				break
			}
		}
	}
	for _, seg := range [][2]float64{{1, 3}, {5, 6}, {8, 9}} {
		for x := xOf(seg[0]) + 1; x <= xOf(seg[1])-1; x++ {
			if !cols[x] {
				t.Errorf("no pixel at x=%d, on the segment between epochs %v and %v", x, seg[0], seg[1])
				break
			}
		}
	}
}

func TestEpochsGiven(t *testing.T) {
	c := color.RGBA{9, 9, 9, 255}
	// The same values at epochs 11..13 or by default 1..3 draw the same line.
	a, err := Render([]Series{{Name: "s", Values: []float64{1, 2, 3}, Epochs: []int{11, 12, 13}, Color: c}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Render([]Series{{Name: "s", Values: []float64{1, 2, 3}, Color: c}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	pa, pb := pixelsOf(a, c, marginTop), pixelsOf(b, c, marginTop)
	if len(pa) == 0 || len(pa) != len(pb) {
		t.Fatalf("%d and %d pixels", len(pa), len(pb))
	}
	for i := range pa {
		if pa[i] != pb[i] {
			t.Fatalf("pixel %d: %v and %v", i, pa[i], pb[i])
		}
	}
}

func TestLayout(t *testing.T) {
	three := []Series{
		{Name: "training loss", Panel: "loss", Values: []float64{1, 0.5}},
		{Name: "validation loss", Panel: "loss", Values: []float64{1.2, 0.7}},
		{Name: "learning rate", Values: []float64{1e-3, 1e-4}},
		{Name: "validation Dice", Values: []float64{0.2, 0.6}},
	}
	for _, tc := range []struct {
		name   string
		series []Series
		opts   Options
		w, h   int
	}{
		{"one panel", three[:1], Options{}, 480, 300},
		{"two series one panel", three[:2], Options{}, 480, 300},
		{"three panels, two columns", three, Options{}, 960, 600},
		{"three panels, one column", three, Options{Columns: 1}, 480, 900},
		{"three panels, five columns", three, Options{Columns: 5}, 1440, 300},
		{"panel size", three, Options{PanelWidth: 300, PanelHeight: 200, Columns: 3}, 900, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img, err := Render(tc.series, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if b := img.Bounds(); b.Dx() != tc.w || b.Dy() != tc.h {
				t.Errorf("size %v, want %dx%d", b.Size(), tc.w, tc.h)
			}
		})
	}
	// Series sharing a panel get different colours.
	img, err := Render(three[:2], Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range palette[:2] {
		if len(pixelsOf(img, c, marginTop)) == 0 {
			t.Errorf("no pixel of colour %v", c)
		}
	}
}

func TestBestEpochMarker(t *testing.T) {
	vals := []float64{5, 4, 3, 2, 1, 2, 3, 4, 5}
	for _, tc := range []struct {
		best int
		want bool
	}{{5, true}, {1, true}, {0, false}, {40, false}, {-2, false}} {
		img, err := Render([]Series{{Name: "loss", Values: vals}}, Options{BestEpoch: tc.best})
		if err != nil {
			t.Fatal(err)
		}
		f := frame(t, img, 240, marginTop-2)
		cols := map[int]int{}
		for _, p := range pixelsOf(img, bestColor, f.Min.Y+1) {
			cols[p.X]++
		}
		if !tc.want {
			if len(cols) != 0 {
				t.Errorf("best %d: marker pixels in columns %v", tc.best, cols)
			}
			continue
		}
		want := f.Min.X + int(math.Round((float64(tc.best)-0.6)/8.8*float64(f.Dx()-1)))
		if len(cols) != 1 {
			t.Fatalf("best %d: marker in columns %v, want one column", tc.best, cols)
		}
		for x, n := range cols {
			if abs(x-want) > 1 || n < f.Dy()/3 || n > f.Dy()*3/4 {
				t.Errorf("best %d: dashed marker at x=%d with %d pixels, want x=%d, dashed over %d rows", tc.best, x, n, want, f.Dy())
			}
		}
		// The legend names it.
		if len(pixelsOf(img, bestColor, 0)) == len(pixelsOf(img, bestColor, f.Min.Y+1)) {
			t.Errorf("best %d: no legend entry", tc.best)
		}
	}
}

func TestPlotWritesPNGAtomically(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "training_curves.png")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := []Series{{Name: "training loss", Values: []float64{1, 0.5, 0.25}}}
	if err := Plot(path, s, Options{BestEpoch: 3}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds() != image.Rect(0, 0, 480, 300) {
		t.Errorf("bounds %v", img.Bounds())
	}
	want, _ := Render(s, Options{BestEpoch: 3})
	for y := 0; y < 300; y++ {
		for x := 0; x < 480; x++ {
			if r, g, bl, a := img.At(x, y).RGBA(); color.RGBA64Model.Convert(want.At(x, y)) != (color.RGBA64{uint16(r), uint16(g), uint16(bl), uint16(a)}) {
				t.Fatalf("pixel (%d,%d) differs from Render's", x, y)
			}
		}
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, %v", st.Mode(), err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("files left in the folder: %v", ents)
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "training_curves.png")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		path   string
		series []Series
		want   string
	}{
		{"no series", path, nil, "no series"},
		{"no name", path, []Series{{Values: []float64{1}}}, "series 0 has no name"},
		{"epochs mismatch", path, []Series{{Name: "val", Values: []float64{1, 2}, Epochs: []int{1}}}, `series "val": 1 epochs for 2 values`},
		{"missing folder", filepath.Join(dir, "no", "x.png"), []Series{{Name: "a", Values: []float64{1}}}, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Plot(tc.path, tc.series, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.path) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one naming %s and %q", err, tc.path, tc.want)
			}
			if b, _ := os.ReadFile(path); string(b) != "old" {
				t.Errorf("existing file changed")
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 1 {
				t.Errorf("files left: %v", ents)
			}
		})
	}
}

func TestEmptyAndSinglePoint(t *testing.T) {
	c := color.RGBA{1, 2, 3, 255}
	img, err := Render([]Series{
		{Name: "nothing yet", Values: []float64{math.NaN()}},
		{Name: "one", Values: []float64{0.3}, Color: c},
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// A lone point is a dot in the middle of the second panel's frame.
	f := frame(t, img, 480+240, marginTop-2)
	pts := pixelsOf(img, c, f.Min.Y)
	if len(pts) < 5 {
		t.Fatalf("%d pixels for a single point", len(pts))
	}
	var sx, sy float64
	for _, p := range pts {
		sx, sy = sx+float64(p.X), sy+float64(p.Y)
	}
	sx, sy = sx/float64(len(pts)), sy/float64(len(pts))
	if cx, cy := float64(f.Min.X+f.Max.X-1)/2, float64(f.Min.Y+f.Max.Y-1)/2; math.Abs(sx-cx) > 1 || math.Abs(sy-cy) > 1 {
		t.Errorf("dot at (%.1f, %.1f), want (%.1f, %.1f)", sx, sy, cx, cy)
	}
}

func TestNiceStep(t *testing.T) {
	for _, tc := range []struct{ raw, want float64 }{
		{1, 1}, {0.216, 0.2}, {0.31, 0.5}, {0.75, 1}, {1.4, 1}, {1.6, 2}, {2.9, 2}, {3.1, 5}, {6.9, 5}, {7.1, 10},
		{0.00018, 0.0002}, {1234, 1000}, {45, 50},
	} {
		if got := niceStep(tc.raw); math.Abs(got-tc.want) > 1e-12*tc.want {
			t.Errorf("niceStep(%v) = %v, want %v", tc.raw, got, tc.want)
		}
	}
}

func TestTicks(t *testing.T) {
	for _, tc := range []struct {
		name     string
		min, max float64
		integer  bool
		want     []string
	}{
		{"dice", 0.1, 0.9, false, []string{"0.2", "0.4", "0.6", "0.8"}},
		{"learning rate", 0, 0.001, false, []string{"0.0000", "0.0002", "0.0004", "0.0006", "0.0008", "0.0010"}},
		{"tiny", 1e-7, 5e-7, false, []string{"1e-07", "2e-07", "3e-07", "4e-07", "5e-07"}},
		{"epochs", 1, 100, true, []string{"0", "20", "40", "60", "80", "100"}},
		{"few epochs", 1, 3, true, []string{"1", "2", "3"}},
		{"one epoch", 1, 1, true, []string{"0", "1", "2"}},
		{"constant zero", 0, 0, false, []string{"-1.0", "-0.5", "0.0", "0.5", "1.0"}},
		{"negative", -10, -2, false, []string{"-10", "-8", "-6", "-4", "-2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newAxis(tc.min, tc.max, tc.integer)
			if strings.Join(a.tickLabels, " ") != strings.Join(tc.want, " ") {
				t.Errorf("ticks %q, want %q", a.tickLabels, tc.want)
			}
			for _, v := range a.ticks {
				if v < a.lo || v > a.hi {
					t.Errorf("tick %v outside [%v, %v]", v, a.lo, a.hi)
				}
			}
		})
	}
}

// FuzzRender draws arbitrary values, extremes and near-equal values far
// from zero included: drawing must end, without a panic, and keep the
// curve inside its panel.
func FuzzRender(f *testing.F) {
	f.Add(1.0, 2.0, 3.0, 1)
	f.Add(-math.MaxFloat64, math.MaxFloat64, 0.0, 2)
	f.Add(1e15, 1e15+0.125, 1e15, 3)
	f.Add(5e-324, 0.0, -5e-324, 0)
	f.Add(math.NaN(), math.Inf(1), 1.0, -7)
	f.Fuzz(func(t *testing.T, a, b, c float64, best int) {
		ink := color.RGBA{3, 2, 1, 255}
		img, err := Render([]Series{{Name: "s", Values: []float64{a, b, c, a}, Color: ink}}, Options{PanelWidth: 160, PanelHeight: 120, BestEpoch: best})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pixelsOf(img, ink, 0) {
			if p.Y < legendY+9 && p.Y >= legendY {
				continue // the legend sample
			}
			if p.Y < marginTop || p.Y >= 120-marginBottom || p.X >= 160-marginRight {
				t.Fatalf("curve pixel %v outside the plot", p)
			}
		}
	})
}
