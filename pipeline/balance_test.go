package pipeline

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/bids"
	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/pipeline/transforms"
)

// TestBalanceByMetadata balances the training slices over participants'
// sex (a participants.tsv column): each value must be drawn about equally
// often whatever its share of the slices, and a column that is not there
// must be an error naming it. The 3D sub-volumes take their class from
// their image as the slices do.
func TestBalanceByMetadata(t *testing.T) {
	dir := t.TempDir()
	cfg := e2eConfig(t, dir, 1)
	d := trainSet2D(t, cfg)
	labels := sexClasses(t, d, d.pairs, len(d.refs), func(i int) int { return d.refs[i].pair })
	count := map[int]int{}
	for _, l := range labels {
		count[l]++
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

	cfg.DefaultModel.Set("is_2d", false)
	cfg.DefaultModel.Set("length_3D", []int{16, 16, 16})
	cfg.DefaultModel.Set("stride_3D", []int{16, 16, 16})
	pairs, tl := trainPairs(t, cfg)
	mp, _, _ := cfg.ModelParams()
	d3, err := newPatches3D(pairs, cfg, mp, tl, transforms.Training, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	l3 := sexClasses(t, d3, d3.pairs, len(d3.refs), func(i int) int { return d3.refs[i].pair })
	if slices.Min(l3) == slices.Max(l3) {
		t.Errorf("3D sub-volumes all of class %d: the test needs both sexes", l3[0])
	}
}

// sexClasses returns balanceLabels by "sex" for the n samples of set, the
// i-th cut from pairs[pairOf(i)], and checks that two samples share a
// class exactly when their images' participants share a sex.
func sexClasses(t *testing.T, set sampleSet, pairs []bids.Pair, n int, pairOf func(int) int) []int {
	t.Helper()
	labels, err := balanceLabels(config.BalanceSamples{Applied: true, Type: "sex"}, set)
	if err != nil {
		t.Fatal(err)
	}
	if len(labels) != n {
		t.Fatalf("%d classes for %d samples", len(labels), n)
	}
	first, _ := pairs[pairOf(0)].Inputs[0].Get("sex")
	for i, l := range labels {
		if sex, _ := pairs[pairOf(i)].Inputs[0].Get("sex"); (sex == first) != (l == labels[0]) {
			t.Fatalf("sample %d (sex %s) has class %d; sample 0 (sex %s) has %d", i, sex, l, first, labels[0])
		}
	}
	return labels
}
