"""Conventions of public HiPPO implementations as named exact transforms of ours.

Every convention is a composition of four elementary maps of (A, B):

* ``time_scale(c)``:          A -> c A, B -> c B (a window theta becomes theta / c);
* ``diagonal_similarity(d)``: A -> D A D^{-1}, B -> D B with D = diag(d_0, ..., d_{N-1})
  (a rescaling or sign flip of each basis function);
* ``shift(sigma)``:           A -> A + sigma I, B -> B (an exponential tilt e^{sigma (t-s)}
  of the measure);
* ``insert_zero_state(i)``:   an identically zero state inserted at index i.

The conventions, each identified by the code it reproduces:

* ``"canonical"``: ours (see ``_measures.py``).
* ``"s4"``: ``transition()`` of state-spaces/s4 (``src/models/hippo/hippo.py``), in the
  version that halves LegT ("Halve again for timescale correctness") and builds ``'fout'``
  from (cos, sin) pairs; older versions of that file leave LegT unscaled (= ``"hippo-code"``).
* ``"hippo-code"``: ``transition()`` of HazyResearch/hippo-code (``model/op.py``).
* ``"lmu"``: the Legendre Memory Unit (Voelker et al. 2019) form of LegT, also ``'lmu'``
  in both codes above.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from .._validation import require_size
from ._closed_forms import hippo_closed_form
from ._hippo_args import validate_hippo_args

__all__ = ["CONVENTIONS", "Transform", "hippo"]

Pair = tuple[sp.Matrix, sp.Matrix]


@dataclass(frozen=True)
class Transform:
    """A named exact map from canonical (A, B) to a convention's (A, B).

    Attributes:
        name: Short name, e.g. ``"time_scale(1/2)"``.
        formula: The map in LaTeX.
        meaning: What the map does to the state or the measure, in words.
        apply: The map itself.
        canonical_size: The canonical N that produces a convention of size N.
    """

    name: str
    formula: str
    meaning: str
    apply: Callable[[sp.Matrix, sp.Matrix], Pair]
    canonical_size: Callable[[int], int] = lambda N: N

    def then(self, other: Transform) -> Transform:
        """This transform followed by ``other``."""
        return Transform(
            name=f"{self.name} ; {other.name}",
            formula=rf"{self.formula};\ {other.formula}",
            meaning=f"{self.meaning}; then {other.meaning}",
            apply=lambda A, B: other.apply(*self.apply(A, B)),
            canonical_size=lambda N: self.canonical_size(other.canonical_size(N)),
        )


IDENTITY = Transform("identity", r"A' = A,\ B' = B", "same matrices", lambda A, B: (A, B))


def time_scale(c: sp.Expr, meaning: str) -> Transform:
    c = sp.sympify(c)
    return Transform(
        f"time_scale({c})",
        rf"A' = {sp.latex(c)}\,A,\ B' = {sp.latex(c)}\,B",
        meaning,
        lambda A, B: (c * A, c * B),
    )


def diagonal_similarity(d: Callable[[int], sp.Expr], d_latex: str, meaning: str) -> Transform:
    def apply(A: sp.Matrix, B: sp.Matrix) -> Pair:
        entries = [sp.sympify(d(n)) for n in range(A.shape[0])]
        D = sp.diag(*entries)
        D_inv = sp.diag(*[1 / e for e in entries])
        return (D * A * D_inv).applyfunc(sp.radsimp), (D * B).applyfunc(sp.radsimp)

    return Transform(
        "diagonal_similarity",
        rf"A' = DAD^{{-1}},\ B' = DB,\ D = \mathrm{{diag}}({d_latex})",
        meaning,
        apply,
    )


def shift(sigma: sp.Expr, meaning: str) -> Transform:
    sigma = sp.sympify(sigma)
    return Transform(
        f"shift({sigma})",
        rf"A' = A + {sp.latex(sigma)}\,I,\ B' = B",
        meaning,
        lambda A, B: (A + sigma * sp.eye(A.shape[0]), B),
    )


def insert_zero_state(index: int, meaning: str) -> Transform:
    def apply(A: sp.Matrix, B: sp.Matrix) -> Pair:
        A = A.row_insert(index, sp.zeros(1, A.shape[1]))
        A = A.col_insert(index, sp.zeros(A.shape[0], 1))
        return A, B.row_insert(index, sp.zeros(1, 1))

    formula = rf"\text{{zero row, column and }} B\text{{ entry at }} {index}"
    return Transform(
        f"insert_zero_state({index})", formula, meaning, apply, canonical_size=lambda N: N - 1
    )


_LEGT_HALF = time_scale(
    sp.Rational(1, 2), "window theta = 2 instead of 1 (the s4 code's 'halve for timescale')"
)
_LAGT_TILT = shift(
    sp.Rational(1, 2), "tilted Laguerre: basis L_n(t-s) e^{-(t-s)/2} in Lebesgue measure"
)
_LMU = diagonal_similarity(
    lambda n: (-1) ** n * sp.sqrt(2 * n + 1),
    r"(-1)^n\sqrt{2n+1}",
    "state n multiplied by (-1)^n sqrt(2n+1): unnormalized, reversed Legendre basis",
)
_FOUT_S4 = (
    diagonal_similarity(
        lambda n: -1 if n > 0 and n % 2 == 0 else 1,
        r"1, 1, -1, 1, -1, \dots",
        "sine states negated (time measured backwards in the window)",
    )
    .then(time_scale(sp.Rational(1, 2), "window theta = 2 instead of 1"))
    .then(insert_zero_state(1, "an always-zero sin(0) state at index 1"))
)

CONVENTIONS: dict[str, dict[str, Transform]] = {
    "canonical": {m: IDENTITY for m in ("legt", "legs", "lagt", "fout")},
    "s4": {"legt": _LEGT_HALF, "legs": IDENTITY, "lagt": _LAGT_TILT, "fout": _FOUT_S4},
    "hippo-code": {"legt": IDENTITY, "legs": IDENTITY, "lagt": _LAGT_TILT},
    "lmu": {"legt": _LMU},
}


def hippo(measure: str, N: int, *, convention: str = "canonical") -> Pair:
    """The HiPPO matrices (A, B) of ``measure`` in closed form, in a chosen convention.

    Canonical conventions (c' = A c + B f; for LegS c' = (A c + B f)/t):

    * ``legt``: A_nk = -sqrt((2n+1)(2k+1)) * (1 if n >= k else (-1)^(n-k)),
      B_n = sqrt(2n+1); window [t-1, t], orthonormal basis sqrt(2n+1) P_n(2(s-t)+1).
    * ``legs``: A_nk = -sqrt((2n+1)(2k+1)) (n > k), -(n+1) (n = k), 0 (n < k);
      B_n = sqrt(2n+1); basis sqrt(2n+1) P_n(2s/t - 1) on [0, t] with weight 1/t.
    * ``lagt``: A_nk = -1 (n >= k), 0 (n < k); B_n = 1; basis L_n(t-s), weight e^{-(t-s)}.
    * ``fout``: states 1, sqrt2 cos(2 pi k x), sqrt2 sin(2 pi k x) (k = 1, 2, ...) on
      x = s - t + 1 in [0, 1]; A = Omega - 2 e e^T, B = 2 e, with e the basis at the window
      ends (1, sqrt2, 0, sqrt2, 0, ...) and Omega[cos_k, sin_k] = 2 pi k = -Omega[sin_k, cos_k].

    Arguments:
        measure: ``"legt"``, ``"legs"``, ``"lagt"`` or ``"fout"``.
        N: State size, N >= 1 (even for ``convention="s4"``, ``measure="fout"``), at most
            the ``hippo_state`` size limit (1024 by default, about 3 minutes for LegS;
            ``with hippo_verify.size_limits(hippo_state=...)`` raises it).
        convention: ``"canonical"``, ``"s4"``, ``"hippo-code"`` or ``"lmu"`` (LegT only);
            each is an exact named transform of the canonical matrices (see ``CONVENTIONS``).

    Returns:
        (A, B): exact sympy matrices of shapes (N, N) and (N, 1).

    Raises:
        InvalidArgumentError / InvalidTypeError: from ``validate_hippo_args``.
    """
    measure, N, convention = validate_hippo_args(measure, N, convention)
    require_size("N", N, "hippo_state")
    transform = CONVENTIONS[convention][measure]
    return transform.apply(*hippo_closed_form(measure, transform.canonical_size(N)))
