"""Tests of ``attn_course.layers.decoder``."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from attn_course.core.masks import causal_mask
from attn_course.layers.decoder import TransformerDecoderLayer

ATOL = 1e-5


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_matches_torch(norm_first):
    torch.manual_seed(0)
    ref = nn.TransformerDecoderLayer(16, 2, 32, dropout=0.0, batch_first=True,
                                     norm_first=norm_first).eval()
    ours = TransformerDecoderLayer.from_torch(ref).eval()
    x, mem = torch.randn(2, 6, 16), torch.randn(2, 9, 16)
    with torch.no_grad():
        got, (w_self, w_cross) = ours(x, mem)
        want = ref(x, mem, tgt_mask=~causal_mask(6, like=x), tgt_is_causal=True)
    torch.testing.assert_close(got, want, atol=ATOL, rtol=0)
    assert w_self.shape == (2, 2, 6, 6) and w_cross.shape == (2, 2, 6, 9)
    assert torch.all(w_self.triu(1) == 0), "causal self-attention must not look ahead"
