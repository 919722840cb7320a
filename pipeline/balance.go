package pipeline

import (
	"fmt"

	"github.com/ivadogo/ivadogo/bids"
	"github.com/ivadogo/ivadogo/pipeline/config"
)

// balanceLabels returns the class of each training sample that
// balance_samples balances: for type "gt" whether its label has
// foreground, for any other type the value of that metadata column
// (participants.tsv, sidecar or entity) of its first input image, as
// ivadomed's BalancedSampler reads input_metadata[0][type].
func balanceLabels(b config.BalanceSamples, set sampleSet) ([]int, error) {
	if b.Type == "" || b.Type == "gt" {
		return set.hasLabel()
	}
	l, err := set.labelsBy(b.Type)
	if err != nil {
		return nil, fmt.Errorf("pipeline: training_parameters.balance_samples.type %q: %w", b.Type, err)
	}
	return l, nil
}

// columnIndex numbers the values of a column over the pairs' first
// inputs, in order of first appearance; an image without a value is an
// error that names it.
func columnIndex(pairs []bids.Pair, column string) ([]int, error) {
	dict := map[string]int{}
	out := make([]int, len(pairs))
	for i, p := range pairs {
		v, ok := p.Inputs[0].Get(column)
		if !ok {
			return nil, fmt.Errorf("%s has no %q value (want \"gt\" or a column of participants.tsv, the sidecars or the file names)", p.Inputs[0].Path, column)
		}
		j, ok := dict[v]
		if !ok {
			j = len(dict)
			dict[v] = j
		}
		out[i] = j
	}
	return out, nil
}

func (d *slices2D) labelsBy(column string) ([]int, error) {
	return pairLabels(d.pairs, len(d.refs), func(i int) int { return d.refs[i].pair }, column)
}

func (d *patches3D) labelsBy(column string) ([]int, error) {
	return pairLabels(d.pairs, len(d.refs), func(i int) int { return d.refs[i].pair }, column)
}

// pairLabels is the class (columnIndex) of each of n samples, sample i
// cut from pairs[pairOf(i)].
func pairLabels(pairs []bids.Pair, n int, pairOf func(i int) int, column string) ([]int, error) {
	byPair, err := columnIndex(pairs, column)
	if err != nil {
		return nil, err
	}
	out := make([]int, n)
	for i := range out {
		out[i] = byPair[pairOf(i)]
	}
	return out, nil
}
