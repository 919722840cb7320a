// Package metrics computes ivadomed's segmentation metrics: the
// per-sample scores averaged during validation and testing
// (ivadomed/metrics.py: dice_score, multi_class_dice_score, precision,
// recall, specificity, intersection over union, accuracy, the row-wise
// directed Hausdorff distance, mse) and the per-volume 3D evaluation that
// `test` writes to results_eval/evaluation_3Dmetrics.csv
// (ivadomed/evaluation.py: volumes, RVD/AVD, Dice, recall, precision,
// specificity, 18-connected object counts, lesion-wise LTPR/LFDR overall
// and by object size, mse, and the painted TP/FP/FN map).
//
// Scores follow ivadomed's conventions exactly, soft masks included
// (confusion terms are Σp·g, Σp·(1−g), …) and so do its values for empty
// inputs: Dice of two empty masks is NaN (1 inside multi_class_dice_score),
// precision/recall/specificity/IoU/accuracy return an error value (0 during
// validation, NaN in the 3D evaluation).
//
// Volumes are flat []float32 in C order (last axis fastest), shapes [3]int,
// voxel sizes in mm, as in package postprocess.
//
// Deliberate departures from ivadomed 2.9.10 (the rest is parity, quirks
// included, such as mse dividing by the first two dimensions only, the
// row-wise Hausdorff "distance", lfdr being NaN when the truth has no
// object, and the per-bin count columns n_<bin> carrying no class suffix
// so that the last class wins):
//   - object labels are int32; ivadomed stores them as uint8, so a volume
//     with more than 255 objects has its labels wrap around;
//   - in the per-size LFDR, a predicted object falls in the bin of its own
//     size; ivadomed reads the bin map at the voxels of the ground-truth
//     object it overlaps (the whole background when none);
//   - size bins are computed per class (ivadomed accumulates the list of
//     bins present over the classes);
//   - a NaN in a prediction or ground truth is an error.
package metrics
