package pipeline

import (
	"fmt"
	"math"

	"github.com/ivadogo/ivadogo/bids"
	"github.com/ivadogo/ivadogo/pipeline/config"
	"github.com/ivadogo/ivadogo/pipeline/postprocess"
)

// cascade is ivadomed's object-detection cascade: a first, trained
// segmentation model (object_detection_params.object_detection_path)
// finds the structure in each image, and the second model trains and
// predicts on the image cropped to the structure's bounding box, enlarged
// by safety_factor about its centre (ivadomed's BoundingBoxCrop).
//
// Departures from ivadomed: the box is found and applied in the image's
// RAS voxel grid before any preprocessing (ivadomed crops after Resample,
// with a box resampled to that grid), the first model's prediction is
// thresholded at 0.5 and its largest object kept (ivadomed runs the first
// model's own post-processing, then keeps the largest object), an image
// where nothing is found is kept whole, the boxes are computed when a run
// starts rather than cached in bounding_boxes.json. Either model may be
// 2D or 3D: the box is a box of the volume either way.
type cascade struct {
	det    *predictor
	safety [3]float64
}

// box is a voxel box [lo, hi) per axis.
type box [3][2]int

func (b box) size() [3]int {
	return [3]int{b[0][1] - b[0][0], b[1][1] - b[1][0], b[2][1] - b[2][0]}
}

func (b box) origin() [3]int { return [3]int{b[0][0], b[1][0], b[2][0]} }

// newCascade loads the detection model a config names (nil when it names
// none).
func newCascade(cfg *config.Config) (*cascade, error) {
	od := cfg.ObjectDetection
	if od.ObjectDetectionPath == nil || *od.ObjectDetectionPath == "" {
		return nil, nil
	}
	path := *od.ObjectDetectionPath
	dcfg, jsonPath, err := config.ReadModelConfig(path)
	if err != nil {
		return nil, fmt.Errorf("pipeline: object_detection_params.object_detection_path: %w", err)
	}
	if p := dcfg.ObjectDetection.ObjectDetectionPath; p != nil && *p != "" {
		return nil, fmt.Errorf("pipeline: object_detection_params.object_detection_path %s: the detection model is itself a cascade", path)
	}
	weights, err := modelWeights(jsonPath)
	if err != nil {
		return nil, fmt.Errorf("pipeline: object_detection_params.object_detection_path: %w", err)
	}
	det, err := loadPredictor(dcfg, weights, "segment")
	if err != nil {
		return nil, fmt.Errorf("pipeline: object_detection_params.object_detection_path %s: %w", path, err)
	}
	if det.in.c != nil {
		return nil, fmt.Errorf("pipeline: object_detection_params.object_detection_path %s: a FiLM or HeMIS detection model is not supported", path)
	}
	c := &cascade{det: det, safety: [3]float64{1, 1, 1}}
	if sf := od.SafetyFactor; len(sf) > 0 {
		if len(sf) != 3 {
			return nil, fmt.Errorf("pipeline: object_detection_params.safety_factor %v: want three factors", sf)
		}
		for i, f := range sf {
			if !(f > 0) {
				return nil, fmt.Errorf("pipeline: object_detection_params.safety_factor %v: factors must be positive", sf)
			}
			c.safety[i] = f
		}
	}
	return c, nil
}

// find returns the box, in the RAS voxel grid of ims, of the largest
// object the detection model finds in them (the whole grid if none).
func (c *cascade) find(ims []*volume) (box, error) {
	sh := ims[0].shape
	whole := box{{0, sh[0]}, {0, sh[1]}, {0, sh[2]}}
	n := c.det.mp.InChannel
	if len(ims) < n {
		return whole, fmt.Errorf("pipeline: the detection model takes %d channel(s), got %d image(s)", n, len(ims))
	}
	soft, err := c.det.predict(ims[:n])
	if err != nil {
		return whole, fmt.Errorf("pipeline: object detection: %w", err)
	}
	fg := postprocess.KeepLargest(postprocess.Threshold(soft[0], 0.5), sh)
	lo, hi := sh, [3]int{-1, -1, -1}
	i := 0
	for x := 0; x < sh[0]; x++ {
		for y := 0; y < sh[1]; y++ {
			for z := 0; z < sh[2]; z++ {
				if fg[i] != 0 {
					p := [3]int{x, y, z}
					for a := range 3 {
						lo[a], hi[a] = min(lo[a], p[a]), max(hi[a], p[a]+1)
					}
				}
				i++
			}
		}
	}
	if hi[0] < 0 {
		return whole, nil
	}
	return enlarge(lo, hi, sh, c.safety), nil
}

// enlarge scales the box [lo, hi) by safety about its centre, rounding
// outwards and clipping to a grid of shape sh.
func enlarge(lo, hi, sh [3]int, safety [3]float64) box {
	var b box
	for a := range 3 {
		centre := float64(lo[a]+hi[a]) / 2
		half := float64(hi[a]-lo[a]) * safety[a] / 2
		b[a] = [2]int{max(0, int(math.Floor(centre-half))), min(sh[a], int(math.Ceil(centre+half)))}
	}
	return b
}

// crop returns the volumes cut to b (data, shape and voxel size: what
// prediction reads).
func cropVolumes(ims []*volume, b box) []*volume {
	out := make([]*volume, len(ims))
	for i, v := range ims {
		out[i] = &volume{data: cropPad(v.data, v.shape, b.origin(), b.size()), shape: b.size(), zooms: v.zooms}
	}
	return out
}

// paste puts volumes of b's shape back into zeros of shape sh.
func paste(parts [][]float32, b box, sh [3]int) [][]float32 {
	out := make([][]float32, len(parts))
	bs := b.size()
	for c, p := range parts {
		v := make([]float32, sh[0]*sh[1]*sh[2])
		for x := 0; x < bs[0]; x++ {
			for y := 0; y < bs[1]; y++ {
				dst := ((x+b[0][0])*sh[1]+y+b[1][0])*sh[2] + b[2][0]
				copy(v[dst:dst+bs[2]], p[(x*bs[1]+y)*bs[2]:(x*bs[1]+y+1)*bs[2]])
			}
		}
		out[c] = v
	}
	return out
}

// predict predicts one input (see predictFull), cropped first to the box
// the detection model finds when the model is the second of a cascade.
func (p *predictor) predict(ims []*volume) ([][]float32, error) {
	c := p.in.crop
	if c == nil {
		return p.predictFull(ims)
	}
	b, err := c.find(ims)
	if err != nil {
		return nil, err
	}
	out, err := p.predictFull(cropVolumes(ims, b))
	if err != nil {
		return nil, err
	}
	return paste(out, b, ims[0].shape), nil
}

// cascadeBoxes finds, when cfg is the second model of a cascade, each
// pair's box in the H×W×D order perm gives the loader's volumes (nil
// otherwise).
func cascadeBoxes(cfg *config.Config, pairs []bids.Pair, perm [3]int) ([]box, error) {
	c, err := newCascade(cfg)
	if err != nil || c == nil {
		return nil, err
	}
	out := make([]box, len(pairs))
	for i, p := range pairs {
		var ims []*volume
		for _, r := range p.Inputs {
			v, err := readVolume(rowFile(r))
			if err != nil {
				return nil, err
			}
			ims = append(ims, v)
		}
		b, err := c.find(ims)
		if err != nil {
			return nil, fmt.Errorf("pipeline: %s: %w", p.Inputs[0].Path, err)
		}
		for a := range 3 {
			out[i][a] = b[perm[a]]
		}
	}
	return out, nil
}

// cropPair cuts a pair's volumes (H×W×D) to b.
func cropPair(pv *pairVolumes, b box) {
	o, s := b.origin(), b.size()
	for i, v := range pv.chans {
		pv.chans[i] = cropPad(v, pv.sh, o, s)
	}
	for i, v := range pv.gts {
		pv.gts[i] = cropPad(v, pv.sh, o, s)
	}
	if pv.roi != nil {
		pv.roi = cropPad(pv.roi, pv.sh, o, s)
	}
	pv.sh = s
}
