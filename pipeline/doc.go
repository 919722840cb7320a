// Package pipeline runs what an ivadomed config asks for: it turns a BIDS
// dataset into training samples, trains a model with validation, early
// stopping and resumable checkpoints (Train), predicts and evaluates the
// test split (Test), and segments new images (Segment), writing the output
// folder ivadomed writes.
//
// The models it trains are ivadomed's Unet (2D slices, 2D patches with
// length_2D/stride_2D, or 3D patches), FiLMedUnet (conditioned on metadata
// the loader reads: contrasts, MRI parameters or a participants.tsv
// column), HeMISUnet (one encoder per contrast, any subset of contrasts
// per sample), Modified3DUNet (3D patches, with FiLM layers or not) and
// Countception (2D slices of any size to heat maps of the same size, on
// soft labels, as ivadomed's vertebral labelling trains it; its output
// is written and post-processed like a segmentation's).
// An object-detection cascade (object_detection_params) crops each image
// to the box a first model finds, for 2D and 3D models. The resnet18 and
// densenet121 slice classifiers train and test (one label per slice), and
// filter the slices of another model's training (filter_classification).
// Microscopy datasets (PNG, TIFF or JPEG images with a PixelSize
// sidecar) run through the 2D path (see readMicroscopy). Features a
// config may ask for that are not built (Weights & Biases, microscopy
// with a 3D model) are refused at the key that asks for them (see Built).
//
// The parts it assembles live in its subpackages and below: config
// (pipeline/config), the phantom dataset of the quickstart
// (pipeline/phantom), transforms, losses, metrics and post-processing,
// models and optimisers (nn, nn/optim), BIDS indexing (bids) and NIfTI I/O
// (nifti).
//
// Volumes are handled in RAS orientation and C order (numpy's indexing of
// nibabel's as_closest_canonical array); predictions are mapped back to the
// grid and orientation of the image they were made from before they are
// written, so they overlay their source in any viewer.
package pipeline
