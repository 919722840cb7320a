// Package config reads ivadomed configuration files into typed Go values.
//
// A config is the JSON file ivadomed's users pass with -c: its keys are
// spelled exactly as ivadomed spells them, and Parse merges the file over
// ivadomed 2.9.10's config_default.json, so that a file ivadomed runs is a
// file ivadogo runs. Where ivadomed is silent, this package is not:
//
//   - Unknown keys, misspelt names (of keys, transforms, losses,
//     post-processing steps and enumerated values) and values of the wrong
//     type are errors. Each names the file, line and column and the full
//     key path (training_parameters.scheduler.lr_scheduler.name) and, for
//     a typo, the nearest valid key ("did you mean ..."). Every error of a
//     file is reported at once (ErrorList).
//   - Validate checks what a run needs (path_data, target_suffix, the
//     contrasts of the command), ranges, and keys that must agree
//     (film_layers length, one applied model, patch sizes, ROICrop with an
//     ROI suffix).
//
// Legacy keys of configs written by ivadomed < 2.9 (the released
// pretrained models) are upgraded and each change is listed in
// Config.Notices: the renames ivadomed itself applies (UNet3D,
// bids_path, log_directory, NumpyToTensor, split_dataset method
// "per_center" and center_test), plus a few it drops in silence and this
// package keeps the meaning of: gpu becomes gpu_ids, testing_parameters'
// uncertainty moves to uncertainty, evaluation_parameters.targetSize
// becomes target_size, command "eval" is "test", and RandomAffine's old
// scale range [0.98, 1.02] is read as the half-width 0.02 it meant. Keys
// that are internal copies in saved configs (loader_parameters.model_params,
// transform "preprocessing" flags, padding_3D, folder_name, ...) are
// dropped with a notice.
//
// Decisions on ivadomed's quirks (reference §16, item 14):
//
//   - A scalar cannot replace a default object in ivadomed ("balance_samples":
//     false leaves the default object in place, in silence). Here such a
//     value is a type error, except the legacy boolean balance_samples,
//     which sets balance_samples.applied.
//   - Transform names are checked when the file is read, not when the
//     transform is built: ivadomed accepts an unknown transform as long as
//     its dataset_type keeps it from being instantiated.
//   - Duplicate keys in one object are an error (Python keeps the last).
//   - gpu_ids is recorded as written; whether CUDA is used is decided by
//     the caller.
//
// The split of a run is the JSON file {"train": [...], "valid": [...],
// "test": [...]} (ReadSplit, WriteSplit); ivadomed's .joblib pickles cannot
// be read without Python and ReadSplit says so, with the one-line
// conversion.
package config
