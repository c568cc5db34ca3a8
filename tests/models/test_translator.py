"""The encoder–decoder Transformer of chapter 10 on chapter 8's task: shapes and causality."""

import torch

from attn_course.models.translator import TransformerTranslator


def _model():
    torch.manual_seed(0)
    return TransformerTranslator(11, 13, d_model=16, n_heads=2, d_ff=32).eval()


def test_shapes_and_greedy():
    m = _model()
    src, src_len = torch.randint(2, 11, (3, 6)), torch.tensor([6, 4, 2])
    tgt_in = torch.randint(1, 13, (3, 5))
    logits, _ = m(src, src_len, tgt_in)
    assert logits.shape == (3, 5, 13)
    ids, _ = m.greedy(src, src_len, 4)
    assert ids.shape == (3, 4)


def test_padding_and_future_do_not_leak():
    m = _model()
    src, src_len = torch.randint(2, 11, (1, 6)), torch.tensor([4])
    tgt_in = torch.randint(1, 13, (1, 5))
    logits, _ = m(src, src_len, tgt_in)
    src2, tgt2 = src.clone(), tgt_in.clone()
    src2[0, 4:] = 3  # padding positions changed
    tgt2[0, 3:] = 2  # future target tokens changed
    logits2, _ = m(src2, src_len, tgt2)
    torch.testing.assert_close(logits[:, :3], logits2[:, :3])
