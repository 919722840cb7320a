// Package postprocess holds the steps ivadomed applies to a predicted
// segmentation before it is saved (ivadomed/postprocessing.py): binarisation
// by threshold or by arg-max over classes, masking by an uncertainty map,
// hole filling, keeping the largest object, removing small objects and
// low-value noise, and the 3D connected-component labelling they rest on.
//
// Volumes are flat []float32 in C order (the last axis varies fastest), as
// numpy stores an array indexed [i, j, k]; shapes are [3]int. A 2D image is a
// volume with one axis of length 1. Data in NIfTI's order (x fastest, as
// package nifti keeps it) is converted with FromFortran and back with
// ToFortran; passing it with the shape reversed instead gives the same
// post-processing except which of two equally large objects keep_largest
// keeps (ivadomed keeps the first in raster order), but not the same
// axes for the transforms or for metrics' mse.
//
// Multi-class predictions are [][]float32, one volume per class, the layout
// ivadomed's h×w×d×c arrays have once split along their last axis. Every
// step works class by class, keep_largest included (ivadomed 2.9 labels the
// h×w×d×c array as a whole, so objects of different classes touching
// across the class axis merge); remove_small's sizes in mm³ round half to
// even as numpy does; an unknown step or parameter, or a NaN in the
// prediction, is an error.
package postprocess
