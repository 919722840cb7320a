package pipeline

import (
	"slices"
	"strings"

	"github.com/ivadogo/ivadogo/pipeline/losses"
)

// notBuilt lists the config features the pipeline does not run yet; a
// config asking for one fails at once, at the key that names it (see
// config.Config.CheckFeatures), rather than being silently ignored.
var notBuilt = []string{
	"wandb", "microscopy_3d",
}

// Built reports whether the pipeline implements a feature a config asks
// for, by its config.Feature name ("model:Unet", "loss:DiceLoss",
// "multichannel", ...). Of the models, the Unet and FiLMedUnet (2D slices
// or 3D patches), HeMISUnet (2D slices), Modified3DUNet (3D patches, with
// FiLM layers or not) and Countception (2D slices in, a heat map of the
// same size out, as ivadomed's vertebral labelling trains it on soft
// labels) run end to end; the resnet18 and densenet121 slice classifiers
// train (see classifySet).
func Built(feature string) bool {
	kind, name, _ := strings.Cut(feature, ":")
	switch kind {
	case "model":
		switch name {
		case "Unet", "Unet3D", "Modified3DUNet", "FiLMedUnet", "HeMISUnet", "resnet18", "densenet121", "Countception":
			return true
		}
		return false
	case "loss":
		return slices.Contains(losses.Names(), name)
	case "scheduler":
		switch name {
		case "", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR":
			return true
		}
		return false
	}
	return !slices.Contains(notBuilt, feature)
}
