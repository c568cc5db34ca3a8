"""attn_course — the shared package of the course *Attention, from retrieval to vision*.

Every attention variant the book teaches lives here; the notebooks import it and
tell the story. The core math accepts NumPy arrays and torch tensors and returns
the same kind; the ``torch.nn`` modules are for training.

Notation (the book's notation page has the full table):

- ``B`` batch size, ``H`` / ``n_heads`` number of heads, ``N`` sequence length
  (``n_q`` queries, ``n_k`` keys), ``d_k`` query/key size, ``d_v`` value size,
  ``d_model`` model width (``embed_dim``). Tensors are batch-first:
  ``(B, H, N, d_k)``.
- Masks are boolean, **True = may attend** (as in
  ``torch.nn.functional.scaled_dot_product_attention``). A fully masked query
  row gets zero weights and a zero output, never NaN.
- One causal alignment, top-left as torch's ``is_causal=True``: query ``i`` may attend
  key ``j`` iff ``j ≤ i + offset`` (:func:`attn_course.causal_mask`, offset 0 by default).

Reading order — the package is shelved like the book, and imports only point down:

1. :mod:`attn_course.core` — the math, NumPy and torch alike: softmax, masks, scores,
   ``softmax(QKᵀ/√d_k)V``, positions, retrieval.
2. :mod:`attn_course.layers` — ``torch.nn`` blocks built from it: the one
   ``MultiHeadAttention`` (position methods plug in as a hook), additive attention, the
   Transformer blocks, attention on feature maps, efficient and tiled attention, ring
   attention across processes.
3. :mod:`attn_course.models` — the networks the chapters train.
4. :mod:`attn_course.data` — the seeded tasks and data sets they train on.
5. :mod:`attn_course.experiments` — sweeps, measurements and result tables, one module
   per chapter topic.
6. :mod:`attn_course.tools` — seeds, progress bars, the training loop, timers, tables.
7. On top: :mod:`attn_course.plots` (figures), :mod:`attn_course.views` (the browser
   playgrounds) and :mod:`attn_course.exercises` (the checkers).

The names below are importable from ``attn_course`` itself.
"""

from .core.attention import cross_attention, scaled_dot_product_attention, self_attention
from .core.masks import causal_mask, padding_mask, sliding_window_mask
from .core.online_softmax import online_softmax, online_softmax_update
from .core.positions import alibi_bias, alibi_slopes, rope_rotate, sinusoidal_encoding
from .core.scores import (
    additive_score,
    cosine_score,
    dot_score,
    general_score,
    location_score,
    scaled_dot_score,
    score,
)
from .core.softmax import entropy, logsumexp, softmax
from .layers.additive import AdditiveAttention
from .layers.decoder import TransformerDecoderLayer
from .layers.efficient import linear_attention, local_attention
from .layers.flash import flash_attention
from .layers.multihead import MultiHeadAttention
from .layers.positions import LearnedPositionalEmbedding, SinusoidalPositionalEncoding
from .layers.ring import ring_attention_shard
from .layers.ring_local import ring_attention
from .layers.transformer import FeedForward, TransformerEncoder, TransformerEncoderLayer
from .models.gpt import GPT
from .tools.seed import set_seed
from .tools.training import count_parameters, minibatches, train

__all__ = [
    "AdditiveAttention",
    "FeedForward",
    "GPT",
    "LearnedPositionalEmbedding",
    "MultiHeadAttention",
    "SinusoidalPositionalEncoding",
    "TransformerDecoderLayer",
    "TransformerEncoder",
    "TransformerEncoderLayer",
    "additive_score",
    "alibi_bias",
    "alibi_slopes",
    "causal_mask",
    "cosine_score",
    "count_parameters",
    "cross_attention",
    "dot_score",
    "entropy",
    "flash_attention",
    "general_score",
    "linear_attention",
    "local_attention",
    "location_score",
    "logsumexp",
    "minibatches",
    "online_softmax",
    "online_softmax_update",
    "padding_mask",
    "ring_attention",
    "ring_attention_shard",
    "rope_rotate",
    "scaled_dot_product_attention",
    "scaled_dot_score",
    "score",
    "self_attention",
    "set_seed",
    "sinusoidal_encoding",
    "sliding_window_mask",
    "softmax",
    "train",
]

__version__ = "0.1.0"
