package phantom

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ivadogo/ivadogo/bids"
	"github.com/ivadogo/ivadogo/nifti"
)

func TestGenerateShapesAndDeterminism(t *testing.T) {
	o := Options{Subjects: 3, Size: [3]int{24, 20, 12}, Voxel: [3]float64{0.5, 0.75, 2}, Seed: 7}
	a, err := Generate(o)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Generate(o)
	o.Seed = 8
	c, _ := Generate(o)
	if len(a) != 3 || a[2].ID != "sub-03" {
		t.Fatalf("subjects %d, last %q", len(a), a[len(a)-1].ID)
	}
	for s := range a {
		for _, con := range []string{"T1w", "T2w", "T2star"} {
			v := a[s].Images[con]
			if v.Shape != [3]int{24, 20, 12} || len(v.Data) != 24*20*12 {
				t.Fatalf("%s %s shape %v len %d", a[s].ID, con, v.Shape, len(v.Data))
			}
			if !slices.Equal(v.Data, b[s].Images[con].Data) {
				t.Errorf("%s %s differs between two runs with one seed", a[s].ID, con)
			}
			if slices.Equal(v.Data, c[s].Images[con].Data) {
				t.Errorf("%s %s is the same for seeds 7 and 8", a[s].ID, con)
			}
			if v.Affine != a[s].Label.Affine {
				t.Errorf("%s %s: image and label affines differ", a[s].ID, con)
			}
		}
	}
	// The affine has the voxel sizes on its diagonal and centres the grid.
	aff := a[0].Label.Affine
	if aff[0][0] != 0.5 || aff[1][1] != 0.75 || aff[2][2] != 2 || aff[0][3] != -5.75 || aff[2][3] != -11 {
		t.Errorf("affine = %v", aff)
	}
	// Subject s does not depend on how many subjects are made.
	one, _ := Generate(Options{Subjects: 1, Size: [3]int{24, 20, 12}, Voxel: [3]float64{0.5, 0.75, 2}, Seed: 7})
	if !slices.Equal(one[0].Images["T2w"].Data, a[0].Images["T2w"].Data) {
		t.Error("sub-01 changes with the number of subjects")
	}
}

// TestAnatomy checks the phantom looks like what it imitates: a labelled
// cord of the expected area in every axial slice, inside the volume, and
// contrasts that order cord, CSF and neck as T1w, T2w and T2star do.
func TestAnatomy(t *testing.T) {
	subs, err := Generate(Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subs {
		l := s.Label
		X, Y, Z := l.Shape[0], l.Shape[1], l.Shape[2]
		for k := 0; k < Z; k++ {
			n := 0
			for j := 0; j < Y; j++ {
				for i := 0; i < X; i++ {
					switch l.At(i, j, k) {
					case 1:
						n++
						if i == 0 || j == 0 || i == X-1 || j == Y-1 {
							t.Fatalf("%s slice %d: cord touches the border", s.ID, k)
						}
					case 0:
					default:
						t.Fatalf("%s: label value %v is not 0 or 1", s.ID, l.At(i, j, k))
					}
				}
			}
			// Radii 3.0..4.2 by 2.3..3.2 voxels: area pi*rx*ry in 21..43.
			if n < 15 || n > 50 {
				t.Errorf("%s slice %d: cord area %d voxels, want about 21..43", s.ID, k, n)
			}
		}
		// Mean intensity in the cord, in a ring just outside it (CSF) and
		// far from it (neck), per contrast.
		for con, want := range map[string]string{"T1w": "cord>neck>csf", "T2w": "csf>cord>neck", "T2star": "csf>cord>neck"} {
			v := s.Images[con]
			cord, csf, neck := regionMeans(v, l)
			got := order(map[string]float64{"cord": cord, "csf": csf, "neck": neck})
			if got != want {
				t.Errorf("%s %s: %s (cord %.0f csf %.0f neck %.0f), want %s", s.ID, con, got, cord, csf, neck, want)
			}
		}
	}
}

// regionMeans averages v over the label, a ring 1 to 2 voxels outside the
// label (mostly CSF), and voxels 6 or more voxels from it inside the
// central half of the grid (neck). Distances are Chebyshev, in-plane.
func regionMeans(v, l *Volume) (cord, csf, neck float64) {
	X, Y, Z := l.Shape[0], l.Shape[1], l.Shape[2]
	dist := chebyshev(l)
	var sc, sr, sn, nc, nr, nn float64
	for k := 0; k < Z; k++ {
		for j := 0; j < Y; j++ {
			for i := 0; i < X; i++ {
				idx := i + X*(j+Y*k)
				d := dist[idx]
				x := float64(v.Data[idx])
				switch {
				case d == 0:
					sc, nc = sc+x, nc+1
				case d == 1 || d == 2:
					sr, nr = sr+x, nr+1
				case d >= 6 && i > X/4 && i < 3*X/4 && j > Y/4 && j < 3*Y/4:
					sn, nn = sn+x, nn+1
				}
			}
		}
	}
	return sc / nc, sr / nr, sn / nn
}

// chebyshev gives each voxel its in-plane Chebyshev distance to the
// label (capped at 9), by repeated 3×3 dilation.
func chebyshev(l *Volume) []int {
	X, Y, Z := l.Shape[0], l.Shape[1], l.Shape[2]
	dist := make([]int, len(l.Data))
	cur := make([]bool, len(l.Data))
	for i, x := range l.Data {
		cur[i] = x == 1
		dist[i] = 9
		if cur[i] {
			dist[i] = 0
		}
	}
	for d := 1; d < 9; d++ {
		next := slices.Clone(cur)
		for k := 0; k < Z; k++ {
			for j := 0; j < Y; j++ {
				for i := 0; i < X; i++ {
					idx := i + X*(j+Y*k)
					if cur[idx] {
						continue
					}
					for dj := -1; dj <= 1 && !next[idx]; dj++ {
						for di := -1; di <= 1; di++ {
							x, y := i+di, j+dj
							if x >= 0 && y >= 0 && x < X && y < Y && cur[x+X*(y+Y*k)] {
								next[idx] = true
								dist[idx] = d
								break
							}
						}
					}
				}
			}
		}
		cur = next
	}
	return dist
}

func order(m map[string]float64) string {
	keys := []string{"cord", "csf", "neck"}
	slices.SortFunc(keys, func(a, b string) int {
		if m[a] > m[b] {
			return -1
		}
		return 1
	})
	return strings.Join(keys, ">")
}

// TestOrientations checks that a subject stored in another orientation
// holds the same voxels at the same world positions as in RAS.
func TestOrientations(t *testing.T) {
	base := Options{Subjects: 1, Size: [3]int{16, 12, 10}, Voxel: [3]float64{1, 2, 3}, Seed: 3}
	ras, _ := Generate(base)
	for _, code := range []string{"LPI", "RPI", "PIR", "SAL"} {
		o := base
		o.Orientations = []string{code}
		got, err := Generate(o)
		if err != nil {
			t.Fatal(err)
		}
		for _, pair := range [][2]*Volume{{ras[0].Label, got[0].Label}, {ras[0].Images["T2w"], got[0].Images["T2w"]}} {
			r, v := pair[0], pair[1]
			if v.Shape[0]*v.Shape[1]*v.Shape[2] != len(r.Data) {
				t.Fatalf("%s: shape %v", code, v.Shape)
			}
			if ax := nifti.AxCodes(v.Affine); strings.Join(ax[:], "") != code {
				t.Errorf("%s: affine axis codes %v", code, ax)
			}
			// Map every voxel of v to the world, then into the RAS grid.
			for k := 0; k < v.Shape[2]; k++ {
				for j := 0; j < v.Shape[1]; j++ {
					for i := 0; i < v.Shape[0]; i++ {
						var w [3]float64
						for a := range 3 {
							w[a] = v.Affine[a][0]*float64(i) + v.Affine[a][1]*float64(j) + v.Affine[a][2]*float64(k) + v.Affine[a][3]
						}
						ri := int(math.Round((w[0] - r.Affine[0][3]) / r.Affine[0][0]))
						rj := int(math.Round((w[1] - r.Affine[1][3]) / r.Affine[1][1]))
						rk := int(math.Round((w[2] - r.Affine[2][3]) / r.Affine[2][2]))
						if v.At(i, j, k) != r.At(ri, rj, rk) {
							t.Fatalf("%s: voxel (%d,%d,%d) = %v, RAS voxel (%d,%d,%d) = %v", code, i, j, k, v.At(i, j, k), ri, rj, rk, r.At(ri, rj, rk))
						}
					}
				}
			}
		}
	}
}

func TestOptionErrors(t *testing.T) {
	tests := []struct {
		o    Options
		want string
	}{
		{Options{Subjects: 100}, "Subjects must be in 1..99"},
		{Options{Size: [3]int{4, 32, 16}}, "Size[0] must be in 8..1024"},
		{Options{Voxel: [3]float64{1, 0, 1}}, "Voxel[1] must be > 0"},
		{Options{Contrasts: []string{"FLAIR"}}, `unknown contrast "FLAIR"`},
		{Options{Contrasts: []string{"T1w", "T1w"}}, `contrast "T1w" listed twice`},
		{Options{Orientations: []string{"RAR"}}, "must name each of R/L, A/P, S/I once"},
		{Options{Orientations: []string{"RA"}}, "must be 3 letters"},
	}
	for _, tt := range tests {
		_, err := Generate(tt.o)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Generate(%+v) error = %v, want %q", tt.o, err, tt.want)
		}
	}
}

func TestWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "phantom")
	o := Options{Subjects: 4, Seed: 2, Orientations: []string{"RAS", "LPI"}}
	subs, err := Write(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	// The files read back with the nifti package hold what was generated.
	for _, s := range subs {
		for _, c := range []string{"T1w", "T2w", "T2star"} {
			img, err := nifti.Read(filepath.Join(dir, s.ID, "anat", s.ID+"_"+c+".nii.gz"))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(img.Data, s.Images[c].Data) || img.Header.Affine() != s.Images[c].Affine || img.Header.Datatype != nifti.Float32 {
				t.Errorf("%s %s: file differs from the generated volume", s.ID, c)
			}
			lab, err := nifti.Read(filepath.Join(dir, "derivatives", "labels", s.ID, "anat", s.ID+"_"+c+LabelSuffix+".nii.gz"))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(lab.Data, s.Label.Data) || lab.Header.Affine() != s.Label.Affine || lab.Header.Datatype != nifti.Uint8 {
				t.Errorf("%s %s: label file differs", s.ID, c)
			}
		}
	}
	// The bids package, which the loader uses, sees the dataset whole.
	ds, err := bids.Index(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Subjects) != 4 || len(ds.Images) != 12 || ds.Description.Name != Name || len(ds.Warnings) != 0 {
		t.Errorf("bids.Index: %d subjects, %d images, name %q, warnings %v", len(ds.Subjects), len(ds.Images), ds.Description.Name, ds.Warnings)
	}
	if ds.Participants == nil {
		t.Fatal("participants.tsv not indexed")
	}
	labels := ds.LabelsByImage()
	for _, im := range ds.Images {
		if len(labels[im.Path]) != 1 {
			t.Errorf("%s has %d labels, want 1", im.Path, len(labels[im.Path]))
		}
		md := ds.Metadata(im)
		if md["Manufacturer"] == nil || md["EchoTime"] == nil {
			t.Errorf("%s: sidecar metadata %v", im.Path, md)
		}
	}
	// Writing again over a phantom replaces it, byte for byte the same.
	before, _ := os.ReadFile(filepath.Join(dir, "sub-02", "anat", "sub-02_T2w.nii.gz"))
	if _, err := Write(dir, o); err != nil {
		t.Fatalf("rewriting a phantom: %v", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "sub-02", "anat", "sub-02_T2w.nii.gz"))
	if !bytes.Equal(before, after) {
		t.Error("the same options wrote different bytes")
	}
	// Nor is a phantom to which something else was added.
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
	if _, err := Write(dir, o); err == nil || !strings.Contains(err.Error(), "notes.txt") {
		t.Errorf("Write over a phantom with an extra file: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sub-01")); err != nil {
		t.Error("a refused Write removed part of the phantom")
	}
	// A folder with other content is never overwritten.
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "precious.txt"), []byte("x"), 0o644)
	if _, err := Write(other, o); err == nil || !strings.Contains(err.Error(), "refusing to write over it") {
		t.Errorf("Write over a non-phantom folder: %v", err)
	}
	if _, err := os.Stat(filepath.Join(other, "precious.txt")); err != nil {
		t.Error("Write damaged a folder it refused")
	}
}

func TestLesions(t *testing.T) {
	plain, _ := Generate(Options{Subjects: 4, Seed: 5})
	withL, err := Generate(Options{Subjects: 4, Seed: 5, Lesions: 3})
	if err != nil {
		t.Fatal(err)
	}
	if plain[0].Lesion != nil {
		t.Fatal("a lesion mask without Options.Lesions")
	}
	for s := range withL {
		les, cord := withL[s].Lesion, withL[s].Label
		if les == nil || les.Shape != cord.Shape || les.Affine != cord.Affine {
			t.Fatalf("%s: lesion mask %+v", withL[s].ID, les)
		}
		n := 0
		for i, v := range les.Data {
			if v == 1 {
				n++
				if cord.Data[i] != 1 {
					t.Fatalf("%s: lesion voxel %d outside the cord", withL[s].ID, i)
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: no lesion voxel", withL[s].ID)
		}
		for _, c := range []string{"T1w", "T2w", "T2star"} {
			a, b := plain[s].Images[c].Data, withL[s].Images[c].Data
			var inL, inCord, nc float64
			for i := range a {
				switch {
				case les.Data[i] == 1:
					inL += float64(b[i]) / float64(n)
				case a[i] != b[i]:
					t.Fatalf("%s %s: voxel %d outside the lesions changed", withL[s].ID, c, i)
				case cord.Data[i] == 1:
					inCord += float64(b[i])
					nc++
				}
			}
			inCord /= nc
			if bright := c != "T1w"; (inL > inCord) != bright {
				t.Errorf("%s %s: lesion mean %.0f, cord mean %.0f", withL[s].ID, c, inL, inCord)
			}
		}
	}
}

func TestSizeJitter(t *testing.T) {
	subs, err := Generate(Options{Subjects: 6, Seed: 9, SizeJitter: 8})
	if err != nil {
		t.Fatal(err)
	}
	shapes := map[[3]int]bool{}
	for _, s := range subs {
		sh := s.Label.Shape
		shapes[sh] = true
		if sh[0] < 32 || sh[0] > 40 || sh[1] < 32 || sh[1] > 40 || sh[2] < 16 || sh[2] > 20 {
			t.Errorf("%s: shape %v outside 32..40 × 32..40 × 16..20", s.ID, sh)
		}
		for c, v := range s.Images {
			if v.Shape != sh || len(v.Data) != sh[0]*sh[1]*sh[2] {
				t.Errorf("%s %s: shape %v, label %v", s.ID, c, v.Shape, sh)
			}
		}
		// The grid stays centred on the world origin.
		if got, want := s.Label.Affine[0][3], -float64(sh[0]-1)/2; got != want {
			t.Errorf("%s: x origin %v, want %v", s.ID, got, want)
		}
	}
	if len(shapes) < 3 {
		t.Errorf("only %d distinct shapes over 6 subjects", len(shapes))
	}
}

func TestWriteLesions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "phantom")
	if _, err := Write(dir, Options{Subjects: 2, Lesions: 2}); err != nil {
		t.Fatal(err)
	}
	ds, err := bids.Index(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ds.LabelSuffixes, []string{LesionSuffix, LabelSuffix}) {
		t.Errorf("label suffixes %q", ds.LabelSuffixes)
	}
	for _, im := range ds.Images {
		if len(ds.LabelsByImage()[im.Path]) != 2 {
			t.Errorf("%s: %d labels, want 2", im.Path, len(ds.LabelsByImage()[im.Path]))
		}
	}
}
