// Package bids reads datasets organised in the Brain Imaging Data Structure
// (BIDS) the way ivadomed sees them, without pybids.
//
// Index walks one dataset directory: dataset_description.json,
// participants.tsv (+ .json), samples.tsv, sub-<label>[/ses-<label>] folders,
// every image under them with its file name parsed into entities, suffix and
// extension (ParseName), the JSON sidecars that apply to it under the BIDS
// inheritance principle, *_sessions.tsv and *_scans.tsv tables, and the
// derivatives/ folders with ivadomed-style labels
// (<raw image stem><label suffix><ext>, e.g. sub-01_T2w_seg-manual.nii.gz)
// matched to their source images.
//
// Select reproduces ivadomed's BidsDataframe on one or several datasets
// (loader_parameters.path_data): contrast and extension filters, label and
// ROI suffixes, participants/samples/sessions/scans metadata, and the
// exclusion of images without labels. Split and SelectSubjects reproduce
// ivadomed's split_dataset and subject_selection, with the same random
// number generators (numpy's legacy MT19937 permutation as used by
// scikit-learn's train_test_split, and CPython's random.sample), so a seed
// gives the same sets as ivadomed. FiLM builds the metadata vectors used by
// FiLMed U-Nets. ReadMicroscopy decodes PNG and TIFF microscopy images.
//
// A dataset that bends the specification still loads: the problems are
// collected as Warnings that name the file, and only what cannot be used is
// left out.
package bids
