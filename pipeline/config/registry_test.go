package config_test

import (
	"slices"
	"testing"

	"github.com/ivadogo/ivadogo/nn"
	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/pipeline/losses"
	"github.com/ivadogo/ivadogo/pipeline/transforms"
)

// TestRegistriesMatchImplementations keeps the names the config parser
// accepts in step with the packages that build them: every loss and
// transform they implement parses, and every name that parses is built.
func TestRegistriesMatchImplementations(t *testing.T) {
	if got, want := config.LossNames(), losses.Names(); !slices.Equal(got, want) {
		t.Errorf("config accepts losses %q, the losses package builds %q", got, want)
	}
	models := slices.DeleteFunc(nn.ModelNames(), func(n string) bool { return n == "UNet3D" })
	if got := config.ModelNames(); !slices.Equal(got, models) {
		t.Errorf("config accepts models %q, nn builds %q", got, models)
	}
	built := slices.DeleteFunc(transforms.Names(), func(n string) bool { return n == "NumpyToTensor" })
	if got := config.TransformNames(); !slices.Equal(got, built) {
		t.Errorf("config accepts transforms %q, the transforms package builds %q", got, built)
	}
}
