"""The machinery every checker shares: run cases, collect plain-language problems."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["CheckResult", "Checker"]


@dataclass
class CheckResult:
    """Outcome of a checker: ``passed`` and the list of problems found (empty if passed)."""

    name: str
    passed: bool
    n_checks: int
    problems: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        if self.passed:
            return f"✅ {self.name}: all {self.n_checks} checks passed."
        lines = [f"❌ {self.name}: {len(self.problems)} of {self.n_checks} checks failed."]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        if self.passed:
            return f"✅ **{self.name}**: all {self.n_checks} checks passed."
        items = "\n".join(f"- {p}" for p in self.problems)
        head = f"❌ **{self.name}**: {len(self.problems)} of {self.n_checks} checks failed."
        return f"{head}\n\n{items}"

    def __repr__(self) -> str:
        return str(self)


class Checker:
    """Collects checks for one exercise.

    Usage::

        c = Checker("check_softmax")
        with c.case("rows sum to one"):
            c.close(fn(x).sum(-1), 1.0, "the row sums")
        return c.result()

    A case that raises ends that case with the exception's message; an
    ``AssertionError`` raised by :meth:`close`/:meth:`shape`/:meth:`expect` is
    reported as the problem itself.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[str] = []
        self.n = 0

    def case(self, description: str) -> _Case:
        self.n += 1
        return _Case(self, description)

    @staticmethod
    def expect(condition: bool, message: str) -> None:
        if not condition:
            raise AssertionError(message)

    @staticmethod
    def shape(actual: Any, expected: tuple[int, ...], what: str) -> None:
        got = tuple(np.shape(_np(actual)))
        if got != tuple(expected):
            raise AssertionError(f"{what} should have shape {tuple(expected)}, got {got}")

    @staticmethod
    def close(actual: Any, expected: Any, what: str, *, atol: float = 1e-6) -> None:
        a, e = _np(actual), _np(expected)
        if np.shape(a) != np.shape(e):
            a_b = np.broadcast_to(a, np.broadcast_shapes(np.shape(a), np.shape(e)))
            a = a_b
        if not np.all(np.isfinite(a)):
            raise AssertionError(f"{what} contains NaN or inf")
        err = float(np.max(np.abs(a - e))) if np.size(e) else 0.0
        if not err <= atol:
            raise AssertionError(f"{what} is off by up to {err:.3g} (tolerance {atol:g})")

    def result(self) -> CheckResult:
        return CheckResult(self.name, not self.problems, self.n, list(self.problems))


class _Case:
    def __init__(self, checker: Checker, description: str) -> None:
        self.checker = checker
        self.description = description

    def __enter__(self) -> _Case:
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
        if exc is None:
            return False
        if isinstance(exc, AssertionError):
            msg = str(exc) or "assertion failed"
        else:
            where = traceback.extract_tb(tb)[-1]
            msg = f"raised {type(exc).__name__}: {exc} (line {where.lineno})"
        self.checker.problems.append(f"{self.description}: {msg}")
        return True  # swallow: report, don't crash the notebook


def _np(x: Any) -> np.ndarray:
    if hasattr(x, "detach"):
        return x.detach().cpu().numpy()
    return np.asarray(x, dtype=float)


def run(fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    """Call the learner's function (kept as a hook for friendlier tracebacks later)."""
    return fn(*args, **kw)
