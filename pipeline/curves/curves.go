package curves

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
)

// Series is one curve.
type Series struct {
	// Name labels the curve in the legend, e.g. "validation loss".
	Name string
	// Panel is the title of the panel the curve is drawn in; curves with
	// the same Panel share its axes. Empty means a panel of its own,
	// titled Name.
	Panel string
	// Epochs are the x values. Nil means 1, 2, …, len(Values).
	Epochs []int
	// Values are the y values. NaN and ±Inf are left out, breaking the line.
	Values []float64
	// Color of the curve; the zero value picks the next colour of
	// matplotlib's default cycle within the panel.
	Color color.RGBA
}

// Options sets the size and marks of the figure. The zero value is usable.
type Options struct {
	// PanelWidth and PanelHeight are the size of one panel in pixels;
	// zero means 480×300.
	PanelWidth, PanelHeight int
	// Columns is the number of panels side by side; zero means two, or
	// one for a single panel.
	Columns int
	// BestEpoch, when positive, is marked by a dashed vertical line in
	// every panel and a dot on every curve.
	BestEpoch int
}

// Colours, as matplotlib's.
var (
	palette = []color.RGBA{
		{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255},
		{148, 103, 189, 255}, {140, 86, 75, 255}, {227, 119, 194, 255}, {127, 127, 127, 255},
		{188, 189, 34, 255}, {23, 190, 207, 255},
	}
	white     = color.RGBA{255, 255, 255, 255}
	black     = color.RGBA{0, 0, 0, 255}
	gridColor = color.RGBA{225, 225, 225, 255}
	bestColor = color.RGBA{120, 120, 120, 255}
)

// Layout of a panel, in pixels.
const (
	marginRight  = 16
	marginBottom = 36 // tick labels and the axis label "epoch"
	marginTop    = 44 // title (scale 2) and the legend row
	titleY       = 8
	legendY      = 30
	tickLen      = 4
	lineWidth    = 2
	// pad is the fraction of the data range added at both ends of an
	// axis, as matplotlib's default margins, so that curves do not run
	// along the frame.
	pad = 0.05
)

// Plot draws the series as a PNG at path, replacing it atomically: the
// image is written to a temporary file in the same folder, then renamed,
// so that a reader never sees a partial file and an error leaves the old
// one in place.
func Plot(path string, series []Series, opts Options) error {
	img, err := Render(series, opts)
	if err != nil {
		return fmt.Errorf("curves: %s: %w", path, err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return fmt.Errorf("curves: %s: %w", path, err)
	}
	if err := writeAtomic(path, buf.Bytes()); err != nil {
		return fmt.Errorf("curves: %s: %w", path, err)
	}
	return nil
}

func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// CreateTemp makes the file 0600; a plot is for everyone to read.
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// panel is the series of one panel.
type panel struct {
	title  string
	series []Series
}

// group checks the series and gathers them into panels in order of first
// appearance.
func group(series []Series) ([]panel, error) {
	if len(series) == 0 {
		return nil, errors.New("no series to plot")
	}
	var panels []panel
	index := map[string]int{}
	for i, s := range series {
		if s.Name == "" {
			return nil, fmt.Errorf("series %d has no name", i)
		}
		if s.Epochs != nil && len(s.Epochs) != len(s.Values) {
			return nil, fmt.Errorf("series %q: %d epochs for %d values", s.Name, len(s.Epochs), len(s.Values))
		}
		title := s.Panel
		if title == "" {
			title = s.Name
		}
		j, ok := index[title]
		if !ok {
			j = len(panels)
			index[title] = j
			panels = append(panels, panel{title: title})
		}
		if s.Color == (color.RGBA{}) {
			s.Color = palette[len(panels[j].series)%len(palette)]
		}
		panels[j].series = append(panels[j].series, s)
	}
	return panels, nil
}

func (s *Series) epoch(i int) float64 {
	if s.Epochs == nil {
		return float64(i + 1)
	}
	return float64(s.Epochs[i])
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Render draws the series and returns the image that Plot writes.
func Render(series []Series, opts Options) (*image.RGBA, error) {
	panels, err := group(series)
	if err != nil {
		return nil, err
	}
	pw, ph, cols := opts.PanelWidth, opts.PanelHeight, opts.Columns
	if pw <= 0 {
		pw = 480
	}
	if ph <= 0 {
		ph = 300
	}
	if cols <= 0 {
		cols = 2
	}
	cols = min(cols, len(panels))
	rows := (len(panels) + cols - 1) / cols
	img := image.NewRGBA(image.Rect(0, 0, cols*pw, rows*ph))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for i, p := range panels {
		r := image.Rect(0, 0, pw, ph).Add(image.Pt(i%cols*pw, i/cols*ph))
		drawPanel(img, r, p, opts.BestEpoch)
	}
	return img, nil
}

// axis maps data values onto a pixel range.
type axis struct {
	lo, hi     float64 // data range, padded
	pLo, pHi   int     // pixels of lo and hi
	ticks      []float64
	tickLabels []string
}

// pixel maps v to a pixel, clamped to the axis: ranges near the limits of
// float64 can overflow to ±Inf or NaN, and a wild coordinate would send the
// line drawing on an endless walk.
func (a *axis) pixel(v float64) int {
	// Halves keep hi-lo finite for ranges up to ±MaxFloat64.
	f := float64(a.pLo) + (v/2-a.lo/2)/(a.hi/2-a.lo/2)*float64(a.pHi-a.pLo)
	lo, hi := float64(min(a.pLo, a.pHi)), float64(max(a.pLo, a.pHi))
	switch {
	case math.IsNaN(f):
		return a.pLo
	case f < lo:
		return int(lo)
	case f > hi:
		return int(hi)
	}
	return int(math.Round(f))
}

// newAxis pads [min, max] and picks ticks at round numbers inside it.
// A range of one value is widened around it, so a constant curve lies in
// the middle. integer axes (epochs) get integer ticks.
func newAxis(min, max float64, integer bool) axis {
	if min == max {
		d := math.Abs(min) * 0.5
		if integer || d == 0 || min-d == min {
			d = 1
		}
		min, max = min-d, max+d
	} else {
		d := (max/2 - min/2) * 2 * pad
		if math.IsInf(min-d, 0) || math.IsInf(max+d, 0) {
			d = 0
		}
		min, max = min-d, max+d
	}
	a := axis{lo: min, hi: max}
	step := niceStep((max - min) / 5)
	if integer && step < 1 {
		step = 1
	}
	// At most a dozen ticks, and none twice: far from zero, k*step can
	// stop changing with k when the range is tiny against its values.
	k0 := math.Ceil(min / step)
	for i := 0.0; i < 12; i++ {
		v := (k0 + i) * step
		if !(v <= max) || len(a.ticks) > 0 && v == a.ticks[len(a.ticks)-1] {
			break
		}
		if v == 0 {
			v = 0 // no "-0"
		}
		a.ticks = append(a.ticks, v)
		a.tickLabels = append(a.tickLabels, formatTick(v, step))
	}
	return a
}

// niceStep rounds raw to the nearest of 1, 2 or 5 times a power of ten,
// so that a range gets four to eight ticks.
func niceStep(raw float64) float64 {
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	switch f := raw / mag; {
	case f < 1.5:
		return mag
	case f < 3:
		return 2 * mag
	case f < 7:
		return 5 * mag
	}
	return 10 * mag
}

// formatTick writes v with as many decimals as the step needs, or in
// exponent form for very small or large steps.
func formatTick(v, step float64) string {
	e := math.Floor(math.Log10(step))
	if e < -4 || e > 6 {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	return strconv.FormatFloat(v, 'f', max(0, int(-e)), 64)
}

func drawPanel(img *image.RGBA, r image.Rectangle, p panel, best int) {
	// Data ranges over the finite points.
	xmin, xmax := math.Inf(1), math.Inf(-1)
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for _, s := range p.series {
		for i, v := range s.Values {
			if !finite(v) {
				continue
			}
			x := s.epoch(i)
			xmin, xmax = math.Min(xmin, x), math.Max(xmax, x)
			ymin, ymax = math.Min(ymin, v), math.Max(ymax, v)
		}
	}
	drawText(img, r.Min.X+(r.Dx()-textWidth(p.title, 2))/2, r.Min.Y+titleY, p.title, black, 2)
	empty := math.IsInf(xmin, 1)
	if empty {
		xmin, xmax, ymin, ymax = 1, 1, 0, 1
	}
	ya := newAxis(ymin, ymax, false)
	labelW := 0
	for _, l := range ya.tickLabels {
		labelW = max(labelW, textWidth(l, 1))
	}
	plot := image.Rect(r.Min.X+labelW+tickLen+10, r.Min.Y+marginTop, r.Max.X-marginRight, r.Max.Y-marginBottom)
	xa := newAxis(xmin, xmax, true)
	xa.pLo, xa.pHi = plot.Min.X, plot.Max.X-1
	ya.pLo, ya.pHi = plot.Max.Y-1, plot.Min.Y

	// Grid, frame, ticks and their labels.
	for i, v := range ya.ticks {
		y := ya.pixel(v)
		hline(img, plot.Min.X+1, plot.Max.X-2, y, gridColor)
		hline(img, plot.Min.X-tickLen, plot.Min.X-1, y, black)
		l := ya.tickLabels[i]
		drawText(img, plot.Min.X-tickLen-3-textWidth(l, 1), y-glyphH/2, l, black, 1)
	}
	for i, v := range xa.ticks {
		x := xa.pixel(v)
		vline(img, x, plot.Min.Y+1, plot.Max.Y-2, gridColor)
		vline(img, x, plot.Max.Y, plot.Max.Y+tickLen-1, black)
		l := xa.tickLabels[i]
		drawText(img, x-textWidth(l, 1)/2, plot.Max.Y+tickLen+3, l, black, 1)
	}
	drawText(img, plot.Min.X+(plot.Dx()-textWidth("epoch", 1))/2, plot.Max.Y+tickLen+15, "epoch", black, 1)
	hline(img, plot.Min.X, plot.Max.X-1, plot.Min.Y, black)
	hline(img, plot.Min.X, plot.Max.X-1, plot.Max.Y-1, black)
	vline(img, plot.Min.X, plot.Min.Y, plot.Max.Y-1, black)
	vline(img, plot.Max.X-1, plot.Min.Y, plot.Max.Y-1, black)
	if empty {
		drawText(img, plot.Min.X+(plot.Dx()-textWidth("no data", 1))/2, (plot.Min.Y+plot.Max.Y)/2, "no data", black, 1)
	}

	inner := image.Rect(plot.Min.X+1, plot.Min.Y+1, plot.Max.X-1, plot.Max.Y-1)
	markBest := best > 0 && !empty && float64(best) >= xa.lo && float64(best) <= xa.hi
	if markBest {
		x := xa.pixel(float64(best))
		for y := inner.Min.Y; y < inner.Max.Y; y++ {
			if (y-inner.Min.Y)%8 < 5 {
				setPixel(img, x, y, bestColor)
			}
		}
	}

	// Curves: a segment between consecutive finite points, a dot for a
	// point with no finite neighbour.
	for _, s := range p.series {
		for i, v := range s.Values {
			if !finite(v) {
				continue
			}
			x, y := xa.pixel(s.epoch(i)), ya.pixel(v)
			prev := i > 0 && finite(s.Values[i-1])
			next := i+1 < len(s.Values) && finite(s.Values[i+1])
			if next {
				line(img, inner, x, y, xa.pixel(s.epoch(i+1)), ya.pixel(s.Values[i+1]), s.Color)
			}
			if !prev && !next {
				dot(img, inner, x, y, 2, s.Color)
			}
			if markBest && int(s.epoch(i)) == best {
				dot(img, inner, x, y, 3, s.Color)
			}
		}
	}

	// Legend: one row under the title, centred.
	type entry struct {
		name   string
		c      color.RGBA
		dashed bool
	}
	var entries []entry
	for _, s := range p.series {
		entries = append(entries, entry{s.Name, s.Color, false})
	}
	if markBest {
		entries = append(entries, entry{"best epoch " + strconv.Itoa(best), bestColor, true})
	}
	const sample, gap = 16, 14
	w := 0
	for i, e := range entries {
		if i > 0 {
			w += gap
		}
		w += sample + 4 + textWidth(e.name, 1)
	}
	x := r.Min.X + (r.Dx()-w)/2
	y := r.Min.Y + legendY
	for _, e := range entries {
		for dx := 0; dx < sample; dx++ {
			if !e.dashed || dx%6 < 4 {
				setPixel(img, x+dx, y+3, e.c)
				setPixel(img, x+dx, y+4, e.c)
			}
		}
		x += sample + 4
		drawText(img, x, y, e.name, black, 1)
		x += textWidth(e.name, 1) + gap
	}
}

func hline(img *image.RGBA, x0, x1, y int, c color.RGBA) {
	for x := x0; x <= x1; x++ {
		setPixel(img, x, y, c)
	}
}

func vline(img *image.RGBA, x, y0, y1 int, c color.RGBA) {
	for y := y0; y <= y1; y++ {
		setPixel(img, x, y, c)
	}
}

// line draws a segment lineWidth pixels wide with Bresenham's algorithm,
// each step inking the pixel and those below and to its right, clipped
// to clip.
func line(img *image.RGBA, clip image.Rectangle, x0, y0, x1, y1 int, c color.RGBA) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := 1, 1
	if x0 > x1 {
		sx = -1
	}
	if y0 > y1 {
		sy = -1
	}
	e := dx + dy
	for {
		for j := 0; j < lineWidth; j++ {
			for i := 0; i < lineWidth; i++ {
				if (image.Point{x0 + i, y0 + j}).In(clip) {
					setPixel(img, x0+i, y0+j, c)
				}
			}
		}
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			x0 += sx
		}
		if e2 <= dx {
			e += dx
			y0 += sy
		}
	}
}

// dot draws a filled disc of the given radius, clipped to clip.
func dot(img *image.RGBA, clip image.Rectangle, x, y, radius int, c color.RGBA) {
	for j := -radius; j <= radius; j++ {
		for i := -radius; i <= radius; i++ {
			if i*i+j*j <= radius*radius+radius/2 && (image.Point{x + i, y + j}).In(clip) {
				setPixel(img, x+i, y+j, c)
			}
		}
	}
}

func abs(a int) int {
	if a < 0 {
		return -a
	}
	return a
}
