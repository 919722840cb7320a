package config

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Key renames that ivadomed's config_manager.py applies anywhere in the
// tree, so that configs of released models (written by ivadomed < 2.9)
// still load.
var renames = map[string]string{
	"UNet3D":        "Modified3DUNet",
	"bids_path":     "path_data",
	"log_directory": "path_output",
}

// legacyTopLevel lists the top-level keys of old configs that upgrade
// removes or converts.
var legacyTopLevel = map[string]bool{"gpu": true, "testing_parameters": true, "missing_modality": true, "attention_unet": true, "mixup_bool": true, "metadata": true}

// upgrade rewrites the legacy keys of a user config tree in place and
// returns one notice per change. It reproduces ivadomed's retro-
// compatibility mapping and goes further in a few places where ivadomed
// drops the meaning of an old key in silence (noted "ivadomed ignores").
func upgrade(root *node) []string {
	if root == nil || root.kind != kindObject {
		return nil
	}
	var notes []string
	note := func(path, format string, args ...any) {
		notes = append(notes, path+": "+fmt.Sprintf(format, args...))
	}
	var renameAll func(n *node, path string)
	renameAll = func(n *node, path string) {
		if n.kind != kindObject {
			return
		}
		for _, from := range []string{"UNet3D", "bids_path", "log_directory"} {
			if n.get(from) != nil {
				n.rename(from, renames[from])
				note(join(path, from), "legacy key renamed to %q", renames[from])
			}
		}
		for i, k := range n.keys {
			renameAll(n.vals[i], join(path, k))
		}
	}
	renameAll(root, "")

	drop := func(n *node, path, key, why string) {
		if n != nil && n.kind == kindObject && n.get(key) != nil {
			n.del(key)
			note(join(path, key), "%s", why)
		}
	}
	obj := func(n *node, key string) *node {
		if n == nil || n.kind != kindObject {
			return nil
		}
		if v := n.get(key); v != nil && v.kind == kindObject {
			return v
		}
		return nil
	}

	// Top level.
	if g := root.get("gpu"); g != nil {
		if root.get("gpu_ids") == nil && g.kind == kindNumber {
			root.set("gpu_ids", &node{kind: kindArray, arr: []*node{g}, line: g.line, col: g.col})
			note("gpu", "legacy key converted to \"gpu_ids\": [%s] (ivadomed ignores it)", g.num)
		} else {
			note("gpu", "legacy key ignored (gpu_ids is used)")
		}
		root.del("gpu")
	}
	if c := root.get("command"); c != nil && c.kind == kindString && c.str == "eval" {
		c.str = "test"
		note("command", `legacy value "eval" read as "test"`)
	}
	if tp := obj(root, "testing_parameters"); tp != nil {
		if u := tp.get("uncertainty"); u != nil && root.get("uncertainty") == nil {
			root.set("uncertainty", u)
			note("testing_parameters.uncertainty", "legacy key moved to \"uncertainty\" (ivadomed ignores it)")
		}
		root.del("testing_parameters")
		note("testing_parameters", "legacy section ignored (binarization is postprocessing.binarize_prediction)")
	} else {
		drop(root, "", "testing_parameters", "legacy section ignored")
	}
	for _, k := range []string{"missing_modality", "attention_unet", "mixup_bool", "metadata"} {
		drop(root, "", k, "key of ivadomed < 2.0 ignored (its meaning moved to the model sections and training_parameters.mixup_alpha)")
	}

	// object_detection_params: ivadomed copies the GPU and the output
	// folder into it before saving config_file.json (gpu_ids and
	// path_output in 2.9, gpu and log_directory before).
	od := obj(root, "object_detection_params")
	drop(od, "object_detection_params", "gpu", "copy of the top-level gpu written by ivadomed; ignored")
	drop(od, "object_detection_params", "gpu_ids", "copy of the top-level gpu_ids written by ivadomed; ignored")
	drop(od, "object_detection_params", "path_output", "copy of the top-level path_output written by ivadomed; ignored")

	// loader_parameters.
	if lp := obj(root, "loader_parameters"); lp != nil {
		for _, k := range []string{"roi_suffix", "soft_input", "split_method"} {
			drop(lp, "loader_parameters", k, "legacy key ignored, as ivadomed does")
		}
		drop(lp, "loader_parameters", "model_params", "internal copy of the model parameters written by old ivadomed versions; ignored (they are recomputed)")
		drop(lp, "loader_parameters", "object_detection_params", "internal copy written by old ivadomed versions; ignored")
		drop(lp, "loader_parameters", "metadata_type", "internal key written by old ivadomed versions; ignored (FiLMedUnet.metadata and balance_samples.type hold it)")
		cp := obj(lp, "contrast_params")
		drop(cp, "loader_parameters.contrast_params", "random_seed", "legacy key ignored (the seed is split_dataset.random_seed)")
		drop(cp, "loader_parameters.contrast_params", "center_test", "legacy key ignored (the test centres are split_dataset.data_testing)")
	}

	// split_dataset: method "per_center" and center_test became data_testing.
	if sd := obj(root, "split_dataset"); sd != nil {
		m := sd.get("method")
		ct := sd.get("center_test")
		if m != nil && m.kind == kindString && m.str == "per_center" {
			dt := obj(sd, "data_testing")
			if dt == nil {
				dt = &node{kind: kindObject, line: m.line, col: m.col}
				sd.set("data_testing", dt)
			}
			dt.set("data_type", &node{kind: kindString, str: "institution_id", line: m.line, col: m.col})
			note("split_dataset.method", `legacy "per_center" converted to data_testing.data_type "institution_id"`)
			if ct != nil {
				dt.set("data_value", ct)
				note("split_dataset.center_test", "legacy key converted to data_testing.data_value")
			}
		} else {
			if m != nil {
				note("split_dataset.method", "legacy key ignored (the split is by split_method, default participant_id)")
			}
			if ct != nil {
				note("split_dataset.center_test", "legacy key ignored")
			}
		}
		sd.del("method")
		sd.del("center_test")
	}

	// Model sections.
	for _, s := range append([]string{"default_model"}, modelSections...) {
		m := obj(root, s)
		if m == nil {
			continue
		}
		drop(m, s, "padding_3D", "legacy key ignored (3D inputs are padded as needed)")
		if m.get("drop_rate") != nil {
			if m.get("dropout_rate") == nil {
				m.rename("drop_rate", "dropout_rate")
				note(s+".drop_rate", "legacy key renamed to \"dropout_rate\"")
			} else {
				drop(m, s, "drop_rate", "legacy key ignored (dropout_rate is set)")
			}
		}
		drop(m, s, "folder_name", "legacy key ignored (the model folder is model_name)")
		if nm := m.get("name"); nm != nil && nm.kind == kindString && nm.str == "UNet3D" {
			nm.str = "Modified3DUNet"
			note(s+".name", `legacy value "UNet3D" read as "Modified3DUNet"`)
		}
	}

	// evaluation_parameters: camelCase keys of ivadomed < 2.0.
	if ep := obj(root, "evaluation_parameters"); ep != nil {
		if ep.get("targetSize") != nil {
			if ep.get("target_size") == nil {
				ep.rename("targetSize", "target_size")
				note("evaluation_parameters.targetSize", "legacy key renamed to \"target_size\" (ivadomed ignores it)")
			} else {
				drop(ep, "evaluation_parameters", "targetSize", "legacy key ignored (target_size is set)")
			}
		}
		drop(ep, "evaluation_parameters", "removeSmall", "legacy key ignored (small objects are removed by postprocessing.remove_small)")
	}

	// transformation: NumpyToTensor is always appended; "preprocessing"
	// flags are implied by the transform (Resample, CenterCrop, ROICrop).
	if tr := obj(root, "transformation"); tr != nil {
		drop(tr, "transformation", "NumpyToTensor", "deleted, as ivadomed does (it is always applied)")
		for i, k := range tr.keys {
			drop(tr.vals[i], "transformation."+k, "preprocessing", "legacy key ignored (preprocessing transforms are fixed: Resample, CenterCrop, ROICrop)")
		}
		// ivadomed < 2.0 passed RandomAffine's scale to torchvision as an
		// isotropic range of factors, e.g. [0.98, 1.02]; 2.9 reads each
		// entry as a per-axis half-width, which turns that range into
		// factors down to -0.02. Read the old form as the half-width it
		// meant.
		if ra := obj(tr, "RandomAffine"); ra != nil {
			if s := ra.get("scale"); s != nil && s.kind == kindArray && len(s.arr) == 2 {
				lo, ok1 := floatOf(s.arr[0])
				hi, ok2 := floatOf(s.arr[1])
				if ok1 && ok2 && lo >= 0.5 && lo < 1 && hi >= 1 {
					w := max(1-lo, hi-1)
					num := &node{kind: kindNumber, num: json.Number(strconv.FormatFloat(w, 'g', 6, 64)), line: s.line, col: s.col}
					s.arr = []*node{num, num}
					note("transformation.RandomAffine.scale", "legacy range of scale factors [%v, %v] read as the half-width [%v, %v]", lo, hi, num.num, num.num)
				}
			}
		}
	}
	return notes
}
