// Package phantom makes a small synthetic BIDS dataset for the quickstart
// and the end-to-end tests: a cord-like tube (the spinal cord inside its
// CSF sheath, inside a neck) that wanders through each volume, imaged in
// three contrasts (T1w, T2w, T2star) with different intensities, a smooth
// bias field and Gaussian noise, with the cord mask as the manual label.
//
// Options add what end-to-end tests need beyond the quickstart: lesions
// inside the cord with their own _lesion-manual labels (two classes,
// lesion-wise metrics), subjects of different grid sizes, and files stored
// in other voxel orientations.
//
// Everything is derived from Options.Seed, so a seed gives the same
// volumes, bit for bit, on every machine. Generate builds the subjects in
// memory; Write lays them out as a BIDS dataset that ivadomed would read
// (sub-XX/anat/sub-XX_<contrast>.nii.gz with JSON sidecars,
// participants.tsv, dataset_description.json, and
// derivatives/labels/sub-XX/anat/sub-XX_<contrast>_seg-manual.nii.gz).
package phantom

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// Options parameterise the phantom. The zero value gives the defaults.
type Options struct {
	// Subjects is the number of subjects (default 6).
	Subjects int
	// Size is the grid in RAS order: x (right-left), y (anterior-
	// posterior), z (superior-inferior, along the cord). Default 32×32×16.
	Size [3]int
	// Voxel is the voxel size in mm (default 1×1×1).
	Voxel [3]float64
	// Seed selects the phantom; the same seed gives the same data.
	Seed uint64
	// Contrasts are the BIDS suffixes to image, among "T1w", "T2w" and
	// "T2star" (default all three).
	Contrasts []string
	// Noise is the standard deviation of the Gaussian noise relative to
	// the cord intensity (default 0.08; negative means none).
	Noise float64
	// Orientations, when set, gives the voxel axis codes of each subject's
	// files in turn (e.g. {"RAS", "LPI", "PIR"}), to exercise
	// reorientation; the default is "RAS" for all.
	Orientations []string
	// SizeJitter, when positive, enlarges each subject's grid by a random
	// 0..SizeJitter voxels in x and y and 0..SizeJitter/2 in z, so that
	// subjects differ in size as real scans do.
	SizeJitter int
	// Lesions, when positive, puts 1..Lesions small lesions in each
	// subject's cord (bright in T2w and T2star, dark in T1w), labelled as
	// <image>_lesion-manual (see Subject.Lesion).
	Lesions int
}

func (o Options) withDefaults() Options {
	if o.Subjects == 0 {
		o.Subjects = 6
	}
	if o.Size == ([3]int{}) {
		o.Size = [3]int{32, 32, 16}
	}
	if o.Voxel == ([3]float64{}) {
		o.Voxel = [3]float64{1, 1, 1}
	}
	if o.Contrasts == nil {
		o.Contrasts = []string{"T1w", "T2w", "T2star"}
	}
	if o.Noise == 0 {
		o.Noise = 0.08
	} else if o.Noise < 0 {
		o.Noise = 0
	}
	return o
}

func (o Options) check() error {
	if o.Subjects < 1 || o.Subjects > 99 {
		return fmt.Errorf("phantom: Subjects must be in 1..99, got %d", o.Subjects)
	}
	for i, n := range o.Size {
		if n < 8 || n > 1024 {
			return fmt.Errorf("phantom: Size[%d] must be in 8..1024, got %d", i, n)
		}
	}
	for i, v := range o.Voxel {
		if !(v > 0) || math.IsInf(v, 0) {
			return fmt.Errorf("phantom: Voxel[%d] must be > 0, got %v", i, v)
		}
	}
	if len(o.Contrasts) == 0 {
		return fmt.Errorf("phantom: no contrasts")
	}
	seen := map[string]bool{}
	for _, c := range o.Contrasts {
		if _, ok := tissue[c]; !ok {
			return fmt.Errorf("phantom: unknown contrast %q (have T1w, T2w, T2star)", c)
		}
		if seen[c] {
			return fmt.Errorf("phantom: contrast %q listed twice", c)
		}
		seen[c] = true
	}
	if o.SizeJitter < 0 || o.SizeJitter > 256 {
		return fmt.Errorf("phantom: SizeJitter must be in 0..256, got %d", o.SizeJitter)
	}
	if o.Lesions < 0 || o.Lesions > 20 {
		return fmt.Errorf("phantom: Lesions must be in 0..20, got %d", o.Lesions)
	}
	if o.Noise > 10 {
		return fmt.Errorf("phantom: Noise %v is too large (relative standard deviation)", o.Noise)
	}
	for _, s := range o.Orientations {
		if _, err := parseOrientation(s); err != nil {
			return err
		}
	}
	return nil
}

// Volume is a 3D image: voxels in Fortran order (x fastest) and the
// voxel-to-world (RAS+, mm) affine.
type Volume struct {
	Shape  [3]int
	Data   []float32
	Affine [4][4]float64
}

// At returns the voxel (i, j, k).
func (v *Volume) At(i, j, k int) float32 {
	return v.Data[i+v.Shape[0]*(j+v.Shape[1]*k)]
}

// Subject is one phantom subject: an image per contrast and the cord
// mask, all on the same grid.
type Subject struct {
	ID     string             // "sub-01"
	Images map[string]*Volume // by contrast
	Label  *Volume            // 1 inside the cord, 0 elsewhere
	// Lesion is 1 in the lesions and 0 elsewhere; nil without
	// Options.Lesions.
	Lesion *Volume
	// Participant metadata written to participants.tsv.
	Sex         string
	Age         int
	Institution string
	// Manufacturer is written to the sidecars (for FiLM's mri_params).
	Manufacturer string
}

// Relative intensities of (air, neck tissue, CSF, cord) per contrast,
// after the spinal-cord MRI they imitate: the cord is bright and the CSF
// dark in T1w, the reverse in T2w; T2star sits between.
var tissue = map[string][4]float64{
	"T1w":    {0.02, 0.55, 0.25, 0.90},
	"T2w":    {0.02, 0.35, 1.00, 0.45},
	"T2star": {0.02, 0.30, 0.85, 0.60},
}

// Relative intensity of lesions per contrast (the cord's is tissue[c][3]).
var lesionLevel = map[string]float64{"T1w": 0.55, "T2w": 0.85, "T2star": 0.95}

// Acquisition parameters written to the sidecars, from the
// ivadomed-data-testing sidecars of the same contrasts.
var acquisition = map[string]struct{ te, tr, fa float64 }{
	"T1w":    {0.00372, 2, 9},
	"T2w":    {0.12, 1.5, 120},
	"T2star": {0.014, 0.6, 30},
}

var manufacturers = []string{"Siemens", "Philips", "GE"}

// Generate builds the phantom's subjects in memory.
func Generate(o Options) ([]Subject, error) {
	o = o.withDefaults()
	if err := o.check(); err != nil {
		return nil, err
	}
	subjects := make([]Subject, o.Subjects)
	for s := range subjects {
		subjects[s] = subject(o, s)
	}
	return subjects, nil
}

// anatomy describes one subject's anatomy in voxel coordinates.
type anatomy struct {
	cx, cy     func(z float64) float64 // cord centre along z (posterior of the neck centre)
	rx, ry     float64                 // cord radii
	csf        float64                 // CSF sheath thickness
	bx, by     float64                 // neck radii
	bias       [3]float64              // bias field phases
	biasAmp    float64
	gain       float64
	intensityS [4]float64 // per-subject jitter of the tissue levels
}

func subject(o Options, s int) Subject {
	// One stream per subject, so that subject s does not depend on how
	// many subjects are made.
	rng := rand.New(rand.NewPCG(o.Seed, uint64(s)+0x9e3779b97f4a7c15))
	// Options that are off by default draw from streams of their own, so
	// that turning one on does not change the other draws.
	size := o.Size
	if o.SizeJitter > 0 {
		jr := rand.New(rand.NewPCG(o.Seed, uint64(s)+0x51ed2701f3a5b2c9))
		size[0] += jr.IntN(o.SizeJitter + 1)
		size[1] += jr.IntN(o.SizeJitter + 1)
		size[2] += jr.IntN(o.SizeJitter/2 + 1)
	}
	X, Y, Z := float64(size[0]), float64(size[1]), float64(size[2])
	sx, sy := X/32, Y/32 // anatomy scales with the grid
	ax, ay := (0.5+rng.Float64())*sx*2.5, (0.5+rng.Float64())*sy*1.5
	fx, fy := 0.3+0.7*rng.Float64(), 0.3+0.7*rng.Float64()
	px, py := 2*math.Pi*rng.Float64(), 2*math.Pi*rng.Float64()
	ox, oy := (rng.Float64()-0.5)*sx*3, (rng.Float64()-0.5)*sy*2
	a := anatomy{
		cx:      func(z float64) float64 { return (X-1)/2 + ox + ax*math.Sin(2*math.Pi*fx*z/Z+px) },
		cy:      func(z float64) float64 { return (Y-1)/2 - 0.1*Y + oy + ay*math.Sin(2*math.Pi*fy*z/Z+py) },
		rx:      (3.0 + 1.2*rng.Float64()) * sx,
		ry:      (2.3 + 0.9*rng.Float64()) * sy,
		csf:     (2.2 + 0.8*rng.Float64()) * math.Min(sx, sy),
		bx:      0.44 * X,
		by:      0.40 * Y,
		bias:    [3]float64{2 * math.Pi * rng.Float64(), 2 * math.Pi * rng.Float64(), 2 * math.Pi * rng.Float64()},
		biasAmp: 0.05 + 0.1*rng.Float64(),
		gain:    800 + 400*rng.Float64(),
	}
	for i := range a.intensityS {
		a.intensityS[i] = 1 + 0.06*(rng.Float64()-0.5)
	}
	n := size[0] * size[1] * size[2]
	label := make([]float32, n)
	// Partial-volume fractions of cord, CSF sheath and neck per voxel,
	// from 4×4 sub-samples in the axial plane.
	fCord := make([]float64, n)
	fCSF := make([]float64, n)
	fNeck := make([]float64, n)
	const sub = 4
	for k := 0; k < size[2]; k++ {
		cx, cy := a.cx(float64(k)), a.cy(float64(k))
		for j := 0; j < size[1]; j++ {
			for i := 0; i < size[0]; i++ {
				idx := i + size[0]*(j+size[1]*k)
				var cord, csf, neck int
				for u := 0; u < sub; u++ {
					for v := 0; v < sub; v++ {
						x := float64(i) + (float64(u)+0.5)/sub - 0.5
						y := float64(j) + (float64(v)+0.5)/sub - 0.5
						dx, dy := x-cx, y-cy
						switch {
						case sq(dx/a.rx)+sq(dy/a.ry) <= 1:
							cord++
						case sq(dx/(a.rx+a.csf))+sq(dy/(a.ry+a.csf)) <= 1:
							csf++
						case sq((x-(X-1)/2)/a.bx)+sq((y-(Y-1)/2)/a.by) <= 1:
							neck++
						}
					}
				}
				const ns = sub * sub
				fCord[idx], fCSF[idx], fNeck[idx] = float64(cord)/ns, float64(csf)/ns, float64(neck)/ns
				// The rater draws the voxels whose centre is in the cord.
				dx, dy := float64(i)-cx, float64(j)-cy
				if sq(dx/a.rx)+sq(dy/a.ry) <= 1 {
					label[idx] = 1
				}
			}
		}
	}
	var lesion []float32
	if o.Lesions > 0 {
		lesion = lesions(o, s, size, a, label)
	}
	subj := Subject{
		ID:           fmt.Sprintf("sub-%02d", s+1),
		Images:       map[string]*Volume{},
		Sex:          []string{"F", "M"}[s%2],
		Age:          20 + rng.IntN(50),
		Institution:  fmt.Sprintf("site%c", 'a'+rune(s%3)),
		Manufacturer: manufacturers[s%len(manufacturers)],
	}
	affine := rasAffine(size, o.Voxel)
	orient := "RAS"
	if len(o.Orientations) > 0 {
		orient = o.Orientations[s%len(o.Orientations)]
	}
	ornt, _ := parseOrientation(orient)
	for _, c := range o.Contrasts {
		lv := tissue[c]
		data := make([]float32, n)
		for k := 0; k < size[2]; k++ {
			for j := 0; j < size[1]; j++ {
				for i := 0; i < size[0]; i++ {
					idx := i + size[0]*(j+size[1]*k)
					fAir := 1 - fCord[idx] - fCSF[idx] - fNeck[idx]
					cordLevel := lv[3]
					if lesion != nil && lesion[idx] == 1 {
						cordLevel = lesionLevel[c]
					}
					v := fAir*lv[0]*a.intensityS[0] + fNeck[idx]*lv[1]*a.intensityS[1] + fCSF[idx]*lv[2]*a.intensityS[2] + fCord[idx]*cordLevel*a.intensityS[3]
					bias := 1 + a.biasAmp*math.Sin(2*math.Pi*float64(i)/X+a.bias[0])*math.Cos(2*math.Pi*float64(j)/Y+a.bias[1])*math.Cos(math.Pi*float64(k)/Z+a.bias[2])
					v *= bias
					if o.Noise > 0 {
						v += o.Noise * lv[3] * rng.NormFloat64()
					}
					data[idx] = float32(math.Max(v, 0) * a.gain)
				}
			}
		}
		subj.Images[c] = reorient(&Volume{Shape: size, Data: data, Affine: affine}, ornt)
	}
	subj.Label = reorient(&Volume{Shape: size, Data: label, Affine: affine}, ornt)
	if lesion != nil {
		subj.Lesion = reorient(&Volume{Shape: size, Data: lesion, Affine: affine}, ornt)
	}
	return subj
}

// lesions draws 1..o.Lesions ellipsoids inside the cord of subject s and
// returns their mask (only voxels of the cord label belong to a lesion).
func lesions(o Options, s int, size [3]int, a anatomy, cord []float32) []float32 {
	lr := rand.New(rand.NewPCG(o.Seed, uint64(s)+0x2545f4914f6cdd1d))
	mask := make([]float32, len(cord))
	n := 1 + lr.IntN(o.Lesions)
	for range n {
		kc := 1 + lr.Float64()*float64(size[2]-3)
		cx := a.cx(kc) + (lr.Float64()-0.5)*0.8*a.rx
		cy := a.cy(kc) + (lr.Float64()-0.5)*0.8*a.ry
		rxy := 1.0 + 0.8*lr.Float64()
		rz := 0.8 + 1.2*lr.Float64()
		for k := max(0, int(kc-rz)-1); k <= min(size[2]-1, int(kc+rz)+1); k++ {
			for j := max(0, int(cy-rxy)-1); j <= min(size[1]-1, int(cy+rxy)+1); j++ {
				for i := max(0, int(cx-rxy)-1); i <= min(size[0]-1, int(cx+rxy)+1); i++ {
					idx := i + size[0]*(j+size[1]*k)
					if cord[idx] == 1 && sq((float64(i)-cx)/rxy)+sq((float64(j)-cy)/rxy)+sq((float64(k)-kc)/rz) <= 1 {
						mask[idx] = 1
					}
				}
			}
		}
	}
	return mask
}

func sq(x float64) float64 { return x * x }

// rasAffine centres the grid on the world origin, axes along RAS+.
func rasAffine(size [3]int, voxel [3]float64) [4][4]float64 {
	var a [4][4]float64
	for i := range 3 {
		a[i][i] = voxel[i]
		a[i][3] = -float64(size[i]-1) / 2 * voxel[i]
	}
	a[3][3] = 1
	return a
}

// orientation maps each output voxel axis to a RAS axis and a direction.
type orientation [3]struct {
	ras  int
	flip bool
}

func parseOrientation(s string) (orientation, error) {
	var o orientation
	if len(s) != 3 {
		return o, fmt.Errorf("phantom: orientation %q must be 3 letters such as \"RAS\" or \"LPI\"", s)
	}
	used := [3]bool{}
	for a, c := range strings.ToUpper(s) {
		r, flip := -1, false
		switch c {
		case 'R':
			r = 0
		case 'L':
			r, flip = 0, true
		case 'A':
			r = 1
		case 'P':
			r, flip = 1, true
		case 'S':
			r = 2
		case 'I':
			r, flip = 2, true
		}
		if r < 0 || used[r] {
			return o, fmt.Errorf("phantom: orientation %q must name each of R/L, A/P, S/I once", s)
		}
		used[r] = true
		o[a].ras, o[a].flip = r, flip
	}
	return o, nil
}

// reorient returns v (on a RAS grid) stored with the voxel axes of o; the
// affine changes with it so that every voxel keeps its world position.
func reorient(v *Volume, o orientation) *Volume {
	var shape [3]int
	var aff [4][4]float64
	aff[3][3] = 1
	for r := range 3 {
		aff[r][3] = v.Affine[r][3]
	}
	for a := range 3 {
		r := o[a].ras
		shape[a] = v.Shape[r]
		sign := 1.0
		if o[a].flip {
			sign = -1
		}
		for w := range 3 {
			aff[w][a] = sign * v.Affine[w][r]
			if o[a].flip {
				aff[w][3] += v.Affine[w][r] * float64(v.Shape[r]-1)
			}
		}
	}
	out := make([]float32, len(v.Data))
	var src [3]int
	for k := 0; k < shape[2]; k++ {
		for j := 0; j < shape[1]; j++ {
			for i := 0; i < shape[0]; i++ {
				for a, x := range [3]int{i, j, k} {
					r := o[a].ras
					if o[a].flip {
						x = v.Shape[r] - 1 - x
					}
					src[r] = x
				}
				out[i+shape[0]*(j+shape[1]*k)] = v.Data[src[0]+v.Shape[0]*(src[1]+v.Shape[1]*src[2])]
			}
		}
	}
	return &Volume{Shape: shape, Data: out, Affine: aff}
}
