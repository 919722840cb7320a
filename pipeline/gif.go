package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/nn"
	"github.com/ivadogo/ivadogo/tensor"
)

// GIFs of validation slices (train -g N), as ivadomed's: N validation
// samples are drawn at the start of training, and after each epoch's
// validation the model's prediction on each is added as one frame of
// gifs/<subject>__<contrast>__<slice>.gif under path_output.
//
// A frame is the input's first channel in gray, normalised per slice from
// its minimum (black) to its maximum (white); the pixels whose predicted
// probability (the largest over the classes) is at least 0.5, the
// threshold of the validation Dice, are blended half with red; the ground
// truth's outline (the labelled pixels with a neighbour outside the
// label) is drawn in green on top. Small slices are magnified by a whole
// factor so that the frames are at least gifMinSize pixels wide or high.
// For 3D models the frame is the middle slice along slice_axis of the
// sample's patch, <slice> is that slice's index in the volume, and the
// name ends in the patch's in-plane origin (see gifName).
//
// The samples are drawn from random_seed, so a resumed run animates the
// same ones. The frames so far live in the GIF files themselves: each
// epoch rewrites each file atomically with its first epoch−1 frames
// (decoded from the file) and the new one, so a kill leaves whole files
// and --resume carries on with them (ivadomed keeps them in its
// checkpoint instead).
type gifRecorder struct {
	set   sampleSet
	order []int    // the chosen samples
	paths []string // their GIF files
	seed  uint64
	mult  int
	// files holds each GIF's frames so far, read from its file on the
	// first frame of this call (a resumed run's earlier frames) and kept
	// encoded after, so that an epoch encodes one frame per GIF.
	files []*gifFile
}

const (
	// gifDelay is the delay between frames in hundredths of a second.
	gifDelay = 50
	// gifMinSize is the smallest side a frame is magnified to reach.
	gifMinSize = 128
	// Palette layout: gifGrays gray levels from black to white, then
	// gifReds levels of gray blended half with red, then green.
	gifGrays = 192
	gifReds  = 63
	gifGreen = gifGrays + gifReds
)

// gifPalette is the palette of every frame (see gifGrays).
var gifPalette = func() color.Palette {
	p := make(color.Palette, 0, 256)
	for i := 0; i < gifGrays; i++ {
		g := uint8(math.Round(float64(i) * 255 / (gifGrays - 1)))
		p = append(p, color.RGBA{g, g, g, 255})
	}
	for i := 0; i < gifReds; i++ {
		g := math.Round(float64(i) * 255 / (gifReds - 1))
		p = append(p, color.RGBA{uint8(math.Round(127.5 + g/2)), uint8(math.Round(g / 2)), uint8(math.Round(g / 2)), 255})
	}
	return append(p, color.RGBA{0, 255, 0, 255})
}()

// newGIFRecorder chooses n samples of the validation set (all of them if
// it has fewer) from seed; n ≤ 0 gives nil.
func newGIFRecorder(n int, set sampleSet, pathOutput string, seed uint64, mult int) (*gifRecorder, error) {
	if n <= 0 {
		return nil, nil
	}
	dir := filepath.Join(pathOutput, "gifs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("pipeline: -g: %w", err)
	}
	g := &gifRecorder{set: set, seed: seed ^ 0x61f5, mult: mult}
	perm := rand.New(rand.NewPCG(seed, 0x676966)).Perm(set.size())
	g.order = perm[:min(n, len(perm))]
	seen := map[string]int{}
	for _, i := range g.order {
		name := gifName(set, i)
		// Two patches of one slice would share a name.
		if seen[name]++; seen[name] > 1 {
			name = fmt.Sprintf("%s_%d", name, seen[name])
		}
		g.paths = append(g.paths, filepath.Join(dir, name+".gif"))
	}
	g.files = make([]*gifFile, len(g.paths))
	return g, nil
}

// gifName is ivadomed's name of sample i's GIF without the extension:
// the subject, the rest of the input's file name, the slice index; for a
// patch (3D, or 2D with length_2D) "_<row>-<column>" of its origin
// follows, as several patches share a slice.
func gifName(set sampleSet, i int) string {
	if t, ok := set.(timedSet); ok {
		set = t.sampleSet
	}
	switch d := set.(type) {
	case *slices2D:
		r := d.refs[i]
		name := gifStem(d.pairs[r.pair].Inputs[0].Filename, r.k)
		if r.patch {
			name += fmt.Sprintf("_%d-%d", r.origin[0], r.origin[1])
		}
		return name
	case *patches3D:
		r := d.refs[i]
		return gifStem(d.pairs[r.pair].Inputs[0].Filename, r.origin[2]+d.length[2]/2) + fmt.Sprintf("_%d-%d", r.origin[0], r.origin[1])
	}
	return fmt.Sprintf("sample__%d", i)
}

// gifStem turns sub-01_acq-x_T2w.nii.gz and slice 7 into
// sub-01__acq-x_T2w__7.
func gifStem(filename string, slice int) string {
	stem := strings.TrimSuffix(strings.TrimSuffix(filename, ".gz"), ".nii")
	sub, rest, ok := strings.Cut(stem, "_")
	if !ok {
		sub, rest = stem, "image"
	}
	return fmt.Sprintf("%s__%s__%d", sub, rest, slice)
}

// record predicts each chosen sample with mod in evaluation mode and adds
// the frame of epoch (1-based) to its GIF.
func (g *gifRecorder) record(mod nn.Module, epoch int) error {
	if g == nil {
		return nil
	}
	nn.SetTraining(mod, false)
	defer nn.SetTraining(mod, true)
	stop := make(chan struct{})
	defer close(stop)
	// Epoch 0 for every draw: each frame shows the same sample, transformed
	// the same way.
	ch := batches(g.set, g.order, 1, g.seed, 0, 1, 1, false, g.mult, stop)
	for i := range g.order {
		b, ok := <-ch
		if !ok {
			return fmt.Errorf("pipeline: -g: the GIF samples' loader stopped early")
		}
		if b.err != nil {
			return fmt.Errorf("pipeline: -g: %w", b.err)
		}
		xs, _ := b.shapes()
		x := autograd.Const(tensor.FromSlice(b.x, xs...))
		pred := nn.Run(mod, b.input(x))
		p := append([]float32(nil), pred.Peek().Contiguous().Data()...)
		pred.Release()
		im, prob, gt, h, w := b.slice(p)
		scale := max(1, (gifMinSize+max(h, w)-1)/max(h, w))
		f := renderFrame(im, prob, gt, h, w, scale)
		if g.files[i] == nil {
			gf, err := openGIF(g.paths[i], epoch-1, f.Bounds())
			if err != nil {
				return err
			}
			g.files[i] = gf
		}
		if err := g.files[i].add(f, epoch-1); err != nil {
			return err
		}
	}
	return nil
}

// slice returns, from a batch of one sample and the model's output p on
// it, the H×W planes shown in a frame: the input's first channel, the
// largest class probability and the largest label value, cut to the
// sample's size (3D: the middle slice of the patch).
func (b *batch) slice(p []float32) (im, prob, gt []float32, h, w int) {
	h, w = b.sizes[0][0], b.sizes[0][1]
	d, z := max(1, b.d), 0
	if b.d > 0 {
		z = b.depths[0] / 2
	}
	at := func(v []float32, c, r, q int) float32 { return v[((c*b.h+r)*b.w+q)*d+z] }
	im, prob, gt = make([]float32, h*w), make([]float32, h*w), make([]float32, h*w)
	// A model whose output or labels are not maps of the input's size
	// (a slice classifier) leaves the prediction or label blank.
	kp := len(p) / (b.h * b.w * d)
	ky := b.k
	if len(b.y) != b.k*b.h*b.w*d {
		ky = 0
	}
	for r := 0; r < h; r++ {
		for q := 0; q < w; q++ {
			j := r*w + q
			im[j] = at(b.x, 0, r, q)
			for c := 0; c < kp; c++ {
				prob[j] = max(prob[j], at(p, c, r, q))
			}
			for c := 0; c < ky; c++ {
				gt[j] = max(gt[j], at(b.y, c, r, q))
			}
		}
	}
	return im, prob, gt, h, w
}

// renderFrame draws one frame (see gifRecorder) of an h×w slice, each
// pixel magnified to scale×scale.
func renderFrame(im, prob, gt []float32, h, w, scale int) *image.Paletted {
	if len(im) != h*w || len(prob) != h*w || len(gt) != h*w {
		panic(fmt.Sprintf("pipeline: renderFrame: planes of %d, %d, %d values for %d×%d", len(im), len(prob), len(gt), h, w))
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range im {
		if !math.IsNaN(float64(v)) {
			lo, hi = min(lo, float64(v)), max(hi, float64(v))
		}
	}
	inLabel := func(r, q int) bool { return r >= 0 && r < h && q >= 0 && q < w && gt[r*w+q] >= 0.5 }
	f := image.NewPaletted(image.Rect(0, 0, w*scale, h*scale), gifPalette)
	for r := 0; r < h; r++ {
		for q := 0; q < w; q++ {
			j := r*w + q
			t := 0.0
			if hi > lo && !math.IsNaN(float64(im[j])) {
				t = (float64(im[j]) - lo) / (hi - lo)
			}
			idx := uint8(math.Round(t * (gifGrays - 1)))
			if prob[j] >= 0.5 {
				idx = uint8(gifGrays + math.Round(t*(gifReds-1)))
			}
			if inLabel(r, q) && !(inLabel(r-1, q) && inLabel(r+1, q) && inLabel(r, q-1) && inLabel(r, q+1)) {
				idx = gifGreen
			}
			for dr := 0; dr < scale; dr++ {
				row := f.Pix[(r*scale+dr)*f.Stride+q*scale:]
				for dq := 0; dq < scale; dq++ {
					row[dq] = idx
				}
			}
		}
	}
	return f
}

// appendFrame rewrites the GIF at path, atomically, with its first keep
// frames (fewer if it has fewer; none if it is missing or its frames have
// another size) followed by f.
func appendFrame(path string, f *image.Paletted, keep int) error {
	gf, err := openGIF(path, keep, f.Bounds())
	if err != nil {
		return err
	}
	return gf.add(f, keep)
}

// gifFile is an animated GIF being written a frame at a time. Its frames
// are kept encoded, each a self-contained block (graphic control
// extension, image descriptor, LZW data), so that adding a frame encodes
// that frame alone rather than the whole animation again (which took
// 50 ms at 100 frames of 128×128).
type gifFile struct {
	path   string
	head   []byte   // header, screen descriptor, global palette, loop
	frames [][]byte // the frames' blocks
}

// gifLoop is the NETSCAPE2.0 application extension that makes a GIF loop
// for ever.
var gifLoop = []byte("\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00")

// openGIF returns the GIF at path with its first keep frames: none if it
// is missing or its frames are not of size bounds.
func openGIF(path string, keep int, bounds image.Rectangle) (*gifFile, error) {
	gf := &gifFile{path: path}
	if keep <= 0 {
		return gf, nil
	}
	old, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return gf, nil
	case err != nil:
		return nil, fmt.Errorf("pipeline: -g: %w", err)
	}
	a, err := gif.DecodeAll(bytes.NewReader(old))
	if err != nil {
		return nil, fmt.Errorf("pipeline: -g: %s: %w", path, err)
	}
	if len(a.Image) == 0 || a.Image[0].Bounds() != bounds {
		return gf, nil
	}
	for _, f := range a.Image[:min(keep, len(a.Image))] {
		if err := gf.encode(f); err != nil {
			return nil, err
		}
	}
	return gf, nil
}

// encode appends f's block to the frames (and sets the head from the
// first frame).
func (gf *gifFile) encode(f *image.Paletted) error {
	b := f.Bounds()
	var buf bytes.Buffer
	err := gif.EncodeAll(&buf, &gif.GIF{
		Image: []*image.Paletted{f}, Delay: []int{gifDelay}, Disposal: []byte{gif.DisposalNone},
		Config: image.Config{ColorModel: gifPalette, Width: b.Dx(), Height: b.Dy()},
	})
	if err != nil {
		return fmt.Errorf("pipeline: -g: %s: %w", gf.path, err)
	}
	// A one-frame GIF is "GIF89a", the 7-byte screen descriptor, the
	// global palette, the frame's block and the trailer 0x3B.
	enc := buf.Bytes()
	head := 6 + 7 + 3*len(gifPalette)
	if len(enc) <= head+1 || enc[len(enc)-1] != 0x3b {
		return fmt.Errorf("pipeline: -g: %s: unexpected GIF encoding (%d bytes)", gf.path, len(enc))
	}
	if gf.head == nil {
		gf.head = append(enc[:head:head], gifLoop...)
	}
	gf.frames = append(gf.frames, enc[head:len(enc)-1])
	return nil
}

// add cuts the GIF to its first keep frames, adds f and writes the file
// atomically.
func (gf *gifFile) add(f *image.Paletted, keep int) error {
	gf.frames = gf.frames[:min(max(keep, 0), len(gf.frames))]
	if err := gf.encode(f); err != nil {
		return err
	}
	n := len(gf.head) + 1
	for _, b := range gf.frames {
		n += len(b)
	}
	out := make([]byte, 0, n)
	out = append(out, gf.head...)
	for _, b := range gf.frames {
		out = append(out, b...)
	}
	return writeAtomic(gf.path, append(out, 0x3b))
}
