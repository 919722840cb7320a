package transforms

import "github.com/ivadogo/ivadogo/pipeline/config"

// Parameter structs of the transforms beyond ivadomed's, with their
// defaults, so that the config parser knows them (it checks every key and
// type) and this package then reads what it marshals back.
type (
	mirrorParams struct {
		Axes []int   `json:"axes"`
		P    float64 `json:"p"`
	}
	brightnessParams struct {
		MultiplierRange []float64 `json:"multiplier_range"`
		P               float64   `json:"p"`
	}
	contrastParams struct {
		ContrastRange []float64 `json:"contrast_range"`
		PreserveRange bool      `json:"preserve_range"`
		P             float64   `json:"p"`
	}
	lowResParams struct {
		ZoomRange []float64 `json:"zoom_range"`
		P         float64   `json:"p"`
	}
)

func init() {
	config.RegisterTransform("RandomMirror", func() any { return &mirrorParams{Axes: []int{0, 1, 2}, P: 0.5} })
	config.RegisterTransform("RandomBrightness", func() any {
		return &brightnessParams{MultiplierRange: []float64{0.75, 1.25}, P: 0.15}
	})
	config.RegisterTransform("RandomContrast", func() any {
		return &contrastParams{ContrastRange: []float64{0.75, 1.25}, PreserveRange: true, P: 0.15}
	})
	config.RegisterTransform("SimulateLowResolution", func() any {
		return &lowResParams{ZoomRange: []float64{0.5, 1}, P: 0.25}
	})
}
