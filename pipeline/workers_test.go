package pipeline

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/kernels"
)

// TestWorkerCountReproducible trains the quickstart on the phantom for an epoch twice
// with the same seed, once with one kernel worker and one loader worker,
// once with two kernel workers and three loader workers, and requires the
// same weights and per-epoch losses to the bit: a seed reproduces a run
// whatever the number of cores (it failed before the convolutions' weight
// gradients were cut into pieces fixed by the problem size).
func TestWorkerCountReproducible(t *testing.T) {
	defer kernels.SetWorkers(kernels.Workers())
	run := func(kw, lw int) (out string) {
		kernels.SetWorkers(kw)
		cfg := e2eConfig(t, t.TempDir(), 1)
		if _, err := Train(cfg, Options{Workers: lw}); err != nil {
			t.Fatal(err)
		}
		return cfg.PathOutput
	}
	a, b := run(1, 1), run(2, 3)
	for _, f := range []string{"final_model.safetensors", "best_model.safetensors"} {
		x, _ := os.ReadFile(filepath.Join(a, f))
		y, _ := os.ReadFile(filepath.Join(b, f))
		if len(x) == 0 || !bytes.Equal(x, y) {
			t.Errorf("%s: 2 kernel and 3 loader workers give other weights than 1 and 1", f)
		}
	}
	la := csvLosses(t, filepath.Join(a, "training_metrics.csv"))
	lb := csvLosses(t, filepath.Join(b, "training_metrics.csv"))
	if strings.Join(la, "\n") != strings.Join(lb, "\n") {
		t.Errorf("per-epoch losses differ:\n1 worker:\n%s\n2 and 3 workers:\n%s", strings.Join(la, "\n"), strings.Join(lb, "\n"))
	}
}
