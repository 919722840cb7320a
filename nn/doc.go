// Package nn builds neural networks on the autograd package: modules with
// named parameters and buffers (PyTorch state_dict naming, train/eval
// mode), the layers a segmentation model needs with PyTorch's default
// initialisation, FiLM, HeMIS fusion and attention gates, and ivadomed's
// model zoo (Unet 2D/3D, FiLMedUnet, HeMISUnet, Modified3DUNet, ResNet18,
// DenseNet121, Count-ception) plus an nnU-Net-style plain U-Net.
//
// Models carry ivadomed's exact module structure and parameter names, so
// that their parameter counts match and their weights move between
// ivadogo and PyTorch through safetensors files (see SaveFile and
// LoadFile). Optimisers and learning-rate schedules are in nn/optim; the
// safetensors format is in nn/safetensors.
//
// Initialisation draws from one package-level seeded generator (SetSeed),
// as PyTorch draws from its global one; building models is therefore not
// safe for concurrent use, running them is.
package nn
