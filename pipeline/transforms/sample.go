package transforms

import "fmt"

// Part is a list of volumes of one shape, in C order (last axis fastest):
// the image channels, the label classes or raters, or the ROI masks.
type Part struct {
	Data  [][]float32
	Shape [3]int
}

// Len is the number of voxels of one volume.
func (p Part) Len() int { return p.Shape[0] * p.Shape[1] * p.Shape[2] }

func (p Part) check(name string) error {
	for i, v := range p.Data {
		if len(v) != p.Len() {
			return fmt.Errorf("transforms: %s volume %d has %d voxels, shape %v needs %d", name, i, len(v), p.Shape, p.Len())
		}
	}
	return nil
}

// is2D reports whether the part is a 2D slice (depth 1), ivadomed's test.
func (p Part) is2D() bool { return p.Shape[2] == 1 }

// mapVolumes returns a Part of shape out whose volumes are fn of p's.
func (p Part) mapVolumes(out [3]int, fn func(v []float32) []float32) Part {
	q := Part{Shape: out, Data: make([][]float32, len(p.Data))}
	for i, v := range p.Data {
		q.Data[i] = fn(v)
	}
	return q
}

// Kind names a part of a sample as the config's applied_to does.
type Kind string

// The three kinds of applied_to.
const (
	Im  Kind = "im"
	GT  Kind = "gt"
	ROI Kind = "roi"
)

// Sample is what the transforms act on.
type Sample struct {
	Im, GT, ROI Part
	// Zooms is the voxel size in mm along the three axes of the image,
	// used by Resample.
	Zooms [3]float64
}

func (s *Sample) part(k Kind) *Part {
	switch k {
	case Im:
		return &s.Im
	case GT:
		return &s.GT
	case ROI:
		return &s.ROI
	}
	panic("transforms: unknown part " + string(k))
}

func idx(shape [3]int, i, j, k int) int { return (i*shape[1]+j)*shape[2] + k }

// BinarizeGT thresholds the label at 0.5 as ivadomed does after the
// on-the-fly transforms unless soft_gt is set (values below 0.5 become 0,
// the others 1).
func (s *Sample) BinarizeGT() {
	for _, v := range s.GT.Data {
		for i, x := range v {
			if x < 0.5 {
				v[i] = 0
			} else {
				v[i] = 1
			}
		}
	}
}
