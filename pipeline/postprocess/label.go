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
	offs := conn.offsets()
	labels = make([]int32, len(fg))
	s1, s2 := shape[1]*shape[2], shape[2]
	var stack []int
	for start, on := range fg {
		if !on || labels[start] != 0 {
			continue
		}
		n++
		id := int32(n)
		labels[start] = id
		stack = append(stack[:0], start)
		for len(stack) > 0 {
			p := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			i, j, k := p/s1, (p/s2)%shape[1], p%s2
			for _, o := range offs {
				a, b, c := i+o[0], j+o[1], k+o[2]
				if a < 0 || b < 0 || c < 0 || a >= shape[0] || b >= shape[1] || c >= shape[2] {
					continue
				}
				q := a*s1 + b*s2 + c
				if fg[q] && labels[q] == 0 {
					labels[q] = id
					stack = append(stack, q)
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
