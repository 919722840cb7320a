package pipeline

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// TestCurves draws falling losses and a rising Dice and checks the PNG:
// it decodes, and each curve's colour is where its first and last points
// must be (losses share a scale: the highest value at the top, the lowest
// at the bottom; Dice on 0..1).
func TestCurves(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "m.csv")
	os.WriteFile(csv, []byte("epoch,train_loss,val_loss,val_dice,learning_rate,seconds\n1,-0.1,-0.2,0,0.1,1\n2,-0.5,-0.6,0.5,0.1,1\n3,-0.9,-0.8,1,0.1,1\n"), 0o644)
	out := filepath.Join(dir, "c.png")
	if err := writeCurves(csv, out); err != nil {
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
	const w, h, m = 640, 400, 30
	tests := []struct {
		name string
		x, y int
		c    [3]uint32
	}{
		{"train loss starts at the top", m, m, [3]uint32{31, 119, 180}},
		{"train loss ends at the bottom", w - m, h - m, [3]uint32{31, 119, 180}},
		{"dice starts at 0", m + 1, h - m - 1, [3]uint32{44, 160, 44}},
		{"dice ends at 1", w - m, m, [3]uint32{44, 160, 44}},
	}
	for _, tt := range tests {
		found := false
		for dx := -2; dx <= 2 && !found; dx++ {
			for dy := -2; dy <= 2 && !found; dy++ {
				r, g, b, _ := img.At(tt.x+dx, tt.y+dy).RGBA()
				if [3]uint32{r >> 8, g >> 8, b >> 8} == tt.c {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("%s: colour %v not near (%d, %d)", tt.name, tt.c, tt.x, tt.y)
		}
	}
}
