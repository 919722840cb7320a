package pipeline

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCurves draws the figure of a three-epoch CSV and checks it is a
// PNG with two panels' worth of pixels in both loss colours.
func TestCurves(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "m.csv")
	os.WriteFile(csv, []byte("epoch,train_loss,val_loss,val_dice,learning_rate,seconds\n1,-0.1,-0.2,0,0.1,1\n2,-0.5,-0.6,0.5,0.1,1\n3,-0.9,-0.8,1,0.1,1\n"), 0o644)
	out := filepath.Join(dir, "c.png")
	if err := writeCurves(csv, out, 3); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// matplotlib's first two colours: the training and validation losses.
	want := map[[3]uint32]bool{{31, 119, 180}: false, {255, 127, 14}: false}
	bd := img.Bounds()
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if _, ok := want[[3]uint32{r >> 8, g >> 8, b >> 8}]; ok {
				want[[3]uint32{r >> 8, g >> 8, b >> 8}] = true
			}
		}
	}
	for c, seen := range want {
		if !seen {
			t.Errorf("no pixel of colour %v: a loss curve is missing", c)
		}
	}
	if bd.Dx() < 2*300 {
		t.Errorf("figure %d px wide, want two panels side by side", bd.Dx())
	}
}

func TestCurvesClock(t *testing.T) {
	t0 := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	var c curvesClock
	for i, s := range []struct {
		after time.Duration
		final bool
		want  bool
	}{
		{0, false, true}, // the first epoch
		{time.Second, false, false},
		{curvesEvery - time.Millisecond, false, false},
		{curvesEvery, false, true}, // curvesEvery after the first drawing
		{curvesEvery + time.Second, false, false},
		{curvesEvery + 2*time.Second, true, true}, // the last epoch
	} {
		if got := c.due(t0.Add(s.after), s.final); got != s.want {
			t.Errorf("step %d (%v, final %v): due %v, want %v", i, s.after, s.final, got, s.want)
		}
	}
}
