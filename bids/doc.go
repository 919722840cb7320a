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
//
// Where ivadogo departs from ivadomed (see ivadomed's quirks):
//
//   - Nothing is written into the dataset: ivadomed writes a placeholder
//     derivatives/dataset_description.json and NIfTI copies of PNG/TIFF
//     images next to them; here derivatives need no description and
//     microscopy images are decoded in memory (ReadMicroscopy).
//   - Contrasts still match the suffix as a regular expression, as in
//     ivadomed ("T2" also selects "T2star"), but a contrast such as
//     "acq-MToff_MTS" also matches the end of the file stem, which ivadomed
//     lost when it moved to pybids.
//   - Labels are matched to images by name (the label's stem is the
//     image's stem, '_', then the label suffix; the longest such stem
//     wins) rather than by substring of the file name; a label filed in
//     another subject's folder is still found, with a warning.
//   - Multi-rater labels are listed in the order of the raters' suffixes,
//     not in file order.
//   - Split lists keep the frame's order instead of a Python set's.
//   - Values from TSV tables stay text (pandas would turn numeric columns
//     into numbers); subject_selection and data_testing compare text.
//   - The JSON split file (SplitFile) replaces split_datasets.joblib.
//
// A Dataset caches sidecars as it reads them and is not safe for
// concurrent use.
package bids
