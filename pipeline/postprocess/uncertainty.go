package postprocess

import (
	"fmt"
	"math"
)

// UncertaintyMaps are the maps ivadomed's run_uncertainty writes from the
// Monte-Carlo predictions of one image (one volume per class each):
// _soft (their mean), _pred (the mean thresholded at 1/N: any vote),
// _unc-vox (voxel entropy), and the structure-wise _unc-iou, _unc-cv and
// _unc-avgUnc.
type UncertaintyMaps struct {
	Soft, Hard, Vox, IoU, CV, AvgUnc [][]float32
}

// Uncertainty computes the maps from mc[sample][class], the soft
// predictions of N ≥ 2 stochastic passes (MC dropout or test-time
// augmentation), as ivadomed's uncertainty.py does:
//
//   - voxel entropy −Σ_{p̄, 1−p̄} q·log(q + 1e-5) of the mean prediction p̄,
//     clipped at 0;
//   - for every 18-connected object of the hard prediction with more than
//     one voxel, the object's match in each pass (the pass's object with
//     the largest label inside it, or none), and over the passes the IoU of
//     the matches (∩/∪), the coefficient of variation of their volumes
//     (population std / mean) and the mean voxel entropy inside the object;
//     these values fill the object's voxels, zeros elsewhere.
func Uncertainty(mc [][][]float32, shape [3]int) (UncertaintyMaps, error) {
	var m UncertaintyMaps
	if len(mc) < 2 {
		return m, fmt.Errorf("postprocess: uncertainty needs at least 2 Monte-Carlo predictions, got %d", len(mc))
	}
	nc := len(mc[0])
	n := Len(shape)
	for s := range mc {
		if len(mc[s]) != nc {
			return m, fmt.Errorf("postprocess: Monte-Carlo prediction %d has %d classes, the first %d", s, len(mc[s]), nc)
		}
		for c := range mc[s] {
			if len(mc[s][c]) != n {
				return m, fmt.Errorf("postprocess: Monte-Carlo prediction %d class %d has %d voxels, shape %v needs %d", s, c, len(mc[s][c]), shape, n)
			}
		}
	}
	alloc := func() [][]float32 {
		v := make([][]float32, nc)
		for c := range v {
			v[c] = make([]float32, n)
		}
		return v
	}
	m.Soft, m.Vox, m.IoU, m.CV, m.AvgUnc = alloc(), alloc(), alloc(), alloc(), alloc()
	m.Hard = make([][]float32, nc)
	N := float64(len(mc))
	for c := 0; c < nc; c++ {
		for i := 0; i < n; i++ {
			var sum float64
			for s := range mc {
				sum += float64(mc[s][c][i])
			}
			p := sum / N
			m.Soft[c][i] = float32(p)
			q := 1 - p
			h := -(p*math.Log(p+1e-5) + q*math.Log(q+1e-5))
			m.Vox[c][i] = float32(math.Max(h, 0))
		}
		// ivadomed thresholds the float64 mean at 1/N.
		thr := 1 / N
		hard := make([]float32, n)
		for i := range hard {
			var sum float64
			for s := range mc {
				sum += float64(mc[s][c][i])
			}
			if sum/N >= thr {
				hard[i] = 1
			}
		}
		m.Hard[c] = hard

		hl, hn := Label(Nonzero(hard), shape, Edge)
		hsz := Sizes(hl, hn)
		mcLab := make([][]int32, len(mc))
		mcObjs := make([][][]int, len(mc))
		for s := range mc {
			var k int
			mcLab[s], k = Label(Nonzero(mc[s][c]), shape, Edge)
			mcObjs[s] = make([][]int, k+1)
		}
		for s := range mc {
			for i, l := range mcLab[s] {
				if l != 0 {
					mcObjs[s][l] = append(mcObjs[s][l], i)
				}
			}
		}
		mcMembers := func(s int, l int32) []int { return mcObjs[s][l] }
		votes := make([]int, n)
		var touched []int
		// voxels of each hard object
		members := make([][]int, hn+1)
		for i, l := range hl {
			if l != 0 && hsz[l] > 1 {
				members[l] = append(members[l], i)
			}
		}
		for obj := 1; obj <= hn; obj++ {
			if hsz[obj] <= 1 {
				continue
			}
			match := make([]int32, len(mc))
			for s := range mc {
				for _, i := range members[obj] {
					match[s] = max(match[s], mcLab[s][i])
				}
			}
			// Count, over the voxels of the matched objects only, how many
			// passes include each one.
			var inter, union int
			vols := make([]float64, len(mc))
			touched = touched[:0]
			for s := range mc {
				if match[s] == 0 {
					continue
				}
				for _, i := range mcMembers(s, match[s]) {
					if votes[i] == 0 {
						touched = append(touched, i)
					}
					votes[i]++
					vols[s]++
				}
			}
			for _, i := range touched {
				union++
				if votes[i] == len(mc) {
					inter++
				}
				votes[i] = 0
			}
			iou := float64(inter) / float64(union)
			var mu, ss float64
			for _, v := range vols {
				mu += v
			}
			mu /= N
			for _, v := range vols {
				ss += (v - mu) * (v - mu)
			}
			cv := math.Sqrt(ss/N) / mu
			var avg float64
			for _, i := range members[obj] {
				avg += float64(m.Vox[c][i])
			}
			avg /= float64(len(members[obj]))
			for _, i := range members[obj] {
				m.IoU[c][i], m.CV[c][i], m.AvgUnc[c][i] = float32(iou), float32(cv), float32(avg)
			}
		}
	}
	return m, nil
}
