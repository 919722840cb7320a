package optim

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

type scheduleFixture struct {
	Name   string `json:"name"`
	Config struct {
		Kind     string  `json:"kind"`
		BaseLR   float64 `json:"base_lr"`
		MaxLR    float64 `json:"max_lr"`
		TMax     int     `json:"T_max"`
		EtaMin   float64 `json:"eta_min"`
		T0       int     `json:"T_0"`
		TMult    int     `json:"T_mult"`
		StepUp   int     `json:"step_size_up"`
		StepDown int     `json:"step_size_down"`
		Mode     string  `json:"mode"`
		Gamma    float64 `json:"gamma"`
		MaxSteps int     `json:"max_steps"`
		Exponent float64 `json:"exponent"`
	} `json:"config"`
	LR []float64 `json:"lr"`
}

func loadJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile("../testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// TestSchedulesMatchPyTorch compares 100 steps of every schedule with
// PyTorch's scheduler objects stepping an optimiser.
func TestSchedulesMatchPyTorch(t *testing.T) {
	var fx struct {
		Schedules []scheduleFixture `json:"schedules"`
	}
	loadJSON(t, "schedules.json", &fx)
	if len(fx.Schedules) < 8 {
		t.Fatalf("only %d schedules in the fixture", len(fx.Schedules))
	}
	for _, f := range fx.Schedules {
		t.Run(f.Name, func(t *testing.T) {
			c := f.Config
			var s Schedule
			switch c.Kind {
			case "cosine":
				s = CosineAnnealing{Base: c.BaseLR, EtaMin: c.EtaMin, TMax: c.TMax}
			case "warm_restarts":
				s = CosineWarmRestarts{Base: c.BaseLR, EtaMin: c.EtaMin, T0: c.T0, TMult: c.TMult}
			case "cyclic":
				m, err := ParseCyclicMode(c.Mode)
				if err != nil {
					t.Fatal(err)
				}
				s = Cyclic{Base: c.BaseLR, Max: c.MaxLR, StepUp: c.StepUp, StepDown: c.StepDown, Mode: m, Gamma: c.Gamma}
			case "poly":
				s = Poly{Base: c.BaseLR, MaxSteps: c.MaxSteps, Exponent: c.Exponent}
			default:
				t.Fatalf("unknown kind %q", c.Kind)
			}
			for i, want := range f.LR {
				got := s.LR(i)
				if math.Abs(got-want) > 1e-9*math.Max(math.Abs(want), 1e-6) {
					t.Fatalf("step %d: lr %.17g, PyTorch %.17g", i, got, want)
				}
			}
		})
	}
}

func TestParseCyclicModeError(t *testing.T) {
	if _, err := ParseCyclicMode("triangle"); err == nil {
		t.Error("accepted an unknown mode")
	}
}
