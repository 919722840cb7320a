package bids

import (
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"testing"
)

// TestRNG compares the generators with numpy's and CPython's draws
// recorded by testdata/make_rng.py.
func TestRNG(t *testing.T) {
	b, err := os.ReadFile("testdata/rng.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Permutations []struct {
			Seed uint32
			N    int
			Perm []int
		}
		Samples []struct {
			Seed   int64
			N, K   int
			Sample []int
		}
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Permutations) == 0 || len(ref.Samples) == 0 {
		t.Fatal("empty fixture")
	}
	for _, c := range ref.Permutations {
		if got := numpyPermutation(c.Seed, c.N); !slices.Equal(got, c.Perm) {
			t.Errorf("permutation(seed %d, n %d) = %v, want %v", c.Seed, c.N, got, c.Perm)
		}
	}
	for _, c := range ref.Samples {
		pop := make([]string, c.N)
		for i := range pop {
			pop[i] = strconv.Itoa(i)
		}
		got, err := newPyRandom(c.Seed).sample(pop, c.K)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]string, len(c.Sample))
		for i, v := range c.Sample {
			want[i] = strconv.Itoa(v)
		}
		if !slices.Equal(got, want) {
			t.Errorf("sample(seed %d, n %d, k %d) = %v, want %v", c.Seed, c.N, c.K, got, want)
		}
	}
}
