package pipeline

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"strconv"
	"strings"
)

// Curve colours: training loss blue, validation loss orange, validation
// Dice green (on its own 0..1 scale), as matplotlib's first three.
var (
	trainColor = color.RGBA{31, 119, 180, 255}
	validColor = color.RGBA{255, 127, 14, 255}
	diceColor  = color.RGBA{44, 160, 44, 255}
)

// writeCurves draws training_curves.png from training_metrics.csv: the
// training and validation losses against the epoch on a common scale, and
// the validation Dice on a 0..1 scale, with a light grid of tenths. It
// has no text (no font is linked); the CSV holds the numbers.
func writeCurves(csvPath, pngPath string) error {
	b, err := os.ReadFile(csvPath)
	if err != nil {
		return err
	}
	var tr, va, di []float64
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Split(line, ",")
		if i == 0 || len(f) < 4 {
			continue
		}
		t, _ := strconv.ParseFloat(f[1], 64)
		v, _ := strconv.ParseFloat(f[2], 64)
		d, _ := strconv.ParseFloat(f[3], 64)
		tr, va, di = append(tr, t), append(va, v), append(di, d)
	}
	img := drawCurves(tr, va, di, 640, 400)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	return writeAtomic(pngPath, buf.Bytes())
}

// drawCurves plots the series on a w×h image.
func drawCurves(train, valid, dice []float64, w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	const m = 30
	x0, y0, x1, y1 := m, h-m, w-m, m
	grid := color.RGBA{225, 225, 225, 255}
	for i := 0; i <= 10; i++ {
		y := y0 + (y1-y0)*i/10
		line(img, x0, y, x1, y, grid)
	}
	black := color.RGBA{0, 0, 0, 255}
	line(img, x0, y0, x1, y0, black)
	line(img, x0, y0, x0, y1, black)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range [][]float64{train, valid} {
		for _, v := range s {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	if hi <= lo {
		lo, hi = lo-1, lo+1
	}
	n := max(len(train), 2)
	px := func(i int) int { return x0 + (x1-x0)*i/(n-1) }
	plot := func(s []float64, lo, hi float64, c color.RGBA) {
		py := func(v float64) int { return y0 - int(math.Round((v-lo)/(hi-lo)*float64(y0-y1))) }
		for i := 1; i < len(s); i++ {
			if math.IsNaN(s[i-1]) || math.IsNaN(s[i]) {
				continue
			}
			line(img, px(i-1), py(s[i-1]), px(i), py(s[i]), c)
		}
		if len(s) == 1 && !math.IsNaN(s[0]) {
			img.Set(px(0), py(s[0]), c)
		}
	}
	plot(train, lo, hi, trainColor)
	plot(valid, lo, hi, validColor)
	plot(dice, 0, 1, diceColor)
	return img
}

// line draws a segment with Bresenham's algorithm, two pixels thick.
func line(img *image.RGBA, xa, ya, xb, yb int, c color.RGBA) {
	dx, dy := abs(xb-xa), -abs(yb-ya)
	sx, sy := 1, 1
	if xa > xb {
		sx = -1
	}
	if ya > yb {
		sy = -1
	}
	e := dx + dy
	for {
		img.SetRGBA(xa, ya, c)
		img.SetRGBA(xa, ya+1, c)
		if xa == xb && ya == yb {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			xa += sx
		}
		if e2 <= dx {
			e += dx
			ya += sy
		}
	}
}

func abs(a int) int {
	if a < 0 {
		return -a
	}
	return a
}
