package optim

import (
	"fmt"
	"math"
)

// A Schedule gives the learning rate at step t (t = 0 is the first epoch
// or batch, before any scheduler step), as a pure function so that a
// resumed training gets the same rate as an uninterrupted one.
type Schedule interface {
	LR(t int) float64
}

// CosineAnnealing is torch.optim.lr_scheduler.CosineAnnealingLR:
// lr = EtaMin + (Base − EtaMin)·(1 + cos(π·t/TMax))/2. Past TMax the
// cosine keeps going (back up), as PyTorch's does.
type CosineAnnealing struct {
	Base, EtaMin float64
	TMax         int
}

// LR implements Schedule.
func (s CosineAnnealing) LR(t int) float64 {
	return s.EtaMin + (s.Base-s.EtaMin)*(1+math.Cos(math.Pi*float64(t)/float64(s.TMax)))/2
}

// CosineWarmRestarts is torch.optim.lr_scheduler.CosineAnnealingWarmRestarts
// (SGDR): a cosine from Base down to EtaMin over T0 steps, restarted, each
// period TMult times longer than the last.
type CosineWarmRestarts struct {
	Base, EtaMin float64
	T0, TMult    int
}

// LR implements Schedule.
func (s CosineWarmRestarts) LR(t int) float64 {
	cur, period := t, s.T0
	mult := s.TMult
	if mult < 1 {
		mult = 1
	}
	if mult == 1 {
		cur = t % s.T0
	} else {
		for cur >= period {
			cur -= period
			period *= mult
		}
	}
	return s.EtaMin + (s.Base-s.EtaMin)*(1+math.Cos(math.Pi*float64(cur)/float64(period)))/2
}

// CyclicMode is one of CyclicLR's amplitude policies.
type CyclicMode int

const (
	// Triangular keeps the amplitude constant.
	Triangular CyclicMode = iota
	// Triangular2 halves the amplitude every cycle.
	Triangular2
	// ExpRange scales the amplitude by Gamma^t (t counts steps).
	ExpRange
)

// ParseCyclicMode reads PyTorch's spelling of a CyclicLR mode.
func ParseCyclicMode(s string) (CyclicMode, error) {
	switch s {
	case "triangular":
		return Triangular, nil
	case "triangular2":
		return Triangular2, nil
	case "exp_range":
		return ExpRange, nil
	}
	return 0, fmt.Errorf("optim: unknown CyclicLR mode %q (want triangular, triangular2 or exp_range)", s)
}

// Cyclic is torch.optim.lr_scheduler.CyclicLR (cycle_momentum=False):
// the rate climbs linearly from Base to Max over StepUp steps and falls
// back over StepDown steps (StepDown 0 means StepUp), with the amplitude
// shaped by Mode.
type Cyclic struct {
	Base, Max        float64
	StepUp, StepDown int
	Mode             CyclicMode
	Gamma            float64 // ExpRange only
}

// LR implements Schedule.
func (s Cyclic) LR(t int) float64 {
	down := s.StepDown
	if down <= 0 {
		down = s.StepUp
	}
	total := float64(s.StepUp + down)
	ratio := float64(s.StepUp) / total
	cycle := math.Floor(1 + float64(t)/total)
	x := 1 + float64(t)/total - cycle
	var scale float64
	if x <= ratio {
		scale = x / ratio
	} else {
		scale = (x - 1) / (ratio - 1)
	}
	h := (s.Max - s.Base) * scale
	switch s.Mode {
	case Triangular2:
		return s.Base + h/math.Pow(2, cycle-1)
	case ExpRange:
		return s.Base + h*math.Pow(s.Gamma, float64(t))
	}
	return s.Base + h
}

// Poly is nnU-Net's polynomial decay: lr = Base·(1 − t/MaxSteps)^Exponent,
// and 0 from MaxSteps on. nnU-Net uses Exponent 0.9.
type Poly struct {
	Base     float64
	MaxSteps int
	Exponent float64
}

// LR implements Schedule.
func (s Poly) LR(t int) float64 {
	if t >= s.MaxSteps {
		return 0
	}
	return s.Base * math.Pow(1-float64(t)/float64(s.MaxSteps), s.Exponent)
}
