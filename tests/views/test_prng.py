"""The ``attn_course.views.prng`` view: its readout is the package's math, bad input is refused."""

from __future__ import annotations

import numpy as np
import pytest

from attn_course.views.prng import normals, uniforms


# --- scaling ------------------------------------------------------------------------------
def test_prng_is_mulberry32() -> None:
    # Reference values of mulberry32(42), computed by the JavaScript in views/js/math/prng.js.
    np.testing.assert_allclose(
        uniforms(42, 3), [0.6011037519201636, 0.44829055899754167, 0.8524657934904099],
        rtol=0, atol=1e-15)
    z = normals(0, 20_000)
    assert abs(z.mean()) < 0.03 and abs(z.std() - 1) < 0.03
    np.testing.assert_array_equal(normals(5, 10), normals(5, 10))
    with pytest.raises(ValueError, match="seed"):
        uniforms(-1, 3)
