package curves_test

import (
	"fmt"
	"image/png"
	"log"
	"os"
	"path/filepath"

	"github.com/ivadogo/ivadogo/pipeline/curves"
)

func Example() {
	dir, err := os.MkdirTemp("", "curves")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "training_curves.png")

	series := []curves.Series{
		{Name: "training loss", Panel: "loss", Values: []float64{0.9, 0.5, 0.3, 0.25}},
		{Name: "validation loss", Panel: "loss", Values: []float64{1.0, 0.6, 0.45, 0.5}},
		{Name: "learning rate", Values: []float64{1e-3, 1e-3, 5e-4, 5e-4}},
		{Name: "validation Dice", Values: []float64{0.2, 0.55, 0.7, 0.68}},
	}
	if err := curves.Plot(path, series, curves.Options{BestEpoch: 3}); err != nil {
		log.Fatal(err)
	}

	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cfg.Width, cfg.Height)
	// Output: 960 600
}
