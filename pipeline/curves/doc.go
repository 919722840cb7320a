// Package curves draws training curves, the training_curves.png that a
// training run leaves in its output folder, with the standard library only.
//
// Each panel plots one or more series against the epoch: the training and
// validation losses together, the learning rate, the validation Dice, and
// so on. Panels have tick labels on both axes, a title, a legend, and a
// dashed marker at the best epoch. Text is drawn with a small built-in
// bitmap font, so the package needs no font files.
package curves
