package postprocess

import "fmt"

// Connectivity says which neighbours of a voxel belong to the same object,
// as scipy.ndimage.generate_binary_structure(3, rank) does.
type Connectivity int

const (
	// Face connects the 6 voxels sharing a face (rank 1); scipy's label
	// uses it when no structure is given, hence keep_largest.
	Face Connectivity = 1
	// Edge connects the 18 voxels sharing a face or an edge (rank 2);
	// ivadomed's evaluation, remove_small and uncertainty use it.
	Edge Connectivity = 2
	// Vertex connects all 26 neighbours (rank 3, a 3×3×3 block of ones),
	// the structure of ivadomed's fill_holes.
	Vertex Connectivity = 3
)

func (c Connectivity) String() string {
	switch c {
	case Face:
		return "6-connectivity"
	case Edge:
		return "18-connectivity"
	case Vertex:
		return "26-connectivity"
	}
	return fmt.Sprintf("Connectivity(%d)", int(c))
}

// offsets lists the neighbour displacements of c: those with at most
// rank non-zero components among {-1,0,1}³.
func (c Connectivity) offsets() [][3]int {
	if c < Face || c > Vertex {
		panic(fmt.Sprintf("postprocess: invalid connectivity %d", int(c)))
	}
	var out [][3]int
	for a := -1; a <= 1; a++ {
		for b := -1; b <= 1; b++ {
			for d := -1; d <= 1; d++ {
				nz := abs(a) + abs(b) + abs(d)
				if nz == 0 || nz > int(c) {
					continue
				}
				out = append(out, [3]int{a, b, d})
			}
		}
	}
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// Len is the number of voxels of a volume of this shape.
func Len(shape [3]int) int { return shape[0] * shape[1] * shape[2] }

func checkLen(name string, n int, shape [3]int) {
	if n != Len(shape) {
		panic(fmt.Sprintf("postprocess: %s has %d voxels, shape %v needs %d", name, n, shape, Len(shape)))
	}
}

// Label numbers the connected objects of the voxels where fg is true, as
// scipy.ndimage.label does: labels are 1..n in the raster order (C order)
// of each object's first voxel, background is 0.
func Label(fg []bool, shape [3]int, conn Connectivity) (labels []int32, n int) {
	checkLen("mask", len(fg), shape)
	// Work on a copy padded by one background voxel on every side, so that
	// a neighbour is a fixed index offset with no bounds test.
	p1, p2 := shape[1]+2, shape[2]+2
	pad := func(i, j, k int) int { return ((i+1)*p1+j+1)*p2 + k + 1 }
	var offs []int
	for _, o := range conn.offsets() {
		offs = append(offs, (o[0]*p1+o[1])*p2+o[2])
	}
	plab := make([]int32, (shape[0]+2)*p1*p2)
	const unvisited, bg = -1, 0
	for i := 0; i < shape[0]; i++ {
		for j := 0; j < shape[1]; j++ {
			base := (i*shape[1] + j) * shape[2]
			pb := pad(i, j, 0)
			for k := 0; k < shape[2]; k++ {
				if fg[base+k] {
					plab[pb+k] = unvisited
				}
			}
		}
	}
	labels = make([]int32, len(fg))
	var stack []int
	for i := 0; i < shape[0]; i++ {
		for j := 0; j < shape[1]; j++ {
			base := (i*shape[1] + j) * shape[2]
			pb := pad(i, j, 0)
			for k := 0; k < shape[2]; k++ {
				start := pb + k
				if plab[start] == unvisited {
					n++
					id := int32(n)
					plab[start] = id
					stack = append(stack[:0], start)
					for len(stack) > 0 {
						p := stack[len(stack)-1]
						stack = stack[:len(stack)-1]
						for _, o := range offs {
							if q := p + o; plab[q] == unvisited {
								plab[q] = id
								stack = append(stack, q)
							}
						}
					}
				}
				if l := plab[start]; l != bg {
					labels[base+k] = l
				}
			}
		}
	}
	return labels, n
}

// Sizes returns the voxel count of each label 1..n (index 0 counts the
// background).
func Sizes(labels []int32, n int) []int {
	sz := make([]int, n+1)
	for _, l := range labels {
		sz[l]++
	}
	return sz
}

// Nonzero is the foreground mask of a volume: value ≠ 0, as scipy's label
// and numpy's nonzero see a float array.
func Nonzero(v []float32) []bool {
	m := make([]bool, len(v))
	for i, x := range v {
		m[i] = x != 0
	}
	return m
}
