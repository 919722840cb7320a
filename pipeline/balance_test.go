package pipeline

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/pipeline/transforms"
)

// TestBalanceByMetadata balances the training slices over participants'
// sex (a participants.tsv column): each value must be drawn about equally
// often whatever its share of the slices, and a column that is not there
// must be an error naming it.
func TestBalanceByMetadata(t *testing.T) {
	dir := t.TempDir()
	cfg := e2eConfig(t, dir, 1)
	d := trainSet2D(t, cfg)
	labels, err := balanceLabels(config.BalanceSamples{Applied: true, Type: "sex"}, d)
	if err != nil {
		t.Fatal(err)
	}
	count := map[int]int{}
	for i, l := range labels {
		count[l]++
		sex, _ := d.pairs[d.refs[i].pair].Inputs[0].Get("sex")
		if first, _ := d.pairs[d.refs[0].pair].Inputs[0].Get("sex"); (sex == first) != (l == labels[0]) {
			t.Fatalf("slice %d (sex %s) has class %d; slice 0 (sex %s) has %d", i, sex, l, first, labels[0])
		}
	}
	if len(count) != 2 || count[0] == count[1] {
		t.Fatalf("classes %v: the test needs two unequal ones", count)
	}
	drawn := map[int]int{}
	for _, i := range transforms.BalancedSample(labels, 4000, rand.New(rand.NewPCG(1, 2))) {
		drawn[labels[i]]++
	}
	if r := float64(drawn[0]) / 4000; r < 0.45 || r > 0.55 {
		t.Errorf("class 0 is %d of %d slices but %.2f of the draws, want about 0.5", count[0], len(labels), r)
	}
	if _, err := balanceLabels(config.BalanceSamples{Applied: true, Type: "handedness"}, d); err == nil || !strings.Contains(err.Error(), "handedness") {
		t.Errorf("unknown column: error %v, want one naming it", err)
	}
	cfg.Training.BalanceSamples = config.BalanceSamples{Applied: true, Type: "sex"}
	if _, err := Train(cfg, Options{}); err != nil {
		t.Fatalf("train balanced by sex: %v", err)
	}
}
