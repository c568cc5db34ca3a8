"""Gate view (chapter 11): the per-image gates of squeeze-and-excitation and CBAM.

For each of a few canvases the view ships what the two blocks see — SE's squeezed vector,
CBAM's pooled vectors and its two pooled maps — and the trained weights of their small
MLPs and of CBAM's 7 × 7 convolution. The browser recomputes the gates of the chosen image
from those (``js/math/gates.js``), draws the channel gates of SE and of CBAM (or their
difference from the average over the shown images), CBAM's spatial gate over the canvas,
and reports the spatial gate's range, the share
of the spatial gate on the digit's box and how much the gates vary from image to image.
Python computes the same readout with :func:`mlp_gate`, :func:`conv_gate` and
:mod:`attn_course.experiments.vision_probes`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import traitlets
from torch import nn

from ..experiments.vision_probes import box_share, gate_variances
from ._base import AttnView
from .packing import PackedArray

__all__ = ["GateView", "conv_gate", "mlp_gate", "pack_mlp"]

SHOW = ("gate", "difference")


def pack_mlp(mlp: nn.Sequential) -> np.ndarray:
    """A gate MLP ``Linear(C, h), ReLU, Linear(h, C)`` as one flat vector
    ``[W₁ (h, C), b₁ (h,), W₂ (C, h), b₂ (C,)]``."""
    parts = [mlp[0].weight, mlp[0].bias, mlp[2].weight, mlp[2].bias]
    return torch.cat([p.detach().reshape(-1) for p in parts]).double().numpy()


def mlp_gate(inputs: Any, params: Any, channels: int, hidden: int) -> np.ndarray:
    """``σ(Σ_k W₂ relu(W₁ x_k + b₁) + b₂)`` ``(C,)`` for pooled vectors ``inputs (K, C)`` and
    the weights packed by :func:`pack_mlp` (SE: ``K = 1``, the mean; CBAM: ``K = 2``)."""
    p = np.asarray(params, dtype=np.float64)
    C, h = channels, hidden
    W1, b1 = p[:h * C].reshape(h, C), p[h * C:h * C + h]
    W2, b2 = p[h * C + h:h * C + h + C * h].reshape(C, h), p[h * C + h + C * h:]
    x = np.asarray(inputs, dtype=np.float64).reshape(-1, C)  # (K, C)
    z = (np.maximum(x @ W1.T + b1, 0) @ W2.T + b2).sum(0)  # (C,)
    return 1 / (1 + np.exp(-z))


def conv_gate(pooled: Any, weight: Any, bias: float) -> np.ndarray:
    """CBAM's spatial gate ``σ(conv_k(pooled) + bias)`` ``(m, m)`` from ``pooled (2, m, m)``
    and ``weight (2, k, k)`` (zero padding ``k // 2``)."""
    x = torch.as_tensor(np.asarray(pooled, dtype=np.float64))[None]  # (1, 2, m, m)
    w = torch.as_tensor(np.asarray(weight, dtype=np.float64))[None]  # (1, 2, k, k)
    z = nn.functional.conv2d(x, w, padding=w.shape[-1] // 2)[0, 0] + bias  # (m, m)
    return torch.sigmoid(z).numpy()


class GateView(AttnView):
    """A few canvases; pick one and see its SE and CBAM gates, recomputed in the browser.

    Args:
        images: ``(E, side, side)`` canvases in ``[0, 1]`` (shown; clipped).
        boxes: ``(E, 4)`` the digit's cells on the gate's ``m × m`` map,
            ``(r0, c0, r1, c1)``, ends excluded.
        se_inputs: ``(E, C)`` SE's squeezed vectors; se_params: its MLP, :func:`pack_mlp`.
        cbam_inputs: ``(E, 2, C)`` CBAM's mean- and max-pooled vectors; cbam_params: its MLP.
        cbam_pooled: ``(E, 2, m, m)`` the channel-mean and channel-max maps CBAM's spatial
            half sees; cbam_kernel: ``(2, k, k)``; cbam_bias: the convolution's bias.
        hidden: width of both MLPs; example_labels: ``E`` names; example: the shown one;
        show: ``"gate"`` or ``"difference"`` (each channel gate minus its mean over the
            ``E`` images).

    Traits: ``example``, ``show`` (params); the arrays above, flat or in rows (data).
    """

    view_name = "gates"
    _view_js = "gates.js"

    example = traitlets.Int(0).tag(sync=True, role="param")
    show = traitlets.Unicode("gate").tag(sync=True, role="param")
    images = PackedArray("uint8").tag(sync=True, role="data")  # (E, side²), display only
    boxes = traitlets.List(traitlets.List(traitlets.Int())).tag(sync=True, role="data")
    se_inputs = PackedArray("float32").tag(sync=True, role="data")  # (E, C)
    se_params = PackedArray("float32").tag(sync=True, role="data")  # flat
    cbam_inputs = PackedArray("float32").tag(sync=True, role="data")  # (E, 2C)
    cbam_params = PackedArray("float32").tag(sync=True, role="data")  # flat
    cbam_pooled = PackedArray("float32").tag(sync=True, role="data")  # (E, 2m²)
    cbam_kernel = PackedArray("float32").tag(sync=True, role="data")  # flat (2k²,)
    cbam_bias = traitlets.Float(0.0).tag(sync=True, role="data")
    side = traitlets.Int(1).tag(sync=True, role="data")
    map_side = traitlets.Int(1).tag(sync=True, role="data")
    kernel = traitlets.Int(1).tag(sync=True, role="data")
    channels = traitlets.Int(1).tag(sync=True, role="data")
    hidden = traitlets.Int(1).tag(sync=True, role="data")
    example_labels = traitlets.List(traitlets.Unicode()).tag(sync=True, role="data")

    def __init__(self, images: Any, boxes: Any, se_inputs: Any, se_params: Any,
                 cbam_inputs: Any, cbam_params: Any, cbam_pooled: Any, cbam_kernel: Any,
                 cbam_bias: float, *, hidden: int, example_labels: list[str] | None = None,
                 example: int = 0, show: str = "gate",
                 title: str = "Per-image gates: squeeze-and-excitation and CBAM") -> None:
        im = np.clip(np.asarray(images, dtype=np.float64), 0, 1)
        if im.ndim != 3 or im.shape[1] != im.shape[2] or len(im) < 2:
            raise ValueError(f"images must have shape (E ≥ 2, side, side), got {im.shape}")
        E, side = im.shape[0], im.shape[1]
        se = np.asarray(se_inputs, dtype=np.float64)
        if se.ndim != 2 or len(se) != E:
            raise ValueError(f"se_inputs must have shape (E={E}, C), got {se.shape}")
        C = se.shape[1]
        ci = np.asarray(cbam_inputs, dtype=np.float64)
        if ci.shape != (E, 2, C):
            raise ValueError(f"cbam_inputs must have shape ({E}, 2, {C}), got {ci.shape}")
        pool = np.asarray(cbam_pooled, dtype=np.float64)
        if pool.ndim != 4 or pool.shape[:2] != (E, 2) or pool.shape[2] != pool.shape[3]:
            raise ValueError(f"cbam_pooled must have shape ({E}, 2, m, m), got {pool.shape}")
        m = pool.shape[2]
        ker = np.asarray(cbam_kernel, dtype=np.float64)
        if ker.ndim != 3 or ker.shape[0] != 2 or ker.shape[1] != ker.shape[2] or \
                ker.shape[1] % 2 == 0:
            raise ValueError(f"cbam_kernel must have shape (2, k, k) with k odd, got {ker.shape}")
        n_params = 2 * hidden * C + hidden + C
        for name, p in (("se_params", se_params), ("cbam_params", cbam_params)):
            if np.asarray(p).size != n_params:
                raise ValueError(f"{name} must hold {n_params} numbers (hidden={hidden}, "
                                 f"C={C}), got {np.asarray(p).size}")
        bx = np.asarray(boxes, dtype=np.int64)
        if bx.shape != (E, 4) or bx.min() < 0 or bx.max() > m or \
                np.any(bx[:, 2] <= bx[:, 0]) or np.any(bx[:, 3] <= bx[:, 1]):
            raise ValueError(f"boxes must have shape ({E}, 4) with 0 ≤ r0 < r1 ≤ {m} and "
                             f"0 ≤ c0 < c1 ≤ {m}, got shape {bx.shape}")
        labels = list(example_labels) if example_labels is not None else \
            [f"image {i + 1}" for i in range(E)]
        if len(labels) != E:
            raise ValueError(f"example_labels must have {E} entries, got {len(labels)}")
        if not 0 <= int(example) < E:
            raise ValueError(f"example must lie in [0, {E}), got {example}")
        if show not in SHOW:
            raise ValueError(f"show must be one of {SHOW}, got {show!r}")
        super().__init__(
            images=im.reshape(E, -1), boxes=bx.tolist(), se_inputs=se,
            se_params=np.asarray(se_params, dtype=np.float64).ravel(),
            cbam_inputs=ci.reshape(E, 2 * C),
            cbam_params=np.asarray(cbam_params, dtype=np.float64).ravel(),
            cbam_pooled=pool.reshape(E, -1), cbam_kernel=ker.ravel(), cbam_bias=float(cbam_bias),
            side=side, map_side=m, kernel=ker.shape[1], channels=C, hidden=int(hidden),
            example_labels=labels, example=int(example), show=show, title=title)

    @classmethod
    def from_models(cls, se_model: nn.Module, cbam_model: nn.Module, x: torch.Tensor,
                    boxes: Any, **kwargs: Any) -> GateView:
        """The view of two trained canvas networks
        (:meth:`attn_course.models.cnn.AttentionCNN.for_canvas`, blocks ``"se"`` and
        ``"cbam"``) on the canvases ``x (E, 1, side, side)``."""
        with torch.no_grad():
            f_se = se_model.features(x)  # (E, C, m, m)
            f = cbam_model.features(x)  # (E, C, m, m)
            block = cbam_model.block
            x_c = f * block.channel_weights(f)[:, :, None, None]  # (E, C, m, m)
            pooled = torch.stack([x_c.mean(1), x_c.amax(1)], 1)  # (E, 2, m, m)
            conv = block.spatial.conv
            return cls(x[:, 0].numpy(), boxes, f_se.mean((2, 3)).numpy(),
                       pack_mlp(se_model.block.mlp),
                       torch.stack([f.mean((2, 3)), f.amax((2, 3))], 1).numpy(),
                       pack_mlp(block.mlp), pooled.numpy(), conv.weight[0].numpy(),
                       float(conv.bias[0]), hidden=se_model.block.mlp[0].out_features,
                       **kwargs)

    @classmethod
    def demo(cls) -> GateView:
        from ..data.vision_tasks import cluttered_digits
        from ..models.cnn import AttentionCNN
        from ..tools.seed import set_seed

        g = np.random.default_rng(0)
        digits = (g.random((10, 8, 8)) > 0.6).astype(np.float32)  # (10, 8, 8)
        data = cluttered_digits(digits, np.arange(10), 4, 0, side=16)
        set_seed(0)
        se, cbam = AttentionCNN("se", widths=(4, 8)), AttentionCNN("cbam", widths=(4, 8))
        with torch.no_grad():  # larger weights than at initialisation: gates that vary
            for mlp in (se.block.mlp, cbam.block.mlp):
                mlp[2].weight.mul_(8)
            cbam.block.spatial.conv.weight.mul_(20)
        r, c = data.corner[:, 0].numpy() // 2, data.corner[:, 1].numpy() // 2
        boxes = np.stack([r, c, (data.corner[:, 0].numpy() + 8 + 1) // 2,
                          (data.corner[:, 1].numpy() + 8 + 1) // 2], 1)
        return cls.from_models(se.eval(), cbam.eval(), data.x, boxes,
                               example_labels=[f"digit {int(y)}" for y in data.y])

    def _arrays(self) -> dict[str, np.ndarray]:
        E, C, m, k = len(self.example_labels), self.channels, self.map_side, self.kernel
        return {"se": np.asarray(self.se_inputs, dtype=np.float64).reshape(E, C),
                "cbam": np.asarray(self.cbam_inputs, dtype=np.float64).reshape(E, 2, C),
                "pooled": np.asarray(self.cbam_pooled, dtype=np.float64).reshape(E, 2, m, m),
                "kernel": np.asarray(self.cbam_kernel, dtype=np.float64).reshape(2, k, k)}

    def readout(self) -> dict[str, Any]:
        a, i, C, h = self._arrays(), self.example, self.channels, self.hidden
        se_all = np.stack([mlp_gate(s, self.se_params, C, h) for s in a["se"]])  # (E, C)
        cb_all = np.stack([mlp_gate(s, self.cbam_params, C, h) for s in a["cbam"]])  # (E, C)
        spatial = conv_gate(a["pooled"][i], a["kernel"], self.cbam_bias)  # (m, m)
        r0, c0, r1, c1 = self.boxes[i]
        box = np.zeros_like(spatial, dtype=bool)
        box[r0:r1, c0:c1] = True
        on_box = box_share(torch.as_tensor(spatial)[None], torch.as_tensor(box)[None])
        v_se = gate_variances(torch.as_tensor(se_all))
        v_cb = gate_variances(torch.as_tensor(cb_all))
        shown = se_all[i] - se_all.mean(0) if self.show == "difference" else se_all[i]
        return {"se_gate": se_all[i].tolist(), "se_shown": shown.tolist(),
                "cbam_channel": cb_all[i].tolist(), "spatial": spatial.ravel().tolist(),
                "box_share": float(on_box["share"][0]), "area": float(on_box["area"][0]),
                "se_per_image": v_se["per_image"], "se_between": v_se["between_channels"],
                "cbam_per_image": v_cb["per_image"], "cbam_between": v_cb["between_channels"]}

    def fallback_figure(self) -> Any:
        from ..plots.style import new_figure

        r, i = self.readout(), self.example
        side, m = self.side, self.map_side
        fig, (a0, a1, a2) = new_figure(3, width=3.0, height=3.0)
        a0.imshow(np.asarray(self.images[i]).reshape(side, side), cmap="gray", vmin=0, vmax=1)
        a0.set_title(self.example_labels[i])
        a1.imshow(np.asarray(r["spatial"]).reshape(m, m), cmap="viridis", vmin=0, vmax=1)
        a1.set_title(f"CBAM spatial gate\n{100 * r['box_share']:.0f}% on the digit's box")
        a2.bar(np.arange(self.channels), r["se_gate"])
        a2.set_title("SE channel gate")
        a2.set_xlabel("channel")
        for ax in (a0, a1):
            ax.set_xticks([])
            ax.set_yticks([])
        return fig
