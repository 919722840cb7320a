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
//
// It makes two passes over the volume (union-find), with no memory beyond
// the labels but one int32 per provisional label: a flood fill with a
// stack held up to a voxel index per voxel of the largest object, and the
// background that fill_holes labels can be most of a large volume (a
// 192×512×512 image's segment peaked at 2.8 GB).
func Label(fg []bool, shape [3]int, conn Connectivity) (labels []int32, n int) {
	checkLen("mask", len(fg), shape)
	s0, s1, s2 := shape[0], shape[1], shape[2]
	// The neighbours met before a voxel in raster order.
	type off struct{ a, b, d, delta int }
	var back []off
	for _, o := range conn.offsets() {
		if o[0] < 0 || (o[0] == 0 && (o[1] < 0 || (o[1] == 0 && o[2] < 0))) {
			back = append(back, off{o[0], o[1], o[2], (o[0]*s1+o[1])*s2 + o[2]})
		}
	}
	labels = make([]int32, len(fg))
	// parent[l] is provisional label l's parent; a root is the smallest
	// label of its set, which is the one made at the set's first voxel.
	parent := []int32{0}
	find := func(l int32) int32 {
		for parent[l] != l {
			parent[l] = parent[parent[l]]
			l = parent[l]
		}
		return l
	}
	for i := 0; i < s0; i++ {
		for j := 0; j < s1; j++ {
			for k := 0; k < s2; k++ {
				v := (i*s1+j)*s2 + k
				if !fg[v] {
					continue
				}
				var root int32
				for _, o := range back {
					if i+o.a < 0 || j+o.b < 0 || j+o.b >= s1 || k+o.d < 0 || k+o.d >= s2 {
						continue
					}
					l := labels[v+o.delta]
					if l == 0 {
						continue
					}
					r := find(l)
					switch {
					case root == 0:
						root = r
					case r < root:
						parent[root] = r
						root = r
					case r > root:
						parent[r] = root
					}
				}
				if root == 0 {
					root = int32(len(parent))
					parent = append(parent, root)
				}
				labels[v] = root
			}
		}
	}
	// Number the sets in the order of their roots, which is the raster
	// order of their first voxels.
	final := make([]int32, len(parent))
	for l := 1; l < len(parent); l++ {
		if parent[l] == int32(l) {
			n++
			final[l] = int32(n)
		}
	}
	for v, l := range labels {
		if l != 0 {
			labels[v] = final[find(l)]
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
