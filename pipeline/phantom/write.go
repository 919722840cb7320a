package phantom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ivadogo/ivadogo/nifti"
)

// Name is the dataset name written to dataset_description.json; Write
// only overwrites a folder that holds a dataset of this name.
const Name = "ivadogo phantom"

// LabelSuffix is the suffix of the cord labels, and LesionSuffix that of
// the lesion labels, as ivadomed's datasets spell them.
const (
	LabelSuffix  = "_seg-manual"
	LesionSuffix = "_lesion-manual"
)

// Write generates the phantom and writes it as a BIDS dataset in dir,
// which must be absent, empty, or an earlier phantom (which is replaced).
// It returns the subjects written.
func Write(dir string, o Options) ([]Subject, error) {
	o = o.withDefaults()
	subjects, err := Generate(o)
	if err != nil {
		return nil, err
	}
	if err := prepare(dir); err != nil {
		return nil, err
	}
	desc := map[string]any{
		"Name":        Name,
		"BIDSVersion": "1.8.0",
		"DatasetType": "raw",
		"License":     "CC0",
		"GeneratedBy": []map[string]any{{
			"Name":        "ivadogo phantom",
			"Description": fmt.Sprintf("synthetic cord phantom: %d subjects, grid %dx%dx%d, voxel %gx%gx%g mm, seed %d, noise %g", o.Subjects, o.Size[0], o.Size[1], o.Size[2], o.Voxel[0], o.Voxel[1], o.Voxel[2], o.Seed, o.Noise),
		}},
	}
	if err := writeJSON(filepath.Join(dir, "dataset_description.json"), desc); err != nil {
		return nil, err
	}
	readme := "Synthetic spinal-cord phantom made by ivadogo (package pipeline/phantom):\n" +
		"a cord inside its CSF sheath inside a neck, in " + strings.Join(o.Contrasts, ", ") + ",\n" +
		"with the cord mask as derivatives/labels/*" + LabelSuffix + ".nii.gz.\n"
	if err := os.WriteFile(filepath.Join(dir, "README"), []byte(readme), 0o644); err != nil {
		return nil, fmt.Errorf("phantom: %w", err)
	}
	var tsv bytes.Buffer
	tsv.WriteString("participant_id\tsex\tage\tinstitution_id\tpathology\n")
	for _, s := range subjects {
		fmt.Fprintf(&tsv, "%s\t%s\t%d\t%s\tHC\n", s.ID, s.Sex, s.Age, s.Institution)
	}
	if err := os.WriteFile(filepath.Join(dir, "participants.tsv"), tsv.Bytes(), 0o644); err != nil {
		return nil, fmt.Errorf("phantom: %w", err)
	}
	if err := writeJSON(filepath.Join(dir, "participants.json"), map[string]any{
		"participant_id": map[string]string{"Description": "Unique participant ID"},
		"sex":            map[string]string{"Description": "Sex (synthetic)"},
		"age":            map[string]string{"Description": "Age in years (synthetic)", "Units": "year"},
		"institution_id": map[string]string{"Description": "Synthetic acquisition site"},
		"pathology":      map[string]string{"Description": "HC: healthy control"},
	}); err != nil {
		return nil, err
	}
	labels := filepath.Join(dir, "derivatives", "labels")
	if err := os.MkdirAll(labels, 0o755); err != nil {
		return nil, fmt.Errorf("phantom: %w", err)
	}
	if err := writeJSON(filepath.Join(labels, "dataset_description.json"), map[string]any{
		"Name":        Name + " labels",
		"BIDSVersion": "1.8.0",
		"DatasetType": "derivative",
		"GeneratedBy": []map[string]any{{"Name": "ivadogo phantom"}},
	}); err != nil {
		return nil, err
	}
	for _, s := range subjects {
		anat := filepath.Join(dir, s.ID, "anat")
		lanat := filepath.Join(labels, s.ID, "anat")
		for _, d := range []string{anat, lanat} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return nil, fmt.Errorf("phantom: %w", err)
			}
		}
		for _, c := range o.Contrasts {
			stem := s.ID + "_" + c
			if err := writeVolume(filepath.Join(anat, stem+".nii.gz"), s.Images[c], nifti.Float32); err != nil {
				return nil, err
			}
			acq := acquisition[c]
			if err := writeJSON(filepath.Join(anat, stem+".json"), map[string]any{
				"Modality":              "MR",
				"MagneticFieldStrength": 3,
				"Manufacturer":          s.Manufacturer,
				"EchoTime":              acq.te,
				"RepetitionTime":        acq.tr,
				"FlipAngle":             acq.fa,
				"SliceThickness":        o.Voxel[2],
			}); err != nil {
				return nil, err
			}
			if err := writeVolume(filepath.Join(lanat, stem+LabelSuffix+".nii.gz"), s.Label, nifti.Uint8); err != nil {
				return nil, err
			}
			if s.Lesion != nil {
				if err := writeVolume(filepath.Join(lanat, stem+LesionSuffix+".nii.gz"), s.Lesion, nifti.Uint8); err != nil {
					return nil, err
				}
			}
		}
	}
	return subjects, nil
}

// prepare makes dir, refusing to write over anything but an earlier
// phantom, which it removes.
func prepare(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("phantom: %w", err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("phantom: %w", err)
	}
	if len(entries) == 0 {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(dir, "dataset_description.json"))
	var desc struct{ Name string }
	if err != nil || json.Unmarshal(data, &desc) != nil || desc.Name != Name {
		return fmt.Errorf("phantom: %s is not empty and holds no earlier phantom; refusing to write over it", dir)
	}
	// Only what Write makes is removed; anything else means the folder is
	// in use.
	for _, e := range entries {
		if !written(e.Name()) {
			return fmt.Errorf("phantom: %s holds an earlier phantom and also %s, which the phantom does not write; refusing to replace it", dir, e.Name())
		}
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return fmt.Errorf("phantom: %w", err)
		}
	}
	return nil
}

// written reports whether a top-level entry is one Write makes.
func written(name string) bool {
	switch name {
	case "dataset_description.json", "README", "participants.tsv", "participants.json", "derivatives":
		return true
	}
	return len(name) == 6 && strings.HasPrefix(name, "sub-") && name[4] >= '0' && name[4] <= '9' && name[5] >= '0' && name[5] <= '9'
}

func writeVolume(path string, v *Volume, dt nifti.Datatype) error {
	shape := v.Shape[:]
	img := nifti.New(v.Data, shape, v.Affine)
	if dt != nifti.Float32 {
		img.Header = nifti.NewHeader(dt, shape, v.Affine)
	}
	if err := nifti.Write(path, img); err != nil {
		return fmt.Errorf("phantom: %w", err)
	}
	return nil
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "    ")
	if err != nil {
		return fmt.Errorf("phantom: %s: %w", path, err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("phantom: %w", err)
	}
	return nil
}
