#!/usr/bin/python3
"""Generate the PyTorch fixtures that nn's Go tests compare against.

Run with the SYSTEM interpreter and Debian's python3-torch (1.13.1):

    /usr/bin/python3 nn/testdata/make_fixtures.py

It writes, next to itself:

  schedules.json        learning-rate trajectories (100 steps) of CosineAnnealingLR,
                        CosineAnnealingWarmRestarts, CyclicLR (3 modes) and poly
  optim.json            Adam / AdamW / SGD (+momentum, Nesterov, weight decay) and
                        clip_grad_norm_ trajectories on a small least-squares problem
  models.json           parameter counts, state_dict key names and shapes, conv FLOPs
                        and output shapes of the ivadomed models in several configurations
  layers.json           + layers.safetensors: per-layer inputs, outputs and gradients
  weights_*.safetensors + parity.json: small models' weights (state_dict names), an
                        input, the outputs in train and eval mode, and a few optimiser steps'
                        Dice losses

  classifiers.json      + classifiers.safetensors: ResNet18, DenseNet121 and Countception with
                        weights computed from their names (formula_state; ivadogo computes the same),
                        their outputs and a few gradients in float32 and float64 (--classifiers: only these)

With --check-go it instead loads go_weights_unet2d.safetensors (written by ivadogo:
IVADOGO_WRITE_GO_WEIGHTS=1 go test -run TestWriteGoWeights ./nn/) into the PyTorch Unet
with load_state_dict(strict=True) and checks that PyTorch's output equals ivadogo's.

The ivadomed models are re-declared here with the exact module names and structure of
ivadomed/models.py, so that state_dict keys match; torchvision's ResNet BasicBlock and
DenseNet layers are re-declared with torchvision's names (torchvision is not a Debian
dependency of python3-torch). safetensors files are written by hand (the format is an
8-byte little-endian header length, a JSON header, raw little-endian bytes), which also
exercises the Go reader on a file it did not write.
"""
import copy
import json
import math
import os
import struct
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
torch.set_num_threads(1)


# ---------------------------------------------------------------------------
# safetensors writer
# ---------------------------------------------------------------------------
DT = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}


def save_safetensors(tensors, path, metadata=None):
    items = [(k, v.detach().contiguous().cpu()) for k, v in tensors.items()]
    items.sort(key=lambda kv: (-kv[1].element_size(), kv[0]))
    header = OrderedDict()
    if metadata:
        header["__metadata__"] = metadata
    off = 0
    blobs = []
    for k, v in items:
        b = v.numpy().astype(v.numpy().dtype.newbyteorder("<")).tobytes()
        header[k] = {"dtype": DT[v.dtype], "shape": list(v.shape), "data_offsets": [off, off + len(b)]}
        off += len(b)
        blobs.append(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def load_safetensors(path):
    """Reads a safetensors file (F32/F64/I64) into a dict of tensors and its metadata."""
    import numpy as np
    with open(path, "rb") as f:
        b = f.read()
    (n,) = struct.unpack("<Q", b[:8])
    header = json.loads(b[8:8 + n])
    meta = header.pop("__metadata__", {})
    body = b[8 + n:]
    np_dt = {"F32": "<f4", "F64": "<f8", "I64": "<i8"}
    out = {}
    for k, e in header.items():
        lo, hi = e["data_offsets"]
        a = np.frombuffer(body[lo:hi], dtype=np_dt[e["dtype"]]).reshape(e["shape"])
        out[k] = torch.from_numpy(a.copy())
    return out, meta


def check_go_weights():
    """Loads a file ivadogo wrote (nn.TestWriteGoWeights) into the PyTorch model with a strict
    load_state_dict and compares PyTorch's output with ivadogo's."""
    t, meta = load_safetensors(os.path.join(HERE, "go_weights_unet2d.safetensors"))
    model = Unet(1, 1, depth=2, n_filters=4, drop_rate=0.0)
    sd = {k: v for k, v in t.items() if not (k.startswith("input.") or k.startswith("output."))}
    model.load_state_dict(sd, strict=True)
    model.eval()
    with torch.no_grad():
        y = model(t["input.0"])
    err = float((y - t["output.eval"]).abs().max())
    print("go_weights_unet2d.safetensors: strict load_state_dict ok, max |torch - ivadogo| = %.3g" % err)
    assert err < 1e-5, err


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


# ---------------------------------------------------------------------------
# ivadomed models (structure and names of ivadomed/models.py)
# ---------------------------------------------------------------------------
class DownConv(nn.Module):
    def __init__(self, in_feat, out_feat, drop_rate=0.4, bn_momentum=0.1, is_2d=True):
        super().__init__()
        conv, bn, dropout = (nn.Conv2d, nn.BatchNorm2d, nn.Dropout2d) if is_2d else \
            (nn.Conv3d, nn.InstanceNorm3d, nn.Dropout3d)
        self.conv1 = conv(in_feat, out_feat, kernel_size=3, padding=1)
        self.conv1_bn = bn(out_feat, momentum=bn_momentum)
        self.conv1_drop = dropout(drop_rate)
        self.conv2 = conv(out_feat, out_feat, kernel_size=3, padding=1)
        self.conv2_bn = bn(out_feat, momentum=bn_momentum)
        self.conv2_drop = dropout(drop_rate)

    def forward(self, x):
        x = self.conv1_drop(self.conv1_bn(F.relu(self.conv1(x))))
        x = self.conv2_drop(self.conv2_bn(F.relu(self.conv2(x))))
        return x


class UpConv(nn.Module):
    def __init__(self, in_feat, out_feat, drop_rate=0.4, bn_momentum=0.1, is_2d=True):
        super().__init__()
        self.is_2d = is_2d
        self.downconv = DownConv(in_feat, out_feat, drop_rate, bn_momentum, is_2d)

    def forward(self, x, y):
        mode = "bilinear" if self.is_2d else "trilinear"
        dims = -2 if self.is_2d else -3
        x = F.interpolate(x, size=y.size()[dims:], mode=mode, align_corners=True)
        return self.downconv(torch.cat([x, y], dim=1))


class FiLMgenerator(nn.Module):
    def __init__(self, n_features, n_channels, n_hid=64):
        super().__init__()
        self.linear1 = nn.Linear(n_features, n_hid)
        self.sig = nn.Sigmoid()
        self.linear2 = nn.Linear(n_hid, n_hid // 4)
        self.linear3 = nn.Linear(n_hid // 4, n_channels * 2)

    def forward(self, x, shared_weights=None):
        x = self.sig(self.linear1(x))
        if shared_weights is not None:
            self.linear2.weight = shared_weights
        x = self.sig(self.linear2(x))
        out = self.sig(self.linear3(x))
        return out, self.linear2.weight


class FiLMlayer(nn.Module):
    def __init__(self, n_metadata, n_channels):
        super().__init__()
        self.generator = FiLMgenerator(n_metadata, n_channels)

    def forward(self, feature_maps, context, w_shared):
        c = feature_maps.shape[1]
        film_params, new_w_shared = self.generator(context, w_shared)
        film_params = film_params.reshape(film_params.shape + (1,) * (feature_maps.dim() - 2))
        gammas = film_params[:, :c]
        betas = film_params[:, c:]
        return gammas * feature_maps + betas, new_w_shared


class Encoder(nn.Module):
    def __init__(self, in_channel=1, depth=3, drop_rate=0.4, bn_momentum=0.1, n_metadata=None, film_layers=None,
                 is_2d=True, n_filters=64):
        super().__init__()
        self.depth = depth
        self.down_path = nn.ModuleList()
        self.down_path.append(DownConv(in_channel, n_filters, drop_rate, bn_momentum, is_2d))
        self.down_path.append(FiLMlayer(n_metadata, n_filters) if film_layers and film_layers[0] else None)
        max_pool = nn.MaxPool2d if is_2d else nn.MaxPool3d
        self.down_path.append(max_pool(2))
        for i in range(depth - 1):
            self.down_path.append(DownConv(n_filters, n_filters * 2, drop_rate, bn_momentum, is_2d))
            self.down_path.append(FiLMlayer(n_metadata, n_filters * 2) if film_layers and film_layers[i + 1] else None)
            self.down_path.append(max_pool(2))
            n_filters = n_filters * 2
        self.conv_bottom = DownConv(n_filters, n_filters, drop_rate, bn_momentum, is_2d)
        self.film_bottom = FiLMlayer(n_metadata, n_filters) if film_layers and film_layers[self.depth] else None

    def forward(self, x, context=None):
        features = []
        w_film = None
        for i in range(self.depth):
            x = self.down_path[i * 3](x)
            if self.down_path[i * 3 + 1]:
                x, w_film = self.down_path[i * 3 + 1](x, context, w_film)
            features.append(x)
            x = self.down_path[i * 3 + 2](x)
        x = self.conv_bottom(x)
        if self.film_bottom:
            x, w_film = self.film_bottom(x, context, w_film)
        features.append(x)
        return features, w_film


class Decoder(nn.Module):
    def __init__(self, out_channel=1, depth=3, drop_rate=0.4, bn_momentum=0.1, n_metadata=None, film_layers=None,
                 hemis=False, final_activation="sigmoid", is_2d=True, n_filters=64):
        super().__init__()
        self.depth = depth
        self.out_channel = out_channel
        self.final_activation = final_activation
        self.up_path = nn.ModuleList()
        in_channel = n_filters * 2 ** self.depth
        self.up_path.append(UpConv(in_channel * 2 if hemis else in_channel, n_filters * 2 ** (self.depth - 1),
                                   drop_rate, bn_momentum, is_2d))
        self.up_path.append(FiLMlayer(n_metadata, n_filters * 2 ** (self.depth - 1))
                            if film_layers and film_layers[self.depth + 1] else None)
        for i in range(1, depth):
            in_channel //= 2
            self.up_path.append(UpConv(in_channel + n_filters * 2 ** (self.depth - i - 1 + int(hemis)),
                                       n_filters * 2 ** (self.depth - i - 1), drop_rate, bn_momentum, is_2d))
            self.up_path.append(FiLMlayer(n_metadata, n_filters * 2 ** (self.depth - i - 1))
                                if film_layers and film_layers[self.depth + i + 1] else None)
        conv = nn.Conv2d if is_2d else nn.Conv3d
        self.last_conv = conv(in_channel // 2, out_channel, kernel_size=3, padding=1)
        self.last_film = FiLMlayer(n_metadata, self.out_channel) if film_layers and film_layers[-1] else None
        self.softmax = nn.Softmax(dim=1)

    def forward(self, features, context=None, w_film=None):
        x = features[-1]
        for i in reversed(range(self.depth)):
            x = self.up_path[-(i + 1) * 2](x, features[i])
            if self.up_path[-(i + 1) * 2 + 1]:
                x, w_film = self.up_path[-(i + 1) * 2 + 1](x, context, w_film)
        x = self.last_conv(x)
        if self.last_film:
            x, w_film = self.last_film(x, context, w_film)
        if self.final_activation == "softmax":
            preds = self.softmax(x)
        elif self.final_activation == "relu":
            r = F.relu(x)
            preds = r / r.max() if bool(r.max()) else r
        else:
            preds = torch.sigmoid(x)
        if self.out_channel > 1:
            preds = preds[:, 1:]
        return preds


class Unet(nn.Module):
    def __init__(self, in_channel=1, out_channel=1, depth=3, drop_rate=0.4, bn_momentum=0.1,
                 final_activation="sigmoid", is_2d=True, n_filters=64):
        super().__init__()
        self.encoder = Encoder(in_channel=in_channel, depth=depth, drop_rate=drop_rate, bn_momentum=bn_momentum,
                               is_2d=is_2d, n_filters=n_filters)
        self.decoder = Decoder(out_channel=out_channel, depth=depth, drop_rate=drop_rate, bn_momentum=bn_momentum,
                               final_activation=final_activation, is_2d=is_2d, n_filters=n_filters)

    def forward(self, x):
        features, _ = self.encoder(x)
        return self.decoder(features)


class FiLMedUnet(nn.Module):
    def __init__(self, in_channel=1, out_channel=1, depth=3, drop_rate=0.4, bn_momentum=0.1, n_metadata=None,
                 film_layers=None, is_2d=True, n_filters=64):
        super().__init__()
        self.encoder = Encoder(in_channel=in_channel, depth=depth, drop_rate=drop_rate, bn_momentum=bn_momentum,
                               n_metadata=n_metadata, film_layers=film_layers, is_2d=is_2d, n_filters=n_filters)
        self.decoder = Decoder(out_channel=out_channel, depth=depth, drop_rate=drop_rate, bn_momentum=bn_momentum,
                               n_metadata=n_metadata, film_layers=film_layers, is_2d=is_2d, n_filters=n_filters)

    def forward(self, x, context=None):
        features, w_film = self.encoder(x, context)
        return self.decoder(features, context, w_film)


class HeMISUnet(nn.Module):
    def __init__(self, contrasts, out_channel=1, depth=3, drop_rate=0.4, bn_momentum=0.1, n_filters=64):
        # ivadomed always uses 64 filters; n_filters is here only to keep the parity fixture small.
        super().__init__()
        self.depth = depth
        self.contrasts = contrasts
        self.Encoder_mod = nn.ModuleDict([["Encoder_{}".format(m), Encoder(in_channel=1, depth=depth,
                                           drop_rate=drop_rate, bn_momentum=bn_momentum, n_filters=n_filters)]
                                          for m in contrasts])
        self.decoder = Decoder(out_channel=out_channel, depth=depth, drop_rate=drop_rate, bn_momentum=bn_momentum,
                               hemis=True, n_filters=n_filters)

    def forward(self, x_mods, present):
        """present[b][m] is True when modality m is available for sample b (at least two per sample here,
        so that the unbiased variance is defined)."""
        feats = [self.Encoder_mod["Encoder_{}".format(m)](x_mods[i])[0] for i, m in enumerate(self.contrasts)]
        fused = []
        for j in range(self.depth + 1):
            cat = torch.stack([f[j] for f in feats], 0).transpose(0, 1)  # B, M, C, ...
            fused.append(torch.stack([torch.cat([cat[b][present[b]].mean(0), cat[b][present[b]].var(0)], 0)
                                      for b in range(len(present))], 0))
        return self.decoder(fused)


class HeMISFixed(HeMISUnet):
    """HeMISUnet with a fixed availability mask, so it takes the contrasts' images as plain inputs."""

    def __init__(self, present, *a, **k):
        super().__init__(*a, **k)
        self.present = present

    def forward(self, *xs):
        return super().forward(list(xs), [torch.tensor(p) for p in self.present])


def kaiming_init(m):
    name = m.__class__.__name__
    if name.find("Conv") != -1 or name.find("Linear") != -1:
        nn.init.kaiming_normal_(m.weight.data, a=0, mode="fan_in")
    elif name.find("BatchNorm") != -1:
        nn.init.normal_(m.weight.data, 1.0, 0.02)
        nn.init.constant_(m.bias.data, 0.0)


class GridAttentionBlockND(nn.Module):
    def __init__(self, in_channels, gating_channels, inter_channels=None, dimension=3, sub_sample_factor=(2, 2, 2)):
        super().__init__()
        self.sub_sample_factor = sub_sample_factor
        self.inter_channels = inter_channels if inter_channels is not None else max(1, in_channels // 2)
        conv_nd, bn = (nn.Conv3d, nn.BatchNorm3d) if dimension == 3 else (nn.Conv2d, nn.BatchNorm2d)
        self.upsample_mode = "trilinear" if dimension == 3 else "bilinear"
        self.W = nn.Sequential(conv_nd(in_channels, in_channels, kernel_size=1, stride=1, padding=0), bn(in_channels))
        self.theta = conv_nd(in_channels, self.inter_channels, kernel_size=sub_sample_factor,
                             stride=sub_sample_factor, padding=0, bias=False)
        self.phi = conv_nd(gating_channels, self.inter_channels, kernel_size=1, stride=1, padding=0, bias=True)
        self.psi = conv_nd(self.inter_channels, 1, kernel_size=1, stride=1, padding=0, bias=True)
        for m in self.children():
            m.apply(kaiming_init)

    def forward(self, x, g):
        theta_x = self.theta(x)
        phi_g = F.interpolate(self.phi(g), size=theta_x.shape[2:], mode=self.upsample_mode, align_corners=True)
        f = F.relu(theta_x + phi_g)
        sigm_psi_f = torch.sigmoid(self.psi(f))
        sigm_psi_f = F.interpolate(sigm_psi_f, size=x.shape[2:], mode=self.upsample_mode, align_corners=True)
        return self.W(sigm_psi_f.expand_as(x) * x), sigm_psi_f


class UnetGridGatingSignal3(nn.Module):
    def __init__(self, in_size, out_size, kernel_size=(1, 1, 1), is_batchnorm=True):
        super().__init__()
        layers = [nn.Conv3d(in_size, out_size, kernel_size, (1, 1, 1), (0, 0, 0))]
        if is_batchnorm:
            layers.append(nn.BatchNorm3d(out_size))
        layers.append(nn.ReLU(inplace=True))
        self.conv1 = nn.Sequential(*layers)
        for m in self.children():
            kaiming_init(m)

    def forward(self, x):
        return self.conv1(x)


class Modified3DUNet(nn.Module):
    def __init__(self, in_channel, out_channel, n_filters=16, attention=False, drop_rate=0.6, bn_momentum=0.1,
                 final_activation="sigmoid", n_metadata=None, film_layers=None):
        super().__init__()
        b = n_filters
        self.n_classes = out_channel
        self.attention = attention
        self.momentum = bn_momentum
        self.final_activation = final_activation
        self.lrelu = nn.LeakyReLU()
        self.dropout3d = nn.Dropout3d(p=drop_rate)
        self.upsacle = nn.Upsample(scale_factor=2, mode="nearest")
        self.softmax = nn.Softmax(dim=1)
        fl = film_layers
        FL = lambda i, c: FiLMlayer(n_metadata, c) if fl and fl[i] else None  # noqa: E731
        C3 = lambda i, o, s=1: nn.Conv3d(i, o, kernel_size=3, stride=s, padding=1, bias=False)  # noqa: E731
        C1 = lambda i, o: nn.Conv3d(i, o, kernel_size=1, stride=1, padding=0, bias=False)  # noqa: E731
        IN = lambda c: nn.InstanceNorm3d(c, momentum=self.momentum)  # noqa: E731
        self.conv3d_c1_1 = C3(in_channel, b)
        self.film_layer1 = FL(0, b)
        self.conv3d_c1_2 = C3(b, b)
        self.lrelu_conv_c1 = nn.Sequential(nn.LeakyReLU(), C3(b, b))
        self.inorm3d_c1 = IN(b)
        self.conv3d_c2 = C3(b, 2 * b, 2)
        self.film_layer2 = FL(1, 2 * b)
        self.norm_lrelu_conv_c2 = nn.Sequential(IN(2 * b), nn.LeakyReLU(), C3(2 * b, 2 * b))
        self.inorm3d_c2 = IN(2 * b)
        self.conv3d_c3 = C3(2 * b, 4 * b, 2)
        self.film_layer3 = FL(2, 4 * b)
        self.norm_lrelu_conv_c3 = nn.Sequential(IN(4 * b), nn.LeakyReLU(), C3(4 * b, 4 * b))
        self.inorm3d_c3 = IN(4 * b)
        self.conv3d_c4 = C3(4 * b, 8 * b, 2)
        self.film_layer4 = FL(3, 8 * b)
        self.norm_lrelu_conv_c4 = nn.Sequential(IN(8 * b), nn.LeakyReLU(), C3(8 * b, 8 * b))
        self.inorm3d_c4 = IN(8 * b)
        self.conv3d_c5 = C3(8 * b, 16 * b, 2)
        self.norm_lrelu_conv_c5 = nn.Sequential(IN(16 * b), nn.LeakyReLU(), C3(16 * b, 16 * b))
        if fl and fl[4]:
            self.norm_lrelu_0 = nn.Sequential(IN(16 * b), nn.LeakyReLU())
            self.film_layer5 = FiLMlayer(n_metadata, 16 * b)
            self.upscale_conv_norm_lrelu_0 = nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"),
                                                           C3(16 * b, 8 * b), IN(8 * b), nn.LeakyReLU())
        else:
            self.norm_lrelu_upscale_conv_norm_lrelu_l0 = self.nlucnl(16 * b, 8 * b, IN, C3)
        self.conv3d_l0 = C1(8 * b, 8 * b)
        self.film_layer6 = FL(5, 8 * b)
        self.inorm3d_l0 = IN(8 * b)
        if attention:
            self.gating = UnetGridGatingSignal3(16 * b, 8 * b, kernel_size=(1, 1, 1), is_batchnorm=True)
            self.attentionblock2 = GridAttentionBlockND(2 * b, 8 * b, 2 * b, sub_sample_factor=(2, 2, 2))
            self.attentionblock3 = GridAttentionBlockND(4 * b, 8 * b, 4 * b, sub_sample_factor=(2, 2, 2))
            self.attentionblock4 = GridAttentionBlockND(8 * b, 8 * b, 8 * b, sub_sample_factor=(2, 2, 2))
            self.inorm3d_l0 = IN(16 * b)
        self.conv_norm_lrelu_l1 = nn.Sequential(C3(16 * b, 16 * b), IN(16 * b), nn.LeakyReLU())
        self.conv3d_l1 = C1(16 * b, 8 * b)
        self.film_layer7 = FL(6, 4 * b)
        self.norm_lrelu_upscale_conv_norm_lrelu_l1 = self.nlucnl(8 * b, 4 * b, IN, C3)
        self.conv_norm_lrelu_l2 = nn.Sequential(C3(8 * b, 8 * b), IN(8 * b), nn.LeakyReLU())
        self.conv3d_l2 = C1(8 * b, 4 * b)
        self.film_layer8 = FL(7, 2 * b)
        self.norm_lrelu_upscale_conv_norm_lrelu_l2 = self.nlucnl(4 * b, 2 * b, IN, C3)
        self.conv_norm_lrelu_l3 = nn.Sequential(C3(4 * b, 4 * b), IN(4 * b), nn.LeakyReLU())
        self.conv3d_l3 = C1(4 * b, 2 * b)
        self.film_layer9 = FL(8, b)
        self.norm_lrelu_upscale_conv_norm_lrelu_l3 = self.nlucnl(2 * b, b, IN, C3)
        self.conv_norm_lrelu_l4 = nn.Sequential(C3(2 * b, 2 * b), IN(2 * b), nn.LeakyReLU())
        self.conv3d_l4 = C1(2 * b, out_channel)
        self.ds2_1x1_conv3d = C1(8 * b, out_channel)
        self.ds3_1x1_conv3d = C1(4 * b, out_channel)
        self.film_layer10 = FL(9, out_channel)

    @staticmethod
    def nlucnl(i, o, IN, C3):
        return nn.Sequential(IN(i), nn.LeakyReLU(), nn.Upsample(scale_factor=2, mode="nearest"), C3(i, o), IN(o),
                             nn.LeakyReLU())

    def forward(self, x, context=None, w_film=None):
        out = self.conv3d_c1_1(x)
        residual_1 = out
        out = self.lrelu(out)
        out = self.conv3d_c1_2(out)
        out = self.dropout3d(out)
        out = self.lrelu_conv_c1(out)
        out = out + residual_1
        out = self.lrelu(out)
        context_1 = out
        out = self.lrelu(self.inorm3d_c1(out))
        if self.film_layer1:
            out, w_film = self.film_layer1(out, context, w_film)
        ctx = []
        for lvl in (2, 3, 4):
            out = getattr(self, "conv3d_c%d" % lvl)(out)
            res = out
            nlc = getattr(self, "norm_lrelu_conv_c%d" % lvl)
            out = nlc(self.dropout3d(nlc(out)))
            out = out + res
            out = self.lrelu(getattr(self, "inorm3d_c%d" % lvl)(out))
            film = getattr(self, "film_layer%d" % lvl)
            if film:
                out, w_film = film(out, context, w_film)
            ctx.append(out)
        context_2, context_3, context_4 = ctx
        out = self.conv3d_c5(out)
        res = out
        out = self.norm_lrelu_conv_c5(self.dropout3d(self.norm_lrelu_conv_c5(out)))
        out = out + res
        if self.attention:
            out = self.lrelu(self.inorm3d_l0(out))
            gating = self.gating(out)
            context_4, _ = self.attentionblock4(context_4, gating)
            context_3, _ = self.attentionblock3(context_3, gating)
            context_2, _ = self.attentionblock2(context_2, gating)
        if getattr(self, "film_layer5", None):
            out = self.norm_lrelu_0(out)
            out, w_film = self.film_layer5(out, context, w_film)
            out = self.upscale_conv_norm_lrelu_0(out)
        else:
            out = self.norm_lrelu_upscale_conv_norm_lrelu_l0(out)
        out = self.lrelu(self.inorm3d_l0(self.conv3d_l0(out)))
        if self.film_layer6:
            out, w_film = self.film_layer6(out, context, w_film)
        out = torch.cat([out, context_4], dim=1)
        out = self.conv_norm_lrelu_l1(out)
        out = self.norm_lrelu_upscale_conv_norm_lrelu_l1(self.conv3d_l1(out))
        if self.film_layer7:
            out, w_film = self.film_layer7(out, context, w_film)
        out = torch.cat([out, context_3], dim=1)
        out = self.conv_norm_lrelu_l2(out)
        ds2 = out
        out = self.norm_lrelu_upscale_conv_norm_lrelu_l2(self.conv3d_l2(out))
        if self.film_layer8:
            out, w_film = self.film_layer8(out, context, w_film)
        out = torch.cat([out, context_2], dim=1)
        out = self.conv_norm_lrelu_l3(out)
        ds3 = out
        out = self.norm_lrelu_upscale_conv_norm_lrelu_l3(self.conv3d_l3(out))
        if self.film_layer9:
            out, w_film = self.film_layer9(out, context, w_film)
        out = torch.cat([context_1, out], dim=1)
        out = self.conv_norm_lrelu_l4(out)
        out_pred = self.conv3d_l4(out)
        ds = self.upsacle(self.ds2_1x1_conv3d(ds2)) + self.ds3_1x1_conv3d(ds3)
        out = out_pred + self.upsacle(ds)
        if self.film_layer10:
            out, w_film = self.film_layer10(out, context, w_film)
        if self.final_activation == "softmax":
            out = self.softmax(out)
        elif self.final_activation == "relu":
            r = F.relu(out)
            out = r / r.max() if bool(r.max()) else r
        else:
            out = torch.sigmoid(out)
        if self.n_classes > 1:
            out = out[:, 1:]
        return out


# torchvision-named ResNet18 / DenseNet121 with ivadomed's 1-channel stem
class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        idt = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + idt)


class ResNet18(nn.Module):
    def __init__(self, num_classes=2):
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(64, 2)
        self.layer2 = self._make_layer(128, 2, 2)
        self.layer3 = self._make_layer(256, 2, 2)
        self.layer4 = self._make_layer(512, 2, 2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, num_classes)

    def _make_layer(self, planes, blocks, stride=1):
        ds = None
        if stride != 1 or self.inplanes != planes:
            ds = nn.Sequential(nn.Conv2d(self.inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))
        layers = [BasicBlock(self.inplanes, planes, stride, ds)]
        self.inplanes = planes
        layers += [BasicBlock(planes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = torch.flatten(self.avgpool(x), 1)
        return F.softmax(self.fc(x), dim=1)[:, 1:]


class _DenseLayer(nn.Module):
    def __init__(self, nin, growth, bn_size, drop_rate):
        super().__init__()
        self.norm1 = nn.BatchNorm2d(nin)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(nin, bn_size * growth, 1, 1, bias=False)
        self.norm2 = nn.BatchNorm2d(bn_size * growth)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(bn_size * growth, growth, 3, 1, 1, bias=False)
        self.drop_rate = drop_rate

    def forward(self, feats):
        x = torch.cat(feats, 1)
        out = self.conv2(self.relu2(self.norm2(self.conv1(self.relu1(self.norm1(x))))))
        return F.dropout(out, p=self.drop_rate, training=self.training) if self.drop_rate > 0 else out


class _DenseBlock(nn.ModuleDict):
    def __init__(self, num_layers, nin, bn_size, growth, drop_rate):
        super().__init__()
        for i in range(num_layers):
            self.add_module("denselayer%d" % (i + 1), _DenseLayer(nin + i * growth, growth, bn_size, drop_rate))

    def forward(self, x):
        feats = [x]
        for _, layer in self.items():
            feats.append(layer(feats))
        return torch.cat(feats, 1)


class _Transition(nn.Sequential):
    def __init__(self, nin, nout):
        super().__init__()
        self.add_module("norm", nn.BatchNorm2d(nin))
        self.add_module("relu", nn.ReLU(inplace=True))
        self.add_module("conv", nn.Conv2d(nin, nout, 1, 1, bias=False))
        self.add_module("pool", nn.AvgPool2d(2, 2))


class DenseNet121(nn.Module):
    def __init__(self, growth=32, blocks=(6, 12, 24, 16), init=64, bn_size=4, drop_rate=0, num_classes=2):
        super().__init__()
        self.features = nn.Sequential(OrderedDict([
            ("conv0", nn.Conv2d(1, init, 7, 2, 3, bias=False)), ("norm0", nn.BatchNorm2d(init)),
            ("relu0", nn.ReLU(inplace=True)), ("pool0", nn.MaxPool2d(3, 2, 1))]))
        nf = init
        for i, n in enumerate(blocks):
            self.features.add_module("denseblock%d" % (i + 1), _DenseBlock(n, nf, bn_size, growth, drop_rate))
            nf += n * growth
            if i != len(blocks) - 1:
                self.features.add_module("transition%d" % (i + 1), _Transition(nf, nf // 2))
                nf //= 2
        self.features.add_module("norm5", nn.BatchNorm2d(nf))
        self.classifier = nn.Linear(nf, num_classes)

    def forward(self, x):
        out = F.adaptive_avg_pool2d(F.relu(self.features(x)), (1, 1))
        return F.softmax(self.classifier(torch.flatten(out, 1)), dim=1)[:, 1:]


class ConvBlock(nn.Module):
    def __init__(self, in_chan, out_chan, ksize=3, stride=1, pad=0, activation=None):
        super().__init__()
        self.conv1 = nn.Conv2d(in_chan, out_chan, kernel_size=ksize, stride=stride, padding=pad)
        self.activation = activation
        self.batch_norm = nn.BatchNorm2d(out_chan)

    def forward(self, x):
        return self.activation(self.batch_norm(self.conv1(x)))


class SimpleBlock(nn.Module):
    def __init__(self, in_chan, out_chan_1x1, out_chan_3x3, activation):
        super().__init__()
        self.conv1 = ConvBlock(in_chan, out_chan_1x1, ksize=3, pad=0, activation=activation)
        self.conv2 = ConvBlock(in_chan, out_chan_3x3, ksize=5, pad=1, activation=activation)
        self.conv3 = ConvBlock(in_chan, out_chan_3x3, ksize=9, pad=3, activation=activation)
        self.MP = nn.MaxPool2d(1)

    def forward(self, x):
        return self.MP(torch.cat([self.conv1(x), self.conv2(x), self.conv3(x)], 1))


class Countception(nn.Module):
    def __init__(self, in_channel=3, out_channel=1, use_logits=False, logits_per_output=12):
        super().__init__()
        a = nn.LeakyReLU(0.01)
        self.activation = a
        self.final_activation = nn.LeakyReLU(0.3)
        ps = 40
        self.conv1 = ConvBlock(in_channel, 64, ksize=3, pad=ps, activation=a)
        self.simple1 = SimpleBlock(64, 16, 16, a)
        self.simple2 = SimpleBlock(48, 16, 32, a)
        self.conv2 = ConvBlock(80, 16, ksize=14, activation=a)
        self.simple3 = SimpleBlock(16, 112, 48, a)
        self.simple4 = SimpleBlock(208, 64, 32, a)
        self.simple5 = SimpleBlock(128, 40, 40, a)
        self.simple6 = SimpleBlock(120, 32, 96, a)
        self.conv3 = ConvBlock(224, 32, ksize=20, activation=a)
        self.conv4 = ConvBlock(32, 64, ksize=10, activation=a)
        self.conv5 = ConvBlock(64, 32, ksize=9, activation=a)
        if use_logits:
            self.conv6 = nn.ModuleList([ConvBlock(64, logits_per_output, ksize=1, activation=self.final_activation)
                                        for _ in range(out_channel)])
        else:
            self.conv6 = ConvBlock(32, out_channel, ksize=20, pad=1, activation=self.final_activation)

    def forward(self, x):
        net = self.conv1(x)
        for m in (self.simple1, self.simple2, self.conv2, self.simple3, self.simple4, self.simple5, self.simple6,
                  self.conv3, self.conv4, self.conv5):
            net = m(net)
        if isinstance(self.conv6, nn.ModuleList):  # use_logits, as ivadomed: one output per head
            return [c(net) for c in self.conv6]
        return self.conv6(net)


# nnU-Net-style plain U-Net as ivadogo declares it (nn.PlainUnet): not an ivadomed model, re-declared
# here so its parameter count and outputs are checked against PyTorch's layers.
class PlainConv(nn.Module):
    def __init__(self, conv, inst, i, o, stride):
        super().__init__()
        self.conv = conv(i, o, 3, stride=stride, padding=1)
        self.norm = inst(o, affine=True)

    def forward(self, x):
        return F.leaky_relu(self.norm(self.conv(x)), 0.01)


class PlainStage(nn.Module):
    def __init__(self, conv, inst, i, o, n, stride):
        super().__init__()
        self.convs = nn.ModuleList([PlainConv(conv, inst, i if k == 0 else o, o, stride if k == 0 else 1)
                                    for k in range(n)])

    def forward(self, x):
        for c in self.convs:
            x = c(x)
        return x


class PlainUnet(nn.Module):
    def __init__(self, dims=2, in_channel=1, out_channel=1, features=(32, 64, 128, 256, 320, 320), n_conv=2,
                 deep_supervision=False):
        super().__init__()
        conv, tconv, inst = (nn.Conv2d, nn.ConvTranspose2d, nn.InstanceNorm2d) if dims == 2 else \
            (nn.Conv3d, nn.ConvTranspose3d, nn.InstanceNorm3d)
        self.out_channel, self.deep = out_channel, deep_supervision
        self.encoder = nn.Module()
        self.encoder.stages = nn.ModuleList()
        i = in_channel
        for s, f in enumerate(features):
            self.encoder.stages.append(PlainStage(conv, inst, i, f, n_conv, 1 if s == 0 else 2))
            i = f
        self.decoder = nn.Module()
        self.decoder.stages, self.decoder.transpconvs, self.decoder.seg_layers = nn.ModuleList(), nn.ModuleList(), \
            nn.ModuleList()
        for s in range(len(features) - 2, -1, -1):
            self.decoder.transpconvs.append(tconv(features[s + 1], features[s], 2, stride=2))
            self.decoder.stages.append(PlainStage(conv, inst, 2 * features[s], features[s], n_conv, 1))
            self.decoder.seg_layers.append(conv(features[s], out_channel, 1))

    def forward(self, x):
        skips = []
        for st in self.encoder.stages:
            x = st(x)
            skips.append(x)
        outs = []
        n = len(self.decoder.stages)
        for i in range(n):
            x = self.decoder.stages[i](torch.cat([self.decoder.transpconvs[i](x), skips[-2 - i]], 1))
            if self.deep or i == n - 1:
                # ivadogo's convention, as ivadomed's models: sigmoid, background channel dropped
                p = torch.sigmoid(self.decoder.seg_layers[i](x))
                outs.append(p[:, 1:] if self.out_channel > 1 else p)
        return outs[::-1] if self.deep else outs[0]


# ---------------------------------------------------------------------------
# model descriptions
# ---------------------------------------------------------------------------
def conv_flops(model, *inputs):
    tot = [0.0]

    def hook(m, inp, out):
        # A transposed convolution does its multiply-adds per INPUT voxel.
        sp = inp[0].shape[2:] if isinstance(m, (nn.ConvTranspose2d, nn.ConvTranspose3d)) else out.shape[2:]
        tot[0] += 2.0 * out.shape[0] * m.out_channels * (m.in_channels // m.groups) * math.prod(m.kernel_size) * \
            math.prod(sp)
    hs = [m.register_forward_hook(hook) for m in model.modules()
          if isinstance(m, (nn.Conv2d, nn.Conv3d, nn.ConvTranspose2d, nn.ConvTranspose3d))]
    model.eval()
    with torch.no_grad():
        out = model(*inputs)
    for h in hs:
        h.remove()
    return tot[0], list(out.shape)


def describe(name, kind, opts, model, inputs):
    # Counted before any forward pass: FiLM layers tie their linear2 weights on the first forward,
    # after which model.parameters() lists the tied weight once.
    nparams = sum(p.numel() for p in model.parameters())
    sd = model.state_dict()
    flops, oshape = conv_flops(model, *inputs) if inputs is not None else (None, None)
    return {
        "name": name, "model": kind, "options": opts,
        "parameters": nparams,
        "parameters_after_forward": sum(p.numel() for p in model.parameters()),
        "state_dict": [[k, list(v.shape)] for k, v in sd.items()],
        "input": [list(i.shape) for i in inputs if torch.is_tensor(i)] if inputs is not None else None,
        "conv_flops": flops, "output": oshape,
        # ivadomed's set_model_for_retrain counts as layers the modules with reset_parameters
        "reset_layers": [n for n, m in model.named_modules() if hasattr(m, "reset_parameters")],
    }


def model_fixtures():
    torch.manual_seed(0)
    out = []
    x2 = lambda n, c, h, w: torch.rand(n, c, h, w)  # noqa: E731
    for depth, nf in ((4, 32), (3, 64), (2, 8), (5, 16)):
        out.append(describe("unet2d_d%d_f%d" % (depth, nf), "Unet", {"depth": depth, "n_filters": nf},
                            Unet(1, 1, depth=depth, n_filters=nf), (x2(1, 1, 128, 128),)))
    out.append(describe("unet2d_d3_f16_in2_out3_softmax", "Unet",
                        {"depth": 3, "n_filters": 16, "in_channel": 2, "out_channel": 3, "final_activation": "softmax"},
                        Unet(2, 3, depth=3, n_filters=16, final_activation="softmax"), (x2(1, 2, 64, 48),)))
    out.append(describe("unet3d_d3_f8", "Unet", {"depth": 3, "n_filters": 8, "is_2d": False},
                        Unet(1, 1, depth=3, n_filters=8, is_2d=False), (torch.rand(1, 1, 32, 32, 16),)))
    for nf in (8, 16):
        out.append(describe("mod3d_f%d" % nf, "Modified3DUNet", {"n_filters": nf},
                            Modified3DUNet(1, 1, n_filters=nf), (torch.rand(2, 1, 48, 48, 48),)))
    out.append(describe("mod3d_f8_att", "Modified3DUNet", {"n_filters": 8, "attention": True},
                        Modified3DUNet(1, 1, n_filters=8, attention=True), (torch.rand(1, 1, 32, 32, 32),)))
    out.append(describe("mod3d_f4_out3", "Modified3DUNet", {"n_filters": 4, "out_channel": 3, "in_channel": 2},
                        Modified3DUNet(2, 3, n_filters=4), (torch.rand(1, 2, 32, 32, 16),)))
    film = [1, 0, 1, 0, 1, 0, 0, 1, 0, 1]
    out.append(describe("mod3d_f8_film", "Modified3DUNet", {"n_filters": 8, "n_metadata": 3, "film_layers": film},
                        Modified3DUNet(1, 1, n_filters=8, n_metadata=3, film_layers=film),
                        (torch.rand(2, 1, 32, 32, 32), torch.rand(2, 3))))
    for depth, film in ((3, [0, 1, 0, 0, 0, 0, 0, 0]), (3, [1, 1, 1, 1, 1, 1, 1, 1]), (4, [1, 0, 0, 0, 1, 0, 0, 0, 0, 1])):
        out.append(describe("filmed_d%d_%s" % (depth, "".join(map(str, film))), "FiLMedUnet",
                            {"depth": depth, "n_filters": 16, "n_metadata": 5, "film_layers": film},
                            FiLMedUnet(1, 1, depth=depth, n_filters=16, n_metadata=5, film_layers=film),
                            (x2(2, 1, 64, 64), torch.rand(2, 5))))
    m = HeMISUnet(["T1w", "T2w", "T2star"], depth=3)
    out.append(describe("hemis_d3_3mod", "HeMISUnet", {"depth": 3, "contrasts": ["T1w", "T2w", "T2star"]}, m, None))
    out.append(describe("resnet18", "resnet18", {}, ResNet18(), (x2(1, 1, 64, 64),)))
    out.append(describe("densenet121", "densenet121", {}, DenseNet121(), (x2(1, 1, 64, 64),)))
    out.append(describe("countception", "Countception", {"in_channel": 1}, Countception(in_channel=1),
                        (x2(1, 1, 32, 32),)))
    out.append(describe("countception_in3", "Countception", {}, Countception(), None))
    out.append(describe("plain2d_default", "PlainUnet", {}, PlainUnet(), (x2(1, 1, 64, 64),)))
    out.append(describe("plain3d_f8", "PlainUnet", {"is_2d": False, "features": [8, 16, 32, 64], "out_channel": 2},
                        PlainUnet(3, 1, 2, (8, 16, 32, 64)), (torch.rand(1, 1, 16, 16, 16),)))
    return out


# ---------------------------------------------------------------------------
# schedules
# ---------------------------------------------------------------------------
def schedule_fixtures():
    res = []

    def run(name, cfg, mk, lr=0.01, steps=100):
        p = torch.nn.Parameter(torch.zeros(1))
        opt = torch.optim.SGD([p], lr=lr)
        sch = mk(opt)
        lrs = []
        for _ in range(steps):
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            sch.step()
        res.append({"name": name, "config": dict(cfg, base_lr=cfg.get("base_lr", lr)), "lr": lrs})

    S = torch.optim.lr_scheduler
    run("cosine_T100", {"kind": "cosine", "T_max": 100}, lambda o: S.CosineAnnealingLR(o, T_max=100))
    run("cosine_T30_min", {"kind": "cosine", "T_max": 30, "eta_min": 1e-4},
        lambda o: S.CosineAnnealingLR(o, T_max=30, eta_min=1e-4))
    run("warm_T10", {"kind": "warm_restarts", "T_0": 10, "T_mult": 1},
        lambda o: S.CosineAnnealingWarmRestarts(o, T_0=10))
    run("warm_T7_mult2_min", {"kind": "warm_restarts", "T_0": 7, "T_mult": 2, "eta_min": 1e-3},
        lambda o: S.CosineAnnealingWarmRestarts(o, T_0=7, T_mult=2, eta_min=1e-3))
    for mode, extra in (("triangular", {}), ("triangular2", {}), ("exp_range", {"gamma": 0.97})):
        run("cyclic_" + mode, dict({"kind": "cyclic", "base_lr": 1e-5, "max_lr": 1e-2, "step_size_up": 12,
                                    "step_size_down": 8, "mode": mode}, **extra),
            lambda o, mode=mode, extra=extra: S.CyclicLR(o, base_lr=1e-5, max_lr=1e-2, step_size_up=12,
                                                         step_size_down=8, mode=mode, cycle_momentum=False, **extra))
    run("cyclic_default_down", {"kind": "cyclic", "base_lr": 1e-4, "max_lr": 1e-3, "step_size_up": 9,
                                "mode": "triangular2"},
        lambda o: S.CyclicLR(o, base_lr=1e-4, max_lr=1e-3, step_size_up=9, mode="triangular2", cycle_momentum=False))
    # nnU-Net's poly schedule: lr = initial * (1 - epoch / max_epochs) ** 0.9
    run("poly_100", {"kind": "poly", "max_steps": 100, "exponent": 0.9},
        lambda o: S.LambdaLR(o, lambda e: (1 - e / 100) ** 0.9))
    return res


# ---------------------------------------------------------------------------
# optimisers on a small least-squares problem: loss = mean((x @ w + b - y)^2)
# ---------------------------------------------------------------------------
def optim_fixtures():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(8, 5, generator=g)
    y = torch.randn(8, 3, generator=g)
    w0 = torch.randn(5, 3, generator=g) * 0.5
    b0 = torch.randn(3, generator=g) * 0.1
    cfgs = [
        ("adam", {"kind": "adam", "lr": 0.01}),
        ("adam_wd", {"kind": "adam", "lr": 0.02, "betas": [0.8, 0.99], "eps": 1e-6, "weight_decay": 0.1}),
        ("adamw", {"kind": "adamw", "lr": 0.01, "weight_decay": 0.05}),
        ("sgd", {"kind": "sgd", "lr": 0.05}),
        ("sgd_momentum", {"kind": "sgd", "lr": 0.02, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}),
        ("sgd_nesterov", {"kind": "sgd", "lr": 0.02, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3}),
        ("adam_clip", {"kind": "adam", "lr": 0.05, "clip_norm": 0.5}),
    ]
    res = {"x": flat(x), "x_shape": list(x.shape), "y": flat(y), "y_shape": list(y.shape),
           "w0": flat(w0), "w_shape": list(w0.shape), "b0": flat(b0), "cases": []}
    for name, cfg in cfgs:
        w = torch.nn.Parameter(w0.clone())
        b = torch.nn.Parameter(b0.clone())
        k = cfg["kind"]
        if k == "adam":
            opt = torch.optim.Adam([w, b], lr=cfg["lr"], betas=tuple(cfg.get("betas", (0.9, 0.999))),
                                   eps=cfg.get("eps", 1e-8), weight_decay=cfg.get("weight_decay", 0))
        elif k == "adamw":
            opt = torch.optim.AdamW([w, b], lr=cfg["lr"], weight_decay=cfg["weight_decay"])
        else:
            opt = torch.optim.SGD([w, b], lr=cfg["lr"], momentum=cfg.get("momentum", 0),
                                  dampening=cfg.get("dampening", 0), nesterov=cfg.get("nesterov", False),
                                  weight_decay=cfg.get("weight_decay", 0))
        losses, norms, snaps = [], [], {}
        for step in range(1, 101):
            opt.zero_grad()
            loss = ((x @ w + b - y) ** 2).mean()
            loss.backward()
            if "clip_norm" in cfg:
                norms.append(float(torch.nn.utils.clip_grad_norm_([w, b], cfg["clip_norm"])))
            opt.step()
            losses.append(float(loss))
            if step in (1, 2, 10, 100):
                snaps[str(step)] = {"w": flat(w), "b": flat(b)}
        c = {"name": name, "config": cfg, "loss": losses, "params": snaps}
        if norms:
            c["grad_norm"] = norms
        res["cases"].append(c)
    return res


# ---------------------------------------------------------------------------
# per-layer forward/backward fixtures
# ---------------------------------------------------------------------------
def layer_fixtures():
    torch.manual_seed(3)
    cases = []
    tensors = OrderedDict()

    def add(name, module_or_fn, x, cfg, params=None, train=True, extra_inputs=()):
        x = x.clone().requires_grad_(True)
        if isinstance(module_or_fn, nn.Module):
            module_or_fn.train(train)
            for k, v in module_or_fn.state_dict().items():
                tensors["%s.param.%s" % (name, k)] = v.clone()
        y = module_or_fn(x, *extra_inputs)
        dy = torch.randn_like(y)
        y.backward(dy)
        tensors[name + ".x"] = x.detach()
        tensors[name + ".y"] = y.detach()
        tensors[name + ".dy"] = dy
        tensors[name + ".dx"] = x.grad
        if isinstance(module_or_fn, nn.Module):
            for k, p in module_or_fn.named_parameters():
                tensors["%s.grad.%s" % (name, k)] = p.grad
            for k, v in module_or_fn.named_buffers():
                tensors["%s.after.%s" % (name, k)] = v.clone()
        cases.append(dict(cfg, name=name, train=train))

    r = lambda *s: torch.randn(*s)  # noqa: E731
    add("conv2d", nn.Conv2d(3, 4, 3, padding=1), r(2, 3, 7, 6), {"layer": "Conv2d", "in": 3, "out": 4, "k": 3, "pad": 1})
    add("conv2d_s2_nobias", nn.Conv2d(2, 3, (3, 2), stride=2, padding=(1, 0), bias=False), r(1, 2, 9, 8),
        {"layer": "Conv2d", "in": 2, "out": 3, "k": [3, 2], "stride": 2, "pad": [1, 0], "bias": False})
    add("conv3d", nn.Conv3d(2, 3, 3, padding=1), r(1, 2, 5, 4, 6), {"layer": "Conv3d", "in": 2, "out": 3, "k": 3, "pad": 1})
    add("conv3d_s2", nn.Conv3d(2, 2, 3, stride=2, padding=1, bias=False), r(2, 2, 6, 5, 4),
        {"layer": "Conv3d", "in": 2, "out": 2, "k": 3, "stride": 2, "pad": 1, "bias": False})
    add("convT2d", nn.ConvTranspose2d(3, 2, 2, stride=2), r(2, 3, 4, 5), {"layer": "ConvTranspose2d", "in": 3, "out": 2, "k": 2, "stride": 2})
    add("convT3d", nn.ConvTranspose3d(2, 3, 2, stride=2), r(1, 2, 3, 2, 4), {"layer": "ConvTranspose3d", "in": 2, "out": 3, "k": 2, "stride": 2})
    add("linear", nn.Linear(5, 4), r(3, 5), {"layer": "Linear", "in": 5, "out": 4})
    bn = nn.BatchNorm2d(3, momentum=0.3)
    add("bn2d_train", bn, r(4, 3, 5, 5) * 2 + 1, {"layer": "BatchNorm2d", "c": 3, "momentum": 0.3})
    bn_e = nn.BatchNorm2d(3)
    with torch.no_grad():
        bn_e.running_mean.copy_(torch.randn(3))
        bn_e.running_var.copy_(torch.rand(3) + 0.5)
        bn_e.weight.copy_(torch.randn(3))
        bn_e.bias.copy_(torch.randn(3))
    add("bn2d_eval", bn_e, r(2, 3, 4, 4), {"layer": "BatchNorm2d", "c": 3}, train=False)
    add("bn3d_train", nn.BatchNorm3d(2), r(2, 2, 3, 4, 5), {"layer": "BatchNorm3d", "c": 2})
    add("in3d", nn.InstanceNorm3d(3), r(2, 3, 4, 3, 5) * 3 - 1, {"layer": "InstanceNorm3d", "c": 3})
    add("in2d_affine", nn.InstanceNorm2d(3, affine=True), r(2, 3, 5, 6), {"layer": "InstanceNorm2d", "c": 3, "affine": True})
    add("groupnorm", nn.GroupNorm(2, 4), r(2, 4, 3, 5), {"layer": "GroupNorm", "groups": 2, "c": 4})
    add("maxpool2d", nn.MaxPool2d(2), r(2, 3, 6, 7), {"layer": "MaxPool2d", "k": 2})
    add("maxpool2d_k3s2p1", nn.MaxPool2d(3, 2, 1), r(1, 2, 9, 8), {"layer": "MaxPool2d", "k": 3, "stride": 2, "pad": 1})
    add("maxpool3d", nn.MaxPool3d(2), r(1, 2, 4, 6, 5), {"layer": "MaxPool3d", "k": 2})
    add("avgpool2d", nn.AvgPool2d(2), r(2, 2, 6, 4), {"layer": "AvgPool2d", "k": 2})
    add("avgpool3d", nn.AvgPool3d(2), r(1, 2, 4, 4, 6), {"layer": "AvgPool3d", "k": 2})
    add("up_nearest3d", nn.Upsample(scale_factor=2, mode="nearest"), r(1, 2, 2, 3, 2), {"layer": "Upsample", "scale": 2, "mode": "nearest"})
    add("interp_bilinear_ac", lambda x: F.interpolate(x, size=(7, 9), mode="bilinear", align_corners=True), r(2, 2, 4, 5),
        {"layer": "interpolate", "size": [7, 9], "mode": "bilinear", "align_corners": True})
    add("interp_bilinear", lambda x: F.interpolate(x, size=(7, 9), mode="bilinear", align_corners=False), r(1, 2, 4, 5),
        {"layer": "interpolate", "size": [7, 9], "mode": "bilinear", "align_corners": False})
    add("interp_trilinear_ac", lambda x: F.interpolate(x, size=(5, 4, 6), mode="trilinear", align_corners=True), r(1, 2, 3, 2, 3),
        {"layer": "interpolate", "size": [5, 4, 6], "mode": "trilinear", "align_corners": True})
    add("relu", F.relu, r(3, 4, 5), {"layer": "ReLU"})
    add("leakyrelu", nn.LeakyReLU(0.01), r(3, 4, 5), {"layer": "LeakyReLU", "slope": 0.01})
    add("elu", nn.ELU(), r(3, 4, 5), {"layer": "ELU", "alpha": 1.0})
    add("sigmoid", torch.sigmoid, r(3, 4, 5), {"layer": "Sigmoid"})
    add("softmax", nn.Softmax(dim=1), r(2, 4, 3, 3), {"layer": "Softmax", "dim": 1})
    film = FiLMlayer(3, 4)
    ctx = torch.rand(2, 3)
    add("film", lambda x: film(x, ctx, None)[0], r(2, 4, 3, 5), {"layer": "FiLM", "n_metadata": 3, "c": 4})
    for k, v in film.state_dict().items():
        tensors["film.param." + k] = v.clone()
    for k, p in film.named_parameters():
        tensors["film.grad." + k] = p.grad
    tensors["film.context"] = ctx
    att = GridAttentionBlockND(4, 6, 4, dimension=3)
    att.train()
    gsig = torch.randn(2, 6, 2, 2, 2)
    before = OrderedDict((k, v.clone()) for k, v in att.state_dict().items())
    add("attention3d", lambda x: att(x, gsig)[0], r(2, 4, 4, 4, 4), {"layer": "GridAttentionBlockND", "in": 4, "gating": 6, "inter": 4})
    for k, v in before.items():
        tensors["attention3d.param." + k] = v
    for k, p in att.named_parameters():
        tensors["attention3d.grad." + k] = p.grad
    for k, v in att.named_buffers():
        tensors["attention3d.after." + k] = v.clone()
    tensors["attention3d.g"] = gsig
    return cases, tensors


# ---------------------------------------------------------------------------
# small models: weights, outputs, training losses
# ---------------------------------------------------------------------------
def kink_recorder(calls, band=1e-4):
    """Returns a forward hook that appends, for each call of a LeakyReLU, the elements of its float64
    input within band·max|x| of the kink, as rows (call, flat index, 1 if x > 0 else 0).

    Float32 rounding moves Modified3DUNet's activations by up to ~4e-6 of their scale, so an element
    that close to 0 lands on either side of the kink by chance, and its gradient is then multiplied by
    1 or by the slope: at 32³ one such element with a large gradient moves the gradients of every layer
    behind it by 1e-3, in any float32 implementation (which of them flip is down to rounding order).
    The Go test takes the float64 side at these elements, so that it measures the gradients' rounding
    error and not this coin toss."""
    def hook(mod, inp, out):
        x = inp[0].detach().reshape(-1)
        idx = torch.nonzero(x.abs() <= band * x.abs().max()).reshape(-1)
        call = torch.full_like(idx, len(calls))
        calls.append(torch.stack([call, idx, (x[idx] > 0).to(torch.int64)], 1))
    return hook


def dice_loss(pred, target, smooth=1.0):
    i, t = pred.reshape(-1), target.reshape(-1)
    return -(2.0 * (i * t).sum() + smooth) / (i.sum() + t.sum() + smooth)


HEMIS_PRESENT = [[True, True, False], [True, True, True]]


def parity_fixtures():
    torch.manual_seed(7)
    res = []
    specs = [
        ("unet2d_small", "Unet", {"depth": 2, "n_filters": 4, "drop_rate": 0.0},
         lambda: Unet(1, 1, depth=2, n_filters=4, drop_rate=0.0), lambda: (torch.rand(2, 1, 16, 12),)),
        ("unet2d_softmax", "Unet", {"depth": 2, "n_filters": 4, "drop_rate": 0.0, "in_channel": 2, "out_channel": 3,
                                    "final_activation": "softmax"},
         lambda: Unet(2, 3, depth=2, n_filters=4, drop_rate=0.0, final_activation="softmax"),
         lambda: (torch.rand(2, 2, 12, 12),)),
        ("unet2d_relu", "Unet", {"depth": 2, "n_filters": 4, "drop_rate": 0.0, "final_activation": "relu"},
         lambda: Unet(1, 1, depth=2, n_filters=4, drop_rate=0.0, final_activation="relu"),
         lambda: (torch.rand(2, 1, 12, 16),)),
        ("unet3d_small", "Unet", {"depth": 2, "n_filters": 2, "drop_rate": 0.0, "is_2d": False},
         lambda: Unet(1, 1, depth=2, n_filters=2, drop_rate=0.0, is_2d=False), lambda: (torch.rand(1, 1, 8, 8, 4),)),
        ("mod3d_small", "Modified3DUNet", {"n_filters": 2, "drop_rate": 0.0},
         lambda: Modified3DUNet(1, 1, n_filters=2, drop_rate=0.0), lambda: (torch.rand(1, 1, 32, 32, 32),)),
        ("mod3d_att", "Modified3DUNet", {"n_filters": 2, "drop_rate": 0.0, "attention": True},
         lambda: Modified3DUNet(1, 1, n_filters=2, drop_rate=0.0, attention=True),
         lambda: (torch.rand(1, 1, 32, 32, 32),)),
        ("mod3d_film", "Modified3DUNet", {"n_filters": 2, "drop_rate": 0.0, "n_metadata": 2,
                                          "film_layers": [1, 0, 0, 1, 1, 0, 1, 0, 0, 1]},
         lambda: Modified3DUNet(1, 1, n_filters=2, drop_rate=0.0, n_metadata=2,
                                film_layers=[1, 0, 0, 1, 1, 0, 1, 0, 0, 1]),
         lambda: (torch.rand(1, 1, 32, 32, 32), torch.rand(1, 2))),
        ("filmed_small", "FiLMedUnet", {"depth": 2, "n_filters": 4, "drop_rate": 0.0, "n_metadata": 3,
                                        "film_layers": [1, 0, 1, 0, 1, 1]},
         lambda: FiLMedUnet(1, 1, depth=2, n_filters=4, drop_rate=0.0, n_metadata=3, film_layers=[1, 0, 1, 0, 1, 1]),
         lambda: (torch.rand(2, 1, 12, 12), torch.rand(2, 3))),
        ("hemis_small", "HeMISUnet", {"contrasts": ["T1w", "T2w", "T2star"], "depth": 2, "n_filters": 4,
                                      "drop_rate": 0.0, "present": HEMIS_PRESENT},
         lambda: HeMISFixed(HEMIS_PRESENT, ["T1w", "T2w", "T2star"], depth=2, n_filters=4, drop_rate=0.0),
         lambda: tuple(torch.rand(2, 1, 16, 12) for _ in range(3))),
        ("plain2d_small", "PlainUnet", {"features": [4, 8, 16]},
         lambda: PlainUnet(2, 1, 1, (4, 8, 16)), lambda: (torch.rand(2, 1, 16, 12),)),
    ]
    for name, kind, opts, mk, mkin in specs:
        model = mk()
        # Random affine batch-norm parameters and running stats, so eval mode is a real test.
        with torch.no_grad():
            for m in model.modules():
                if isinstance(m, (nn.BatchNorm2d, nn.BatchNorm3d)):
                    m.weight.copy_(1 + 0.2 * torch.randn_like(m.weight))
                    m.bias.copy_(0.1 * torch.randn_like(m.bias))
                    m.running_mean.copy_(0.1 * torch.randn_like(m.running_mean))
                    m.running_var.copy_(torch.rand_like(m.running_var) + 0.5)
        inputs = mkin()
        tensors = OrderedDict(("weights." + k, v.clone()) for k, v in model.state_dict().items())
        for i, t in enumerate(inputs):
            tensors["input.%d" % i] = t
        model.eval()
        with torch.no_grad():
            tensors["output.eval"] = model(*inputs)
        model.train()
        out_train = model(*inputs)
        tensors["output.train"] = out_train.detach()
        target = (torch.rand_like(out_train) > 0.5).float()
        tensors["target"] = target
        # reload so the running stats of the train-mode forward above do not leak into training
        model.load_state_dict(OrderedDict((k[8:], v) for k, v in tensors.items() if k.startswith("weights.")))
        model.train()
        # Modified3DUNet inputs are 32³ so that its bottom level (1/16 of the input) holds 2³ voxels:
        # at 1×1×2 the instance norm there outputs ±1 by the sign of a difference, which makes
        # training discontinuous and no two implementations agree. Even so, Adam turns the float32
        # noise of its many near-zero gradients into full-size steps (|update| ≈ lr whatever the
        # gradient's size), so its trajectory is taken with SGD + momentum, and its first gradients
        # are stored for a direct check.
        if kind == "Modified3DUNet":
            opt_cfg = {"kind": "sgd", "lr": 0.01, "momentum": 0.9}
            opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        else:
            opt_cfg = {"kind": "adam", "lr": 1e-3}
            opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        losses = []
        for step in range(5):
            opt.zero_grad()
            loss = dice_loss(model(*inputs), target)
            loss.backward()
            if step == 0 and name in ("mod3d_small", "unet2d_small"):
                for k, p in model.named_parameters():
                    tensors["grad." + k] = p.grad.clone()
                # The same gradients in float64: the yardstick for how far float32 noise alone moves
                # them (PyTorch's own float32 gradients differ from these by ~1e-5 of the tensor's scale).
                m64 = copy.deepcopy(model).double()
                m64.load_state_dict(OrderedDict((k[8:], v.double() if v.is_floating_point() else v)
                                                for k, v in tensors.items() if k.startswith("weights.")))
                m64.train()
                m64.zero_grad(set_to_none=True)
                kinks = []
                if kind == "Modified3DUNet":
                    hooks = [mm.register_forward_hook(kink_recorder(kinks)) for mm in m64.modules()
                             if isinstance(mm, nn.LeakyReLU)]
                dice_loss(m64(*[i.double() for i in inputs]), target.double()).backward()
                if kind == "Modified3DUNet":
                    for h in hooks:
                        h.remove()
                    tensors["kinks.calls"] = torch.tensor([len(kinks)], dtype=torch.int64)
                    tensors["kinks"] = torch.cat([k for k in kinks if len(k)]).reshape(-1, 3)
                for k, p in m64.named_parameters():
                    tensors["grad64." + k] = p.grad.clone()
            opt.step()
            losses.append(float(loss))
        if name == "unet2d_small":  # one model's weights after training, to check the whole update path
            for k, v in model.state_dict().items():
                tensors["trained." + k] = v.clone()
        fname = "weights_%s.safetensors" % name
        save_safetensors(tensors, os.path.join(HERE, fname), {"model": kind, "format": "pt"})
        res.append({"name": name, "model": kind, "options": opts, "file": fname, "optimizer": opt_cfg,
                    "dice_losses": losses, "n_inputs": len(inputs)})
    return res


# ---------------------------------------------------------------------------
# classifiers: output parity with formula weights (too big to commit)
# ---------------------------------------------------------------------------
_M64 = (1 << 64) - 1


def fnv1a64(name):
    h = 0xCBF29CE484222325
    for b in name.encode():
        h = ((h ^ b) * 0x100000001B3) & _M64
    return h


def formula_uniform(name, n):
    """n values in [0, 1): splitmix64 of (FNV-1a(name) + (k+1)·golden), top 53 bits. Integer
    arithmetic throughout, so ivadogo (nn/classifiers_parity_test.go) draws the same bits."""
    import numpy as np
    with np.errstate(over="ignore"):
        k = np.arange(1, n + 1, dtype=np.uint64)
        z = np.uint64(fnv1a64(name)) + k * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0 ** -53


def formula_tensor(name, shape):
    """The state_dict entry `name` of the given shape as a function of its name alone: centre + half·(2u−1)
    in float64, rounded to float32. Weights (≥2-D) are uniform in ±√(6/fan_in) (Kaiming uniform, ReLU gain:
    activations stay O(1)), norm weights 1 ± 0.2, biases and running means ±0.1, running variances 1 ± 0.5."""
    import numpy as np
    n = int(np.prod(shape)) if len(shape) else 1
    if len(shape) >= 2:
        centre, half = 0.0, math.sqrt(6.0 / int(np.prod(shape[1:])))
    elif name.endswith("running_var"):
        centre, half = 1.0, 0.5
    elif name.endswith(".weight"):
        centre, half = 1.0, 0.2
    else:  # biases, running means, inputs' offsets
        centre, half = 0.0, 0.1
    v = centre + half * (2.0 * formula_uniform(name, n) - 1.0)
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


def formula_input(name, shape):
    """Values in [0, 1) drawn by formula_uniform, as float32 (inputs and loss weights)."""
    import numpy as np
    return torch.from_numpy(formula_uniform(name, int(np.prod(shape))).astype(np.float32).reshape(shape))


def formula_state(model):
    return OrderedDict((k, v if not v.is_floating_point() else formula_tensor(k, list(v.shape)))
                       for k, v in model.state_dict().items())


# name, ivadomed model name, options, constructor, input shape, parameters whose gradients are stored: small
# ones, not the bias of a convolution that a batch norm follows (its gradient is 0 plus rounding noise), and
# only ones that float32 rounding cannot move by more than float32 precision (see kink_sensitivity). ResNet18's
# gradients are smooth down to its stem; DenseNet121's and Countception's before their last blocks jump by
# 2e-3 to 1e-2 when the input moves by 1e-6 (ReLU and LeakyReLU inputs that sit at 0 within rounding, and
# every feature map feeding all later layers of a dense block), so for those only the last layers' are.
CLASSIFIER_CASES = [
    ("resnet18", "resnet18", {}, lambda: ResNet18(), [2, 1, 64, 64],
     ["conv1.weight", "layer3.0.bn1.weight", "layer4.1.bn2.bias", "fc.weight", "fc.bias"]),
    ("densenet121", "densenet121", {}, lambda: DenseNet121(), [2, 1, 64, 64],
     ["classifier.weight", "classifier.bias"]),
    ("countception", "Countception", {}, lambda: Countception(), [1, 3, 4, 4],
     ["conv5.batch_norm.weight", "conv5.batch_norm.bias", "conv6.batch_norm.weight", "conv6.batch_norm.bias"]),
]

KINK_EPS, KINK_LIMIT = 1e-6, 5e-4


def kink_sensitivity(model, x, target, grads, g64):
    """The largest relative change (max|Δg| / max|g|) of each float64 gradient over three inputs
    x·(1 + 1e-6·N(0, 1)): float32 rounding moves activations by about that much. A smooth gradient moves
    by ~1e-5 at most; one behind an activation kink that an input sits on jumps by 1e-3 or more, whichever
    side float32 rounding happens to put it, and is refused (AssertionError) as unfit for a 1e-5 check."""
    gen = torch.Generator().manual_seed(1)
    worst = {g: 0.0 for g in grads}
    for _ in range(3):
        m = copy.deepcopy(model).double()
        m.train()
        xp = x.double() * (1 + KINK_EPS * torch.randn(x.shape, generator=gen, dtype=torch.float64))
        (m(xp) * target.double()).sum().backward()
        pn = dict(m.named_parameters())
        for g in grads:
            d = float((pn[g].grad - g64[g]).abs().max() / g64[g].abs().max())
            worst[g] = max(worst[g], d)
    for g, w in worst.items():
        assert w < KINK_LIMIT, "%s: gradient moves by %.2g when the input moves by %g: behind a kink" % (g, w, KINK_EPS)
    return worst


def classifier_fixtures():
    """ResNet18, DenseNet121 and Countception with formula weights (formula_state): outputs in eval and
    train mode and the gradients of sum(output·target) w.r.t. a few parameters, in float32 and float64
    (the float64 side is the yardstick; float32's distance to it sizes the tolerance)."""
    tensors, cases = OrderedDict(), []
    for name, kind, opts, mk, shape, grads in CLASSIFIER_CASES:
        model = mk()
        model.load_state_dict(formula_state(model), strict=True)
        x = formula_input("input." + name, shape)
        res = {}
        for dt in (torch.float32, torch.float64):
            m = copy.deepcopy(model).to(dt)
            xi = x.to(dt)
            m.eval()
            with torch.no_grad():
                res[dt, "eval"] = m(xi)
            m.train()
            out = m(xi)
            target = formula_input("target." + name, list(out.shape)).to(dt)
            (out * target).sum().backward()
            res[dt, "train"] = out.detach()
            pn = dict(m.named_parameters())
            for g in grads:
                res[dt, "grad." + g] = pn[g].grad
        sens = kink_sensitivity(model, x, target, grads, {g: res[torch.float64, "grad." + g] for g in grads})
        sfx = {torch.float32: "", torch.float64: "64"}
        tensors["input." + name] = x
        for (dt, what), v in res.items():
            tensors["%s%s.%s" % (what if not what.startswith("grad.") else "grad", sfx[dt],
                                 name + ("" if not what.startswith("grad.") else "." + what[5:]))] = v.detach()
        cases.append({"name": name, "model": kind, "options": opts, "input_shape": shape, "grads": grads,
                      "output_shape": list(res[torch.float32, "eval"].shape),
                      "kink_sensitivity": [float("%.3g" % sens[g]) for g in grads]})
        print("%s: eval %s train %s" % (name, flat(res[torch.float32, "eval"])[:4], flat(res[torch.float32, "train"])[:4]))
    # ivadomed's Countception with use_logits: its heads take 64 channels, conv5 gives 32, so the first
    # forward pass fails; record PyTorch's message and the state_dict it builds.
    m = Countception(use_logits=True, out_channel=2)
    m.eval()
    try:
        with torch.no_grad():
            m(torch.zeros(1, 3, 4, 4))
        msg = ""
    except RuntimeError as e:
        msg = str(e)
    logits = {"options": {"use_logits": True, "out_channel": 2}, "input_shape": [1, 3, 4, 4], "error": msg,
              "params": sum(p.numel() for p in m.parameters()),
              "state_dict": [[k, list(v.shape)] for k, v in m.state_dict().items()]}
    return cases, logits, tensors


def dump(obj, fname):
    with open(os.path.join(HERE, fname), "w") as f:
        json.dump(obj, f, indent=None, separators=(",", ":"))
        f.write("\n")


def main():
    import sys
    if "--check-go" in sys.argv:
        check_go_weights()
        return
    cases, logits, tensors = classifier_fixtures()
    save_safetensors(tensors, os.path.join(HERE, "classifiers.safetensors"), {"torch": torch.__version__})
    dump({"torch": torch.__version__, "cases": cases, "countception_logits": logits}, "classifiers.json")
    if "--classifiers" in sys.argv:
        return
    dump({"torch": torch.__version__, "schedules": schedule_fixtures()}, "schedules.json")
    dump(dict(optim_fixtures(), torch=torch.__version__), "optim.json")
    dump({"torch": torch.__version__, "models": model_fixtures()}, "models.json")
    cases, tensors = layer_fixtures()
    save_safetensors(tensors, os.path.join(HERE, "layers.safetensors"), {"torch": torch.__version__})
    dump({"torch": torch.__version__, "cases": cases}, "layers.json")
    dump({"torch": torch.__version__, "models": parity_fixtures()}, "parity.json")


if __name__ == "__main__":
    main()
