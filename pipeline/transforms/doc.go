// Package transforms holds the data transforms of an ivadomed config's
// "transformation" section (ivadomed/transforms.py) and nnU-Net's
// intensity augmentations: resampling, crops, intensity normalisation and
// clipping, random affine and elastic deformation, flips, intensity shift,
// gamma, bias field, blur, noise, brightness, contrast and low-resolution
// simulation.
//
// A Sample holds the image channels, the label volumes and the ROI, each
// part with its own shape (H×W×D; a 2D slice is H×W×1, as ivadomed's
// two_dim_compatible treats it). A transform draws its random parameters
// once per sample and applies the same draw to every part named in its
// applied_to, so image, label and ROI stay aligned; transforms that ivadomed
// can undo record what they did, and Record.Undo maps a prediction back to
// the space the sample came from, in reverse order.
//
// Randomness comes only from the *rand.Rand passed in (math/rand/v2, PCG
// with an explicit seed in the pipeline): the same seed gives the same
// samples. A Compose is read-only once built: loader goroutines may share
// it, each with its own generator.
//
// Departures from ivadomed, each deliberate (see the feature inventory,
// §16):
//   - ElasticTransform draws one displacement field per sample; ivadomed
//     draws a new field for each of image, label and ROI, which leaves the
//     label deformed differently from the image.
//   - At inference (dataset type "testing" with undo) ivadomed silently
//     drops every transform without an undo step, Clahe and
//     HistogramClipping included, so test images are preprocessed unlike
//     training ones. Here deterministic intensity transforms (Clahe,
//     HistogramClipping, NormalizeInstance) are kept, their undo being the
//     identity on predictions; random augmentations without undo are
//     dropped as in ivadomed.
//   - A two-element crop size on a 3D volume keeps the whole depth
//     (ivadomed crops it to nothing).
//   - SimulateLowResolution upsamples with linear interpolation (nnU-Net:
//     cubic).
//   - Clahe rescales each slice from its own range (skimage rejects floats
//     outside [−1, 1]); DilateGT fills holes of a 2D slice as an image.
//
// Kept for parity, though odd: ElasticTransform smooths its field of a 2D
// slice across the (length-1) slice axis too, with zero padding, which
// scales the displacement by the kernel's centre weight, as scipy does on
// ivadomed's H×W×1 arrays; Resample zooms the ROI with order 2 like the
// image; a misspelt transform is an error at once (ivadomed fails only
// when it builds the transform).
//
// Besides the transforms, Mixup and BalancedSample are ivadomed's
// mixup_alpha and balance_samples, and Sample.BinarizeGT its 0.5
// threshold of labels after augmentation.
package transforms
