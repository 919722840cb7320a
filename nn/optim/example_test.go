package optim_test

import (
	"fmt"

	"github.com/ivadogo/ivadogo/nn/optim"
)

// ivadomed's default schedule: cosine annealing over the epochs.
func ExampleCosineAnnealing() {
	s := optim.CosineAnnealing{Base: 1e-3, TMax: 100}
	for _, epoch := range []int{0, 50, 100} {
		fmt.Printf("%.6f\n", s.LR(epoch))
	}
	// Output:
	// 0.001000
	// 0.000500
	// 0.000000
}

// CyclicLR in ivadomed's triangular2 mode, stepped per batch.
func ExampleCyclic() {
	s := optim.Cyclic{Base: 1e-5, Max: 1e-2, StepUp: 4, Mode: optim.Triangular2}
	for _, t := range []int{0, 4, 8, 12} {
		fmt.Printf("%.5f\n", s.LR(t))
	}
	// Output:
	// 0.00001
	// 0.01000
	// 0.00001
	// 0.00500
}
