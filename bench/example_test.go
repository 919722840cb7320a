package bench_test

import (
	"fmt"

	"github.com/ivadogo/ivadogo/bench"
)

// Select picks cases by a regular expression on their names, as
// 'ivadogo bench --filter' does.
func ExampleSelect() {
	cs, err := bench.Select(`^gemm_`)
	if err != nil {
		panic(err)
	}
	for _, c := range cs {
		fmt.Printf("%s: %d×%d×%d, %.0f FLOP\n", c.Name, c.M, c.N, c.K, c.Flops)
	}
	// Output:
	// gemm_1024x1024x1024: 1024×1024×1024, 2147483648 FLOP
	// gemm_512x1024x4608: 512×1024×4608, 4831838208 FLOP
	// gemm_64x4096x576: 64×4096×576, 301989888 FLOP
}

// Register plugs in the setup of more cases, e.g. a model's training step:
// the setup allocates once and returns the operation that Run times.
func ExampleRegister() {
	bench.Register("example_axpy", func(c bench.Case) (func(), error) {
		x, y := make([]float32, 1<<10), make([]float32, 1<<10)
		return func() {
			for i := range y {
				y[i] += 2 * x[i]
			}
		}, nil
	})
	r, err := bench.Run(bench.Case{Name: "example_axpy", Kind: "mem", Bytes: 3 * 4 << 10}, bench.Options{Target: 1e-3})
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Case, r.Kind, r.Reps >= 5, r.GBPS != nil)
	// Output: example_axpy mem true true
}
