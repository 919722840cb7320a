package pipeline

import (
	"container/list"
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/ivadogo/ivadogo/bids"
	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/pipeline/transforms"
)

// sliceRef names one 2D sample: a pair (input files with their labels)
// and a slice index along slice_axis; with patch, the 2D patch of the
// slice at origin.
type sliceRef struct {
	pair, k int
	origin  [2]int
	patch   bool
}

// slices2D is the 2D slice dataset of one set (training, validation or
// testing), as ivadomed's BidsDataset: each volume is read, reoriented to
// RAS, cut into slices along slice_axis, filtered (slice_filter_params,
// roi_params.slice_filter_roi) and preprocessed (Resample, CenterCrop,
// ROICrop) once; the on-the-fly transforms run per draw.
//
// Preprocessed volumes are kept in a cache bounded in bytes; a volume
// evicted is read again from disk when next needed, so the dataset need
// not fit in memory.
type slices2D struct {
	pairs    []bids.Pair
	loader   *config.Loader
	pre, fly *transforms.Compose
	perm     [3]int
	// classOf maps each flat label volume (class × rater) to its class.
	classes int
	refs    []sliceRef
	cache   *volumeCache
	// training enables the training-only draws (input dropout, HeMIS
	// contrast dropping).
	training bool
	// conditioner conditions the model (FiLM, HeMIS); conds holds each
	// pair's conditioning.
	conditioner *conditioning
	conds       []sampleCond
	// patches cuts slices into 2D patches of length every stride
	// (length_2D, stride_2D).
	patches        bool
	length, stride [3]int
	// boxes crop each pair to the box an object-detection model found
	// in it (H×W×D), when the config names one.
	boxes []box
	// classifier filters slices (slice_filter_params.filter_classification).
	classifier *sliceClassifier
}

// pairSlices is one pair's preprocessed slices; nil where filtered out.
type pairSlices struct {
	slices []*transforms.Sample
	// raters[c] lists the indexes into GT.Data of class c's raters.
	raters [][]int
	bytes  int
}

// drawRaters picks the label of each class that a sample takes, as
// indexes into GT.Data: with several raters for a class, one drawn for the
// whole sample (the same rater number for every class that has that many,
// as ivadomed draws one index per sample).
func drawRaters(raters [][]int, r *rand.Rand) []int {
	rater := -1
	for _, rs := range raters {
		if len(rs) > 1 && rater < 0 {
			rater = r.IntN(len(rs))
		}
	}
	out := make([]int, len(raters))
	for c, rs := range raters {
		out[c] = rs[0]
		if rater >= 0 {
			out[c] = rs[rater%len(rs)]
		}
	}
	return out
}

func newSlices2D(pairs []bids.Pair, cfg *config.Config, tl transforms.List, dataset string, undo bool, cacheBytes int) (*slices2D, error) {
	perm, err := hwdPerm(cfg.Loader.SliceAxis)
	if err != nil {
		return nil, err
	}
	pre, fly := tl.For(dataset, undo).Split()
	d := &slices2D{
		pairs: pairs, loader: &cfg.Loader, pre: pre, fly: fly, perm: perm,
		classes: len(cfg.Loader.TargetSuffix.Classes),
		cache:   newVolumeCache(cacheBytes), training: dataset == transforms.Training,
	}
	if d.conditioner, d.conds, err = pairConds(cfg, pairs); err != nil {
		return nil, err
	}
	m, _, err := cfg.ModelParams()
	if err != nil {
		return nil, err
	}
	if d.length, d.stride, d.patches, err = patchGeometry2D(m); err != nil {
		return nil, err
	}
	filter := patchFilter(cfg, dataset)
	if cfg.Loader.SliceFilterParams.FilterClassification {
		if d.classifier, err = loadSliceClassifier(cfg.Loader.SliceFilterParams.ClassifierPath); err != nil {
			return nil, err
		}
	}
	if d.boxes, err = cascadeBoxes(cfg, pairs, perm); err != nil {
		return nil, err
	}
	for i := range pairs {
		ps, err := d.load(i)
		if err != nil {
			return nil, err
		}
		for k, s := range ps.slices {
			switch {
			case s == nil:
			case d.patches:
				d.refs = append(d.refs, patchRefs2D(i, k, s, d.length, d.stride, ps.raters, filter)...)
			default:
				d.refs = append(d.refs, sliceRef{pair: i, k: k})
			}
		}
	}
	return d, nil
}

// get returns pair i's slices, from the cache or from disk.
func (d *slices2D) get(i int) (*pairSlices, error) {
	if ps := d.cache.get(i); ps != nil {
		return ps, nil
	}
	return d.load(i)
}

// pairVolumes are the volumes of one pair in H×W×D C order.
type pairVolumes struct {
	chans, gts [][]float32
	roi        []float32
	raters     [][]int
	sh         [3]int
	zooms      [3]float64
}

// readPair reads a pair's images, labels (every rater; zeros for a
// missing class) and ROI, checks they share a grid, and reorders them to
// H×W×D with perm.
func readPair(p bids.Pair, perm [3]int) (*pairVolumes, error) {
	var ims []*volume
	for _, r := range p.Inputs {
		v, err := readVolume(rowFile(r))
		if err != nil {
			return nil, err
		}
		if len(ims) > 0 {
			if err := sameGrid(ims[0], v); err != nil {
				return nil, fmt.Errorf("pipeline: %s: %v (channel 1 is %s)", r.Path, err, p.Inputs[0].Path)
			}
		}
		ims = append(ims, v)
	}
	ref := ims[0]
	pv := &pairVolumes{raters: make([][]int, len(p.Targets))}
	for c, paths := range p.Targets {
		if len(paths) == 0 {
			paths = []string{""}
		}
		for _, path := range paths {
			pv.raters[c] = append(pv.raters[c], len(pv.gts))
			if path == "" {
				pv.gts = append(pv.gts, make([]float32, len(ref.data)))
				continue
			}
			g, err := readVolume(labelFile(path, p.Inputs[0]))
			if err != nil {
				return nil, err
			}
			if err := sameGrid(ref, g); err != nil {
				return nil, fmt.Errorf("pipeline: label %s: %v (image %s)", path, err, p.Inputs[0].Path)
			}
			pv.gts = append(pv.gts, g.data)
		}
	}
	if p.ROI != "" {
		g, err := readVolume(labelFile(p.ROI, p.Inputs[0]))
		if err != nil {
			return nil, err
		}
		if err := sameGrid(ref, g); err != nil {
			return nil, fmt.Errorf("pipeline: ROI %s: %v (image %s)", p.ROI, err, p.Inputs[0].Path)
		}
		pv.roi, _ = permute(g.data, ref.shape, perm)
	}
	pv.chans = make([][]float32, len(ims))
	for c, v := range ims {
		pv.chans[c], pv.sh = permute(v.data, v.shape, perm)
	}
	for j := range pv.gts {
		pv.gts[j], _ = permute(pv.gts[j], ref.shape, perm)
	}
	pv.zooms = [3]float64{ref.zooms[perm[0]], ref.zooms[perm[1]], ref.zooms[perm[2]]}
	return pv, nil
}

// load reads pair i and preprocesses its slices.
func (d *slices2D) load(i int) (*pairSlices, error) {
	p := d.pairs[i]
	pv, err := readPair(p, d.perm)
	if err != nil {
		return nil, err
	}
	if d.boxes != nil {
		cropPair(pv, d.boxes[i])
	}
	chans, gts, roi, sh, zooms := pv.chans, pv.gts, pv.roi, pv.sh, pv.zooms
	ps := &pairSlices{raters: pv.raters}
	ps.slices = make([]*transforms.Sample, sh[2])
	part := [3]int{sh[0], sh[1], 1}
	sf := d.loader.SliceFilterParams
	for k := 0; k < sh[2]; k++ {
		s := &transforms.Sample{Zooms: zooms}
		s.Im = transforms.Part{Shape: part}
		for _, ch := range chans {
			s.Im.Data = append(s.Im.Data, slice(ch, sh, k))
		}
		s.GT = transforms.Part{Shape: part}
		for _, g := range gts {
			s.GT.Data = append(s.GT.Data, slice(g, sh, k))
		}
		if roi != nil {
			s.ROI = transforms.Part{Shape: part, Data: [][]float32{slice(roi, sh, k)}}
		}
		if !keepSlice(s, ps.raters, sf, d.loader.ROIParams.SliceFilterROI) || (d.classifier != nil && !d.classifier.keep(s)) {
			continue
		}
		if _, err := d.pre.Apply(s, rand.New(rand.NewPCG(0, uint64(k)))); err != nil {
			return nil, fmt.Errorf("pipeline: preprocessing %s slice %d: %w", p.Inputs[0].Path, k, err)
		}
		if d.patches {
			padSample(s, d.length)
		}
		ps.slices[k] = s
		ps.bytes += 4 * (len(s.Im.Data) + len(s.GT.Data) + len(s.ROI.Data)) * s.Im.Len()
	}
	d.cache.put(i, ps)
	return ps, nil
}

// keepSlice applies slice_filter_params as ivadomed's SliceFilter, on the
// slice before preprocessing.
func keepSlice(s *transforms.Sample, raters [][]int, sf config.SliceFilterParams, roiMin *int) bool {
	if sf.FilterEmptyInput {
		for _, ch := range s.Im.Data {
			if !anyNonzero(ch) {
				return false
			}
		}
	}
	if sf.FilterEmptyMask || sf.FilterAbsentClass {
		present := 0
		for _, rs := range raters {
			for _, j := range rs {
				if anyNonzero(s.GT.Data[j]) {
					present++
					break
				}
			}
		}
		if sf.FilterEmptyMask && present == 0 {
			return false
		}
		if sf.FilterAbsentClass && present < len(raters) {
			return false
		}
	}
	if roiMin != nil && len(s.ROI.Data) > 0 {
		n := 0
		for _, v := range s.ROI.Data[0] {
			if v != 0 {
				n++
			}
		}
		if n < *roiMin {
			return false
		}
	}
	return true
}

func anyNonzero(v []float32) bool {
	for _, x := range v {
		if x != 0 {
			return true
		}
	}
	return false
}

// draw returns sample ref after the on-the-fly transforms, with one rater
// drawn per class (the same index for every class, as ivadomed) and the
// labels binarised unless soft.
func (d *slices2D) draw(ref sliceRef, r *rand.Rand, soft bool) (*transforms.Sample, *transforms.Record, error) {
	ps, err := d.get(ref.pair)
	if err != nil {
		return nil, nil, err
	}
	src := ps.slices[ref.k]
	if ref.patch {
		src = cropSample(src, [3]int{ref.origin[0], ref.origin[1], 0}, d.length)
	}
	s := &transforms.Sample{Zooms: src.Zooms}
	s.Im = copyPart(src.Im)
	if len(src.ROI.Data) > 0 {
		s.ROI = copyPart(src.ROI)
	}
	s.GT.Shape = src.GT.Shape
	for _, j := range drawRaters(ps.raters, r) {
		s.GT.Data = append(s.GT.Data, append([]float32(nil), src.GT.Data[j]...))
	}
	rec, err := d.fly.Apply(s, r)
	if err != nil {
		return nil, nil, fmt.Errorf("pipeline: transforms of %s slice %d: %w", d.pairs[ref.pair].Inputs[0].Path, ref.k, err)
	}
	if !soft {
		s.BinarizeGT()
	}
	if d.loader.IsInputDropout && d.training {
		dropChannels(s, r)
	}
	return s, rec, nil
}

func copyPart(p transforms.Part) transforms.Part {
	q := transforms.Part{Shape: p.Shape, Data: make([][]float32, len(p.Data))}
	for i, v := range p.Data {
		q.Data[i] = append([]float32(nil), v...)
	}
	return q
}

// volumeCache is an LRU cache of preprocessed pairs bounded in bytes.
type volumeCache struct {
	mu     sync.Mutex
	limit  int
	bytes  int
	order  *list.List // front: most recent
	items  map[int]*list.Element
	hits   int
	misses int
}

type cacheEntry struct {
	key int
	ps  *pairSlices
}

func newVolumeCache(limit int) *volumeCache {
	return &volumeCache{limit: limit, order: list.New(), items: map[int]*list.Element{}}
}

func (c *volumeCache) get(k int) *pairSlices {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.order.MoveToFront(e)
		c.hits++
		return e.Value.(*cacheEntry).ps
	}
	c.misses++
	return nil
}

func (c *volumeCache) put(k int, ps *pairSlices) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.bytes -= e.Value.(*cacheEntry).ps.bytes
		e.Value.(*cacheEntry).ps = ps
		c.bytes += ps.bytes
		c.order.MoveToFront(e)
	} else {
		c.items[k] = c.order.PushFront(&cacheEntry{k, ps})
		c.bytes += ps.bytes
	}
	// Keep at least the newest entry, however large.
	for c.bytes > c.limit && c.order.Len() > 1 {
		e := c.order.Back()
		ce := e.Value.(*cacheEntry)
		c.order.Remove(e)
		delete(c.items, ce.key)
		c.bytes -= ce.ps.bytes
	}
}

// stats reports the cache's size in bytes and its hits and misses.
func (c *volumeCache) stats() (bytes, hits, misses int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes, c.hits, c.misses
}

func (d *slices2D) size() int { return len(d.refs) }

func (d *slices2D) drawAt(i int, r *rand.Rand, soft bool) (*transforms.Sample, *transforms.Record, error) {
	return d.draw(d.refs[i], r, soft)
}

func (d *slices2D) assemble(ss []*transforms.Sample, mult int) *batch {
	return assemble(ss, d.classes, mult, false)
}

func (d *slices2D) stats() (bytes, hits, misses int) { return d.cache.stats() }

func (d *slices2D) cond(i, epoch int, r *rand.Rand) sampleCond {
	sc := d.conds[d.refs[i].pair]
	if sc.avail != nil && d.training {
		sc.present = drop(sc.avail, d.conditioner.missingAt(epoch), r)
	}
	return sc
}

func (d *slices2D) hasLabel() ([]int, error) {
	out := make([]int, len(d.refs))
	for i, ref := range d.refs {
		ps, err := d.get(ref.pair)
		if err != nil {
			return nil, err
		}
		src := ps.slices[ref.k]
		if ref.patch {
			src = cropSample(src, [3]int{ref.origin[0], ref.origin[1], 0}, d.length)
		}
		for _, g := range src.GT.Data {
			if anyNonzero(g) {
				out[i] = 1
			}
		}
	}
	return out, nil
}
