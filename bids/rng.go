package bids

import (
	"fmt"
	"math"
	"math/bits"
)

// mt19937 is the Mersenne Twister used by numpy's legacy RandomState and
// by CPython's random module. Both seed it differently (seedInt,
// seedArray) and draw 32-bit words from it the same way.
type mt19937 struct {
	mt  [624]uint32
	pos int
}

// seedInt is numpy's RandomState(seed) for an integer seed
// (init_genrand).
func (m *mt19937) seedInt(seed uint32) {
	m.mt[0] = seed
	for i := 1; i < 624; i++ {
		m.mt[i] = 1812433253*(m.mt[i-1]^(m.mt[i-1]>>30)) + uint32(i)
	}
	m.pos = 624
}

// seedArray is init_by_array, which CPython's random.seed(n) applies to
// the 32-bit words of |n|, least significant first.
func (m *mt19937) seedArray(key []uint32) {
	m.seedInt(19650218)
	i, j := 1, 0
	k := max(624, len(key))
	for ; k > 0; k-- {
		m.mt[i] = (m.mt[i] ^ ((m.mt[i-1] ^ (m.mt[i-1] >> 30)) * 1664525)) + key[j] + uint32(j)
		i++
		j++
		if i >= 624 {
			m.mt[0] = m.mt[623]
			i = 1
		}
		if j >= len(key) {
			j = 0
		}
	}
	for k = 623; k > 0; k-- {
		m.mt[i] = (m.mt[i] ^ ((m.mt[i-1] ^ (m.mt[i-1] >> 30)) * 1566083941)) - uint32(i)
		i++
		if i >= 624 {
			m.mt[0] = m.mt[623]
			i = 1
		}
	}
	m.mt[0] = 0x80000000
	m.pos = 624
}

func (m *mt19937) uint32() uint32 {
	if m.pos >= 624 {
		const upper, lower = 0x80000000, 0x7fffffff
		for i := 0; i < 624; i++ {
			y := m.mt[i]&upper | m.mt[(i+1)%624]&lower
			v := m.mt[(i+397)%624] ^ y>>1
			if y&1 != 0 {
				v ^= 0x9908b0df
			}
			m.mt[i] = v
		}
		m.pos = 0
	}
	y := m.mt[m.pos]
	m.pos++
	y ^= y >> 11
	y ^= y << 7 & 0x9d2c5680
	y ^= y << 15 & 0xefc60000
	y ^= y >> 18
	return y
}

// numpyPermutation is numpy.random.RandomState(seed).permutation(n): a
// Fisher-Yates shuffle of 0..n-1 from the last index down, each index
// drawn by masked rejection (random_interval).
func numpyPermutation(seed uint32, n int) []int {
	var m mt19937
	m.seedInt(seed)
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i >= 1; i-- {
		maxv := uint64(i)
		mask := uint64(1)<<bits.Len64(maxv) - 1
		var j uint64
		if maxv <= 0xffffffff {
			for {
				j = uint64(m.uint32()) & mask
				if j <= maxv {
					break
				}
			}
		} else {
			for {
				j = (uint64(m.uint32())<<32 | uint64(m.uint32())) & mask
				if j <= maxv {
					break
				}
			}
		}
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// trainTestSplit is scikit-learn's train_test_split(items,
// train_size=trainSize, random_state=seed) for a float trainSize: it
// returns the train part (permutation[nTest:]) and the test part
// (permutation[:nTest]) with nTrain = floor(trainSize*n).
func trainTestSplit[T any](items []T, trainSize float64, seed int64) (train, test []T, err error) {
	n := len(items)
	if !(trainSize > 0 && trainSize < 1) {
		return nil, nil, fmt.Errorf("train_size=%v should be a fraction in the (0, 1) range", trainSize)
	}
	if seed < 0 || seed > math.MaxUint32 {
		return nil, nil, fmt.Errorf("random_seed %d: must be between 0 and 2**32 - 1", seed)
	}
	prod := trainSize * float64(n)
	nTrain := int(math.Floor(prod))
	nTest := n - nTrain
	if nTrain == 0 {
		return nil, nil, fmt.Errorf("with %d values and train_size=%v the train set would be empty", n, trainSize)
	}
	perm := numpyPermutation(uint32(seed), n)
	for _, i := range perm[nTest : nTest+nTrain] {
		train = append(train, items[i])
	}
	for _, i := range perm[:nTest] {
		test = append(test, items[i])
	}
	return train, test, nil
}

// pyRandom is CPython's random.Random, enough of it for sample().
type pyRandom struct{ mt mt19937 }

// newPyRandom is random.seed(seed) for an integer seed.
func newPyRandom(seed int64) *pyRandom {
	u := uint64(seed)
	if seed < 0 {
		u = uint64(-seed)
	}
	key := []uint32{uint32(u)}
	if u>>32 != 0 {
		key = append(key, uint32(u>>32))
	}
	r := &pyRandom{}
	r.mt.seedArray(key)
	return r
}

// getrandbits returns k ≤ 32 random bits.
func (r *pyRandom) getrandbits(k int) uint32 {
	if k == 0 {
		return 0
	}
	return r.mt.uint32() >> (32 - k)
}

// randbelow returns a uniform integer in [0, n), n < 2**32.
func (r *pyRandom) randbelow(n int) int {
	if n <= 0 {
		return 0
	}
	k := bits.Len(uint(n))
	v := int(r.getrandbits(k))
	for v >= n {
		v = int(r.getrandbits(k))
	}
	return v
}

// sample is random.sample(population, k).
func (r *pyRandom) sample(pop []string, k int) ([]string, error) {
	n := len(pop)
	if k < 0 || k > n {
		return nil, fmt.Errorf("sample of %d from %d values: larger than the population or negative", k, n)
	}
	out := make([]string, k)
	setsize := 21
	if k > 5 {
		setsize += int(math.Pow(4, math.Ceil(math.Log(float64(k*3))/math.Log(4))))
	}
	if n <= setsize {
		pool := append([]string(nil), pop...)
		for i := 0; i < k; i++ {
			j := r.randbelow(n - i)
			out[i] = pool[j]
			pool[j] = pool[n-i-1]
		}
		return out, nil
	}
	selected := map[int]bool{}
	for i := 0; i < k; i++ {
		j := r.randbelow(n)
		for selected[j] {
			j = r.randbelow(n)
		}
		selected[j] = true
		out[i] = pop[j]
	}
	return out, nil
}
