// Package optim holds the training parts that act on a model's parameters
// from outside the graph: the optimisers Adam, AdamW and SGD (momentum,
// Nesterov, weight decay), gradient clipping by global norm, and the
// learning-rate schedules ivadomed offers (CosineAnnealingLR,
// CosineAnnealingWarmRestarts, CyclicLR) plus nnU-Net's poly schedule.
//
// Every update follows PyTorch 1.13's formulas step for step and in the
// same float32 precision, so that a training run tracks its PyTorch
// counterpart; the tests compare 100-step trajectories with PyTorch's.
package optim
