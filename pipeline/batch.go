package pipeline

import (
	"math/rand/v2"

	"github.com/ivadogo/ivadogo/autograd"
	"github.com/ivadogo/ivadogo/nn"
	"github.com/ivadogo/ivadogo/pipeline/transforms"
)

// sampleSet is a training or validation set: 2D slices or 3D patches.
type sampleSet interface {
	// size is the number of samples.
	size() int
	// drawAt returns sample i after the on-the-fly transforms.
	drawAt(i int, r *rand.Rand, soft bool) (*transforms.Sample, *transforms.Record, error)
	// assemble stacks samples into a batch padded to multiples of mult.
	assemble(ss []*transforms.Sample, mult int) *batch
	stats() (bytes, hits, misses int)
	// hasLabel reports, per sample, whether its label has foreground (for
	// balance_samples type "gt").
	hasLabel() ([]int, error)
	// labelsBy returns, per sample, the index of its input's value in a
	// metadata column (for balance_samples by a column).
	labelsBy(column string) ([]int, error)
	// cond returns sample i's FiLM metadata and HeMIS contrasts at epoch
	// (training drops HeMIS contrasts with a draw from r).
	cond(i, epoch int, r *rand.Rand) sampleCond
}

// dropChannels is ivadomed's is_input_dropout: of a multichannel input's
// C channels, a random number in 0..C−1 of them, drawn at random, are
// zeroed, so the model learns to cope with missing contrasts.
func dropChannels(s *transforms.Sample, r *rand.Rand) {
	c := len(s.Im.Data)
	if c < 2 {
		return
	}
	n := r.IntN(c)
	for _, i := range r.Perm(c)[:n] {
		clear(s.Im.Data[i])
	}
}

// hemisChannels lays a HeMIS sample's channels (one per available
// contrast, in contrast order) out as one per contrast of the model, zero
// where a contrast is missing or dropped (present false).
func hemisChannels(im transforms.Part, avail, present []bool) [][]float32 {
	out := make([][]float32, len(avail))
	j := 0
	for k, ok := range avail {
		if ok {
			if present[k] {
				out[k] = im.Data[j]
			}
			j++
		}
		if out[k] == nil {
			out[k] = make([]float32, im.Len())
		}
	}
	return out
}

// shape returns the batch's input and label tensor shapes.
func (b *batch) shapes() (x, y []int) {
	if b.label {
		return []int{b.n, b.c, b.h, b.w}, []int{b.n, b.k}
	}
	if b.d > 0 {
		return []int{b.n, b.c, b.h, b.w, b.d}, []int{b.n, b.k, b.h, b.w, b.d}
	}
	return []int{b.n, b.c, b.h, b.w}, []int{b.n, b.k, b.h, b.w}
}

// batch is a minibatch of 2D samples (d = 0) or 3D patches, padded to a
// common size.
type batch struct {
	d          int
	x, y       []float32 // N×C×H×W and N×K×H×W
	n, c, k    int
	h, w       int
	recs       []*transforms.Record
	sizes      [][2]int // each sample's size before padding
	depths     []int    // and its depth (3D)
	err        error
	index      int // position of the batch in the epoch
	background bool
	// label is set when y holds one value per sample and class (N×K), a
	// classifier's label (see classifySet).
	label bool
	// meta holds the samples' FiLM metadata (N×n_metadata) and present
	// their HeMIS contrasts, when the model takes them.
	meta    []float32
	present [][]bool
}

// input is the model input of the batch, its images being x.
func (b *batch) input(x *autograd.Value) nn.Input {
	return modelInput(x, b.meta, b.present)
}

// roundUp returns n rounded up to a multiple of m.
func roundUp(n, m int) int {
	if m <= 1 {
		return n
	}
	return (n + m - 1) / m * m
}

// assemble pads samples (H×W×1 parts) to the largest size among them,
// rounded up to mult (2^depth, so that every pooling divides evenly: this
// replaces ivadomed's "must be a multiple of 16" errors), and stacks them.
// With background, a background channel 1 − max(classes) is put first in
// y, as softmax models with several classes are trained.
func assemble(samples []*transforms.Sample, classes, mult int, background bool) *batch {
	b := &batch{n: len(samples), c: len(samples[0].Im.Data), k: classes, background: background}
	if background {
		b.k++
	}
	for _, s := range samples {
		b.h = max(b.h, s.Im.Shape[0])
		b.w = max(b.w, s.Im.Shape[1])
		b.sizes = append(b.sizes, [2]int{s.Im.Shape[0], s.Im.Shape[1]})
	}
	b.h, b.w = roundUp(b.h, mult), roundUp(b.w, mult)
	plane := b.h * b.w
	b.x = make([]float32, b.n*b.c*plane)
	b.y = make([]float32, b.n*b.k*plane)
	for i, s := range samples {
		h, w := s.Im.Shape[0], s.Im.Shape[1]
		for c, ch := range s.Im.Data {
			pasteInto(b.x[(i*b.c+c)*plane:], b.w, ch, h, w)
		}
		off := 0
		if background {
			bg := b.y[(i*b.k)*plane : (i*b.k+1)*plane]
			for j := range bg {
				bg[j] = 1
			}
			off = 1
		}
		for c := 0; c < classes && c < len(s.GT.Data); c++ {
			gh, gw := s.GT.Shape[0], s.GT.Shape[1]
			pasteInto(b.y[(i*b.k+c+off)*plane:], b.w, s.GT.Data[c], gh, gw)
			if background {
				bg := b.y[(i*b.k)*plane:]
				for r := 0; r < gh; r++ {
					for q := 0; q < gw; q++ {
						if v := s.GT.Data[c][r*gw+q]; 1-v < bg[r*b.w+q] {
							bg[r*b.w+q] = 1 - v
						}
					}
				}
			}
		}
	}
	return b
}

// pasteInto copies an h×w plane into the top-left corner of a plane of
// width stride.
func pasteInto(dst []float32, stride int, src []float32, h, w int) {
	for r := 0; r < h; r++ {
		copy(dst[r*stride:r*stride+w], src[r*w:(r+1)*w])
	}
}

// cropFrom copies the top-left h×w corner of a plane of width stride.
func cropFrom(src []float32, stride, h, w int) []float32 {
	out := make([]float32, h*w)
	for r := 0; r < h; r++ {
		copy(out[r*w:(r+1)*w], src[r*stride:r*stride+w])
	}
	return out
}

// sampleSeed derives the seed of one draw from the run's seed, the epoch
// and the sample's position, so that the same seed gives the same samples
// whatever the number of workers and whatever their timing.
func sampleRand(seed uint64, epoch, pos int) *rand.Rand {
	return rand.New(rand.NewPCG(seed^0x5851f42d4c957f2d, uint64(epoch)<<32|uint64(pos)))
}

// batches streams the batches of one epoch: order lists the refs in the
// order to draw them; workers goroutines draw samples, up to prefetch
// batches ahead of the consumer. Closing stop abandons the epoch.
func batches(d sampleSet, order []int, batchSize int, seed uint64, epoch, workers, prefetch int, soft bool, mult int, stop <-chan struct{}) <-chan *batch {
	nb := (len(order) + batchSize - 1) / batchSize
	out := make(chan *batch, prefetch)
	jobs := make(chan int)
	results := make([]chan *batch, nb)
	for i := range results {
		results[i] = make(chan *batch, 1)
	}
	// tokens bound the batches drawn but not yet consumed.
	tokens := make(chan struct{}, max(1, prefetch)+max(1, workers))
	go func() {
		defer close(jobs)
		for i := 0; i < nb; i++ {
			select {
			case tokens <- struct{}{}:
			case <-stop:
				return
			}
			select {
			case jobs <- i:
			case <-stop:
				return
			}
		}
	}()
	for w := 0; w < max(1, workers); w++ {
		go func() {
			for bi := range jobs {
				lo, hi := bi*batchSize, min(len(order), (bi+1)*batchSize)
				var ss []*transforms.Sample
				var recs []*transforms.Record
				var meta []float32
				var present [][]bool
				var err error
				for pos := lo; pos < hi; pos++ {
					s, rec, e := d.drawAt(order[pos], sampleRand(seed, epoch, pos), soft)
					if e != nil {
						err = e
						break
					}
					sc := d.cond(order[pos], epoch, sampleRand(seed^0xc0d1, epoch, pos))
					if sc.present != nil {
						s.Im.Data = hemisChannels(s.Im, sc.avail, sc.present)
					}
					ss = append(ss, s)
					recs = append(recs, rec)
					meta = append(meta, sc.meta...)
					if sc.present != nil {
						present = append(present, sc.present)
					}
				}
				var b *batch
				if err != nil {
					b = &batch{err: err}
				} else {
					b = d.assemble(ss, mult)
					b.recs = recs
					b.meta, b.present = meta, present
				}
				b.index = bi
				results[bi] <- b
			}
		}()
	}
	go func() {
		defer close(out)
		for i := 0; i < nb; i++ {
			var b *batch
			select {
			case b = <-results[i]:
			case <-stop:
				return
			}
			<-tokens
			select {
			case out <- b:
			case <-stop:
				return
			}
			if b.err != nil {
				return
			}
		}
	}()
	return out
}
