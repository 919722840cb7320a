// Package losses holds ivadomed's training losses (ivadomed/losses.py)
// as differentiable autograd graphs: DiceLoss, MultiClassDiceLoss,
// BinaryCrossEntropyLoss, FocalLoss, FocalDiceLoss, GeneralizedDiceLoss,
// TverskyLoss, FocalTverskyLoss, L2loss, AdapWingLoss and LossCombination,
// plus DiceCELoss, the Dice + cross-entropy compound of nnU-Net.
//
// Like ivadomed's, every loss takes the prediction after the model's final
// activation (probabilities, not logits) and a target of the same shape
// (N, C, spatial…), and returns a one-element Var. Build and New construct
// a loss from the config's training_parameters.loss name and keyword
// arguments; the constructors are generic so that the tests run the very
// same graphs in float64 against finite differences.
//
// One ivadomed quirk is kept on purpose and documented where it lives:
// AdapWingLoss's foreground weighting never takes effect in ivadomed (its
// mask comes from a boolean array, so every voxel weighs 1), and the port
// weighs every voxel 1 too, so that trained models compare.
package losses
