package pipeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ivadogo/ivadogo/bids"
	"github.com/ivadogo/ivadogo/internal/atomicfile"
	"github.com/ivadogo/ivadogo/nifti"
)

// Microscopy images (PNG, TIFF, JPEG) are read as ivadomed reads them
// (loader/segmentation_pair.py): one gray channel (colour through the
// 0.299/0.587/0.114 luma weights, alpha dropped), an H×W×1 volume whose
// rows are the first axis, an identity orientation, and voxel sizes from
// the sidecar's PixelSize [X, Y(, Z)] and PixelSizeUnits, in mm as
// [Y, X, Z]. A label is binarised as ivadomed binarises an 8-bit mask:
// value/255 ≥ 0.5. From there they go through the same 2D path as a
// NIfTI slice (patches, Resample, transforms), and test and segment add
// ivadomed's PNG outputs beside the NIfTI predictions
// (writeMicroscopyPNGs).
//
// Where ivadogo departs from ivadomed: nothing is written next to the
// source (ivadomed saves a NIfTI copy of every PNG into the dataset);
// 16-bit images keep their 16-bit values (ivadomed's older readers cut
// them to 8 bits; the values are normalised either way) and a 16-bit
// label is binarised at half its range; a label whose largest value is
// above 0 but under the threshold is an error rather than an empty mask.

// microscopyExts are the extensions read as microscopy images.
var microscopyExts = []string{".png", ".tif", ".tiff", ".jpg", ".jpeg"}

// isMicroscopy reports whether path names a microscopy image.
func isMicroscopy(path string) bool {
	low := strings.ToLower(path)
	for _, e := range microscopyExts {
		if strings.HasSuffix(low, e) {
			return true
		}
	}
	return false
}

// PixelSize is a microscopy pixel size given on the command line
// (segment --pixel-size), for images whose metadata has none.
type PixelSize struct {
	X, Y  float64 // width and height of a pixel, in Units
	Units string  // "um", "nm" or "mm", as BIDS's PixelSizeUnits
}

// ParsePixelSize parses segment's --pixel-size: one size, or X,Y (a
// pixel's width and height), followed by a unit, um (also µm), nm or mm,
// or by none for micrometres, as a BIDS sidecar without PixelSizeUnits
// and ivadomed's segment_volume read it: "0.1", "0.1um", "100nm",
// "0.25,0.5um".
func ParsePixelSize(s string) (PixelSize, error) {
	bad := func(why string) (PixelSize, error) {
		return PixelSize{}, fmt.Errorf("pixel size %q: %s; want a size in µm such as 0.1, or a number with a unit (0.1um, 100nm, 0.0001mm), or X,Y for a pixel's width and height (0.1,0.2um)", s, why)
	}
	num := strings.TrimSpace(s)
	ps := PixelSize{Units: "um"}
	for _, u := range []struct{ suffix, units string }{{"um", "um"}, {"µm", "um"}, {"μm", "um"}, {"nm", "nm"}, {"mm", "mm"}} {
		if strings.HasSuffix(num, u.suffix) {
			num, ps.Units = strings.TrimSpace(strings.TrimSuffix(num, u.suffix)), u.units
			break
		}
	}
	parts := strings.Split(num, ",")
	if len(parts) > 2 {
		return bad("more than two sizes")
	}
	var v [2]float64
	for i, part := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
		if err != nil {
			return bad(fmt.Sprintf("%q is not a number (units: um, nm or mm)", strings.TrimSpace(part)))
		}
		if !(f > 0) || math.IsInf(f, 0) {
			return bad("a size must be positive")
		}
		v[i] = f
	}
	if len(parts) == 1 {
		v[1] = v[0]
	}
	ps.X, ps.Y = v[0], v[1]
	return ps, nil
}

// meta is the pixel size as sidecar metadata.
func (ps *PixelSize) meta() map[string]any {
	return map[string]any{"PixelSize": []any{ps.X, ps.Y}, "PixelSizeUnits": ps.Units}
}

// String formats the pixel size as ParsePixelSize reads it.
func (ps PixelSize) String() string {
	if ps.X == ps.Y {
		return fmt.Sprintf("%g%s", ps.X, ps.Units)
	}
	return fmt.Sprintf("%g,%g%s", ps.X, ps.Y, ps.Units)
}

// sidecarMeta finds the metadata of a microscopy image named alone (segment
// -i): the sidecar JSON beside it (<stem>.json) or, in a BIDS dataset,
// the sidecars it inherits. Without either, the pixel size pixelSize
// stands for it; without that too, it is an error.
func sidecarMeta(path string, pixelSize *PixelSize) (map[string]any, error) {
	side := filepath.Join(filepath.Dir(path), stem(path)+".json")
	b, err := os.ReadFile(side)
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var meta map[string]any
		if err := dec.Decode(&meta); err != nil {
			return nil, fmt.Errorf("pipeline: %s: %w", side, err)
		}
		return meta, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("pipeline: %s: sidecar: %w", path, err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = filepath.Clean(path)
	}
	for dir := filepath.Dir(abs); ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "dataset_description.json")); err == nil {
			d, err := bids.Index(dir)
			if err != nil {
				return nil, err
			}
			rel, _ := filepath.Rel(dir, abs)
			if im := d.Image(filepath.ToSlash(rel)); im != nil {
				return d.Metadata(im), nil
			}
			break
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	if pixelSize != nil {
		return pixelSize.meta(), nil
	}
	return nil, fmt.Errorf("pipeline: %s: no PixelSize: a microscopy image takes its pixel size from its BIDS sidecar (\"PixelSize\": [X, Y] and \"PixelSizeUnits\"); write it to %s, or give segment --pixel-size (e.g. --pixel-size 0.1um)", path, side)
}

// readMicroscopy reads a microscopy image or label as an H×W×1 volume.
func readMicroscopy(f volumeFile) (*volume, error) {
	path := f.path
	if strings.Contains(strings.ToLower(filepath.Base(path)), ".ome.") {
		return nil, fmt.Errorf("pipeline: %s: OME-TIFF images are not supported (ivadomed refuses them too); export the image as a plain TIFF or PNG", path)
	}
	meta := f.meta
	if meta == nil {
		var err error
		if meta, err = sidecarMeta(path, f.pixelSize); err != nil {
			return nil, err
		}
	}
	if _, ok := meta["PixelSize"]; !ok && f.pixelSize != nil {
		meta = f.pixelSize.meta()
	}
	m, err := bids.ReadMicroscopy(path, meta)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	if m.Zooms[0] <= 0 || m.Zooms[1] <= 0 {
		return nil, fmt.Errorf("pipeline: %s: the sidecar metadata has no PixelSize (want \"PixelSize\": [X, Y] with \"PixelSizeUnits\": \"um\", as BIDS microscopy)", path)
	}
	h, w := m.Height, m.Width
	data := make([]float32, h*w) // Fortran order: rows fastest
	if f.label {
		thr := float32(127.5)
		if m.BitDepth == 16 {
			thr = 32767.5
		}
		var top float32
		for y := range h {
			for x := range w {
				g := m.Gray[y*w+x]
				top = max(top, g)
				if g >= thr {
					data[y+h*x] = 1
				}
			}
		}
		if top > 0 && top < thr {
			return nil, fmt.Errorf("pipeline: label %s: largest value %g is under the %g at which a %d-bit label counts as foreground (ivadomed reads value/255 ≥ 0.5), so the mask would be empty; save the label with 0 and 255", path, top, thr, m.BitDepth)
		}
	} else {
		for y := range h {
			for x := range w {
				data[y+h*x] = m.Gray[y*w+x]
			}
		}
	}
	// ivadomed's identity affine with the zooms set in the header is, in
	// nibabel's best affine, diag(zooms): RAS already, rows along x.
	var aff nifti.Affine
	for i := range 3 {
		aff[i][i] = m.Zooms[i]
	}
	aff[3][3] = 1
	return volumeOf(nifti.New(data, []int{h, w, 1}, aff), path)
}

// writeMicroscopyPNGs writes each class of a prediction (C order on an
// H×W×1 source grid sh) as an 8-bit gray PNG base_class-<i><suffix>, with
// value·255/top cut to an integer as ivadomed's pred_to_png does (top is
// 1 for predictions, 3 for the TP/FP/FN map). It returns the paths.
func writeMicroscopyPNGs(base, suffix string, classes [][]float32, sh [3]int, top float64) ([]string, error) {
	if sh[2] != 1 {
		return nil, fmt.Errorf("pipeline: %s: a microscopy prediction has one slice, got shape %v", base, sh)
	}
	var out []string
	for c, cl := range classes {
		im := image.NewGray(image.Rect(0, 0, sh[1], sh[0]))
		for i, v := range cl[:sh[0]*sh[1]] {
			im.Pix[i] = uint8(math.Max(0, math.Min(255, float64(v)*255/top)))
		}
		path := fmt.Sprintf("%s_class-%d%s", base, c, suffix)
		var buf bytes.Buffer
		if err := png.Encode(&buf, im); err != nil {
			return nil, fmt.Errorf("pipeline: %s: %w", path, err)
		}
		if err := atomicfile.WriteFile(path, buf.Bytes()); err != nil {
			return nil, fmt.Errorf("pipeline: %w", err)
		}
		out = append(out, path)
	}
	return out, nil
}

// writeTestPNGs writes what ivadomed's test adds for a microscopy image
// beside <base>_pred.nii.gz: each class as <base>_class-<i>_pred.png and,
// with object-detection metrics, the TP/FP/FN map of each class as
// <base>_class-<i>_pred_TP-FP-FN.png (1, 2, 3 scaled to 85, 170, 255).
func writeTestPNGs(base string, pred, painted [][]float32, sh [3]int) error {
	if _, err := writeMicroscopyPNGs(base, "_pred.png", pred, sh, 1); err != nil {
		return err
	}
	if painted != nil {
		if _, err := writeMicroscopyPNGs(base, "_pred_TP-FP-FN.png", painted, sh, 3); err != nil {
			return err
		}
	}
	return nil
}
