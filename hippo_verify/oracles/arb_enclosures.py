"""Rigorous enclosures of SSM kernels by Arb ball arithmetic (python-flint).

A second route beside the mpmath oracles of ``mp_oracles``: where those certify digits by
agreement at two working precisions, these functions compute every tap as an Arb *ball*
(a midpoint and a radius, ``flint.arb`` or ``flint.acb``) that is guaranteed to contain
the exact value. Needs python-flint (the ``fast`` extra); nothing in hippo-verify imports
this module at import time, so the package works without it.

Functions (same argument conventions and exact inputs as the mpmath oracles; like
``hippo_verify.oracles`` they also accept sympy numbers and matrices, and refuse a job whose
work, N^2 L, N L, d L or N^3 T as each docstring's raises say, is above the ``oracle_work``
size limit of ``hippo_verify.size_limits``):

* ``arb_ssm_kernel`` - K_k = C Ab^k Bb of a dense system discretized by a gbt-family
  method (ball linear solve) or ZOH (ball exponential of [[A, B], [0, 0]] dt); the taps
  by baby-step/giant-step with matrix powers from repeated squaring (radius friendly);
* ``arb_diag_kernel`` - S4D's Vandermonde kernel with per-mode discretization and powers
  lam_bar^k by integer exponentiation;
* ``arb_rtf_kernel`` - the impulse response of b(z)/a(z) by power-series division;
* ``arb_continuous_kernel`` - C e^{tA} B by the ball matrix exponential.

Each returns an ``Enclosure``.

What is rigorous: every ball contains the exact kernel of the exact input, *given* that
each input was put into a ball that contains it. Ints, Fractions, decimal strings,
floats, complex numbers and mpmath numbers (real or complex, of the global or of a private
``mpmath.MPContext``) are exact rationals (``exact_scalar``) and become balls by
exact integer construction and a rigorous division; hippo-verify's sympy radicals
q sqrt(r) (``RationalTimesSqrt``) become rigorous balls by Arb's square root. All later
arithmetic (solve, exponential, products, powers, series division) is Arb's, whose error
bounds are rigorous. ``Enclosure.contains`` tests containment exactly (ball end points
and the value compared as rationals).

What is not: any other input that speaks mpmath's ``_mpmath_(prec, rounding)`` protocol
(e.g. a general sympy constant such as -1/2 + i pi) is evaluated at ``prec + 20`` bits and
given a radius of 2^-(prec + 10) times its size (2^(e - prec - 10) with |value| < 2^e),
which assumes the object's evaluation is correct to its precision (to within 2^-(prec+10)
relative, 10 bits of slack); the balls are then rigorous only relative to that
assumption. ``Enclosure.trusted_inputs`` counts the inputs read this way (0 means the
enclosure rests on no assumption). A value that evaluates to exactly 0 is taken as 0.

Thread safety: Arb's working precision (``flint.ctx.prec``) and series length
(``flint.ctx.cap``) are process-global. Every use here holds the module lock ``_LOCK``
(a ``threading.Lock``) and restores the previous values in a ``finally`` block, so calls
from several threads are serialized and never see each other's precision. Code outside
this module that changes ``flint.ctx`` concurrently is not protected.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath

try:
    import flint
except ImportError as error:  # pragma: no cover - the tests skip without flint
    raise ImportError(
        "hippo_verify.oracles.arb_enclosures needs python-flint; install the 'fast' extra "
        "(pip install 'hippo-verify[fast]') or use the mpmath oracles in "
        "hippo_verify.oracles"
    ) from error

from .._validation import require_size
from ._sympy_inputs import RationalTimesSqrt, from_sympy
from .mp_oracles import (
    CertificationError,
    InvalidArgumentError,
    InvalidTypeError,
    exact_matrix,
    exact_scalar,
    exact_vector,
    method_alpha,
    method_name,
    require_int,
    require_step,
    rtf_args,
)

__all__ = [
    "Enclosure",
    "arb_continuous_kernel",
    "arb_diag_kernel",
    "arb_rtf_kernel",
    "arb_ssm_kernel",
]

#: Guards every use of flint's global precision and series length.
_LOCK = threading.Lock()
_LOG10_2 = math.log10(2)
#: Slack (bits) between the precision a protocol object is evaluated at and the radius.
_EVAL_EXTRA_BITS = 20
_TRUST_BITS = 10


@contextmanager
def _flint_context(prec: int, cap: int | None = None) -> Iterator[None]:
    """Hold ``_LOCK`` with flint's precision (and series length) set; restore both after."""
    with _LOCK:
        old_prec, old_cap = flint.ctx.prec, flint.ctx.cap
        try:
            flint.ctx.prec = prec
            if cap is not None:
                flint.ctx.cap = cap
            yield
        finally:
            flint.ctx.prec = old_prec
            flint.ctx.cap = old_cap


# ---------------------------------------------------------------------------------------
# Exact rationals from balls and values
# ---------------------------------------------------------------------------------------


def _exact_fraction(x: Any) -> Fraction:
    """An exact arb (a midpoint or a radius) as a Fraction."""
    man, exp = x.man_exp()
    man, exp = int(man), int(exp)
    return Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2**-exp)


def _interval(x: Any) -> tuple[Fraction, Fraction] | None:
    """[lower, upper] of a real ball as exact rationals; None for a non-finite ball."""
    if not x.is_finite():
        return None
    mid, rad = _exact_fraction(x.mid()), _exact_fraction(x.rad())
    return mid - rad, mid + rad


def _parts(x: Any) -> tuple[Any, Any | None]:
    """(real part, imaginary part or None) of an arb/acb ball."""
    if isinstance(x, flint.acb):
        return x.real, x.imag
    return x, None


def _ball_contains(x: Any, value: Any, tolerance: Fraction = Fraction(0)) -> bool:
    """Whether the ball x, widened by ``tolerance`` (each part), contains the exact scalar
    ``value`` (Fraction or (re, im))."""
    re_value, im_value = value if isinstance(value, tuple) else (value, Fraction(0))
    re_ball, im_ball = _parts(x)
    for ball, part in ((re_ball, re_value), (im_ball, im_value)):
        if ball is None:
            if abs(part) > tolerance:
                return False
            continue
        bounds = _interval(ball)
        if bounds is not None and not bounds[0] - tolerance <= part <= bounds[1] + tolerance:
            return False
    return True


def _magnitude_bound(value: Fraction | tuple[Fraction, Fraction]) -> Fraction:
    """|Re| + |Im| >= |value|, exactly."""
    if isinstance(value, tuple):
        return abs(value[0]) + abs(value[1])
    return abs(value)


def _tolerance(tolerance: Any) -> Fraction:
    exact = _exact_value("tolerance", tolerance)
    if isinstance(exact, tuple) or exact < 0:
        raise InvalidArgumentError(f"tolerance: must be real and >= 0, got {tolerance!r}")
    return exact


def _exact_value(name: str, value: Any) -> Fraction | tuple[Fraction, Fraction]:
    """An mpmath number (or any exactly readable scalar) as an exact rational."""
    exact = exact_scalar(name, value)
    if not isinstance(exact, (Fraction, tuple)):
        raise InvalidTypeError(
            f"{name}: {type(value).__name__} is not an exact number; pass the mpmath value"
        )
    return exact


def _to_mpmath(x: Any) -> Any:
    """The midpoint of a ball as an exact global-mpmath number."""

    def mpf(part: Any) -> Any:
        man, exp = part.mid().man_exp()
        return mpmath.mp.make_mpf(mpmath.libmp.from_man_exp(int(man), int(exp)))

    re_ball, im_ball = _parts(x)
    if im_ball is None:
        return mpf(re_ball)
    return mpmath.mp.make_mpc((mpf(re_ball)._mpf_, mpf(im_ball)._mpf_))


# ---------------------------------------------------------------------------------------
# Result
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Enclosure:
    """Balls that contain the exact kernel (see the module docstring for the fine print).

    Attributes:
        balls: One ``flint.arb`` (real kernels) or ``flint.acb`` (complex) per tap/time.
        prec: Arb working precision, in bits.
        method: The algorithm, e.g. ``"bilinear/arb-bsgs"``.
        trusted_inputs: Inputs read through ``_mpmath_`` (their evaluation is trusted).

    An enclosure has no truth value (``bool`` raises TypeError): ask ``contains``,
    ``contains_all`` or ``agrees_with``.
    """

    balls: list
    prec: int
    method: str
    trusted_inputs: int = 0

    def __len__(self) -> int:
        return len(self.balls)

    def __bool__(self) -> bool:
        raise TypeError(
            "an Enclosure has no truth value; test enclosure.contains(...), "
            "contains_all(...) or agrees_with(result)"
        )

    def __getitem__(self, index: Any) -> Any:
        return self.balls[index]

    def contains(self, value: Any, index: int | None = None, *, tolerance: Any = 0) -> bool:
        """Whether ball ``index``, widened by ``tolerance``, contains ``value`` exactly.

        ``value`` is an mpmath number (or an int, Fraction, float, ...: anything
        ``exact_scalar`` reads as an exact rational); it is compared exactly with the
        ball's end points. ``index`` may be omitted when there is a single ball.
        ``tolerance`` (exact, >= 0, default 0) widens each end point of the real and of
        the imaginary part.
        """
        if index is None:
            if len(self.balls) != 1:
                raise InvalidArgumentError(
                    f"index: required, the enclosure has {len(self.balls)} balls"
                )
            index = 0
        index = require_int("index", index, 0)
        if index >= len(self.balls):
            raise InvalidArgumentError(f"index: {index} out of range for {len(self.balls)} balls")
        exact, widen = _exact_value("value", value), _tolerance(tolerance)
        with _LOCK:
            return _ball_contains(self.balls[index], exact, widen)

    def contains_all(self, values: Any, *, tolerance: Any = 0) -> bool:
        """Whether ball k (widened by ``tolerance``) contains values[k] for every k."""
        values = list(values)
        if len(values) != len(self.balls):
            raise InvalidArgumentError(
                f"values: expected {len(self.balls)} values, got {len(values)}"
            )
        exact = [_exact_value(f"values[{k}]", v) for k, v in enumerate(values)]
        widen = _tolerance(tolerance)
        with _LOCK:
            return all(_ball_contains(x, v, widen) for x, v in zip(self.balls, exact))

    def agrees_with(self, result: Any) -> bool:
        """Whether a certified mpmath result (an ``OracleResult`` of a kernel) is consistent
        with these balls: every value lies in its ball widened by the result's own claim,
        10^-digits * max_k |value_k| (|value| bounded by |Re| + |Im|).

        The two claims (ball contains the exact tap; value within that tolerance of it)
        can only both hold if this is True, so False means one of the routes is wrong.
        """
        values = list(result.values)
        digits = require_int("result.digits", result.digits, 0)
        exact = [_exact_value(f"values[{k}]", v) for k, v in enumerate(values)]
        scale = max((_magnitude_bound(v) for v in exact), default=Fraction(0))
        return self.contains_all(values, tolerance=scale / 10**digits)

    def midpoints(self) -> list:
        """The ball midpoints as mpmath numbers (exact copies, all bits kept)."""
        with _LOCK:
            return [_to_mpmath(x) for x in self.balls]

    def _squared_norms(self) -> tuple[Fraction, Fraction]:
        """(max_k rad_k^2, max_k |mid_k|^2) exactly; rad_k^2 = rad(Re)^2 + rad(Im)^2."""
        rad2, mid2 = Fraction(0), Fraction(0)
        with _LOCK:
            for x in self.balls:
                r, m = Fraction(0), Fraction(0)
                for part in _parts(x):
                    if part is None:
                        continue
                    if not part.is_finite():
                        raise CertificationError("a ball is not finite (no accuracy left)")
                    r += _exact_fraction(part.rad()) ** 2
                    m += _exact_fraction(part.mid()) ** 2
                rad2, mid2 = max(rad2, r), max(mid2, m)
        return rad2, mid2

    def max_relative_radius(self) -> float:
        """max_k rad_k / max_k |mid_k| (rad of a complex ball: |(rad Re, rad Im)|).

        Rounded to a float (0.0 below the float range, inf if every midpoint is 0 and
        some radius is not).
        """
        rad2, mid2 = self._squared_norms()
        if rad2 == 0:
            return 0.0
        if mid2 == 0:
            return math.inf
        log10 = (_log10(rad2) - _log10(mid2)) / 2
        return 0.0 if log10 < -300 else math.sqrt(float(rad2 / mid2))

    def certified_digits(self) -> int:
        """floor(-log10(max_relative_radius())), computed exactly, at least 0.

        Every exact tap lies within 10^-digits * max_k |mid_k| of its midpoint. Exact
        balls (radius 0) give the digits the precision holds, floor(prec log10 2).
        """
        rad2, mid2 = self._squared_norms()
        if rad2 == 0:
            return int(self.prec * _LOG10_2)
        if mid2 == 0:
            return 0
        digits = max(int(math.floor((_log10(mid2) - _log10(rad2)) / 2)), 0)
        # The float estimate may be one off either way; settle it exactly.
        while digits > 0 and 100**digits * rad2 > mid2:
            digits -= 1
        while 100 ** (digits + 1) * rad2 <= mid2:
            digits += 1
        return digits


def _log10(x: Fraction) -> float:
    return math.log10(x.numerator) - math.log10(x.denominator)


# ---------------------------------------------------------------------------------------
# Exact inputs as balls
# ---------------------------------------------------------------------------------------


class _Balls:
    """Converts exact scalars into balls that contain them (call inside ``_flint_context``)."""

    def __init__(self, prec: int):
        self.prec = prec
        self.trusted = 0

    def __call__(self, v: Any) -> Any:
        if isinstance(v, Fraction):
            # int(): a Fraction read from an mpmath number holds gmpy2 integers, which
            # flint does not take
            ball = flint.arb(int(v.numerator))  # exact: arb holds any integer
            return ball if v.denominator == 1 else ball / int(v.denominator)
        if isinstance(v, tuple):
            return flint.acb(self(v[0]), self(v[1]))
        if isinstance(v, RationalTimesSqrt):
            return self(v.factor) * self(v.radicand).sqrt()
        return self._protocol(v)

    def _protocol(self, v: Any) -> Any:
        """An ``_mpmath_`` object: evaluated at prec + 20 bits, trusted to 2^-(prec+10)."""
        self.trusted += 1
        raw = v._mpmath_(self.prec + _EVAL_EXTRA_BITS, "n")
        if not hasattr(raw, "_mpf_") and not hasattr(raw, "_mpc_"):
            raw = mpmath.mp.convert(raw)
        tuples = raw._mpc_ if hasattr(raw, "_mpc_") else (raw._mpf_, mpmath.libmp.fzero)
        mids, top = [], None
        for sign, man, exp, bc in tuples:
            if not man and exp:
                raise InvalidArgumentError(f"{v!r}: NaN and infinities are not accepted")
            mids.append(flint.arb((-int(man) if sign else int(man), int(exp))) if man else None)
            if man:
                top = int(exp) + int(bc) if top is None else max(top, int(exp) + int(bc))
        if top is None:
            return flint.arb(0)
        error = flint.arb(0, (1, top - self.prec - _TRUST_BITS))
        real = (mids[0] if mids[0] is not None else flint.arb(0)) + error
        if mids[1] is None and not hasattr(raw, "_mpc_"):
            return real
        return flint.acb(real, (mids[1] if mids[1] is not None else flint.arb(0)) + error)


def _any_context_number(value: Any) -> Any:
    """Numbers of any mpmath context (a private ``mpmath.MPContext()``'s mpf/mpc, which
    ``exact_scalar`` does not know) as global mpmath numbers with the same exact value;
    lists, tuples and ``mpmath.matrix`` are walked; everything else is returned as is."""
    if isinstance(value, (mpmath.mpf, mpmath.mpc)):
        return value
    raw = getattr(value, "_mpc_", None)
    if isinstance(raw, tuple):
        return mpmath.mp.make_mpc(raw)
    raw = getattr(value, "_mpf_", None)
    if isinstance(raw, tuple):
        return mpmath.mp.make_mpf(raw)
    if isinstance(value, mpmath.matrix):
        return [
            [_any_context_number(value[i, j]) for j in range(value.cols)] for i in range(value.rows)
        ]
    if isinstance(value, list):
        return [_any_context_number(v) for v in value]
    if isinstance(value, tuple) and not isinstance(value, str):
        return tuple(_any_context_number(v) for v in value)
    return value


def _inputs(*values: Any) -> tuple:
    """sympy numbers and matrices (``from_sympy``) and any-context mpmath numbers read for
    ``exact_scalar``."""
    return tuple(_any_context_number(from_sympy(v)) for v in values)


def _is_complex(x: Any) -> bool:
    return isinstance(x, flint.acb)


def _require_prec(prec: Any) -> int:
    return require_int("prec", prec, 64)


def _finished(balls: list, prec: int, method: str, trusted: int) -> Enclosure:
    """Wrap the balls; a non-finite ball means the precision was far too low."""
    for x in balls:
        if not all(part is None or part.is_finite() for part in _parts(x)):
            raise CertificationError(
                f"ball arithmetic lost all accuracy at prec = {prec} bits (a ball is not "
                "finite); raise prec"
            )
    return Enclosure(balls, prec, method, trusted)


# ---------------------------------------------------------------------------------------
# Ball matrices
# ---------------------------------------------------------------------------------------


def _matrix(rows: list[list], complex_: bool) -> Any:
    return (flint.acb_mat if complex_ else flint.arb_mat)(rows)


def _hstack(left: Any, right: Any, complex_: bool) -> Any:
    return _matrix([a + b for a, b in zip(left.tolist(), right.tolist())], complex_)


def _vstack(top: Any, bottom: Any, complex_: bool) -> Any:
    return _matrix(top.tolist() + bottom.tolist(), complex_)


def _bsgs_taps(Ab: Any, Bb: Any, C: Any, L: int, complex_: bool) -> list:
    """K_k = C Ab^k Bb, k < L, by baby steps and giant steps, every power by squaring.

    With m the least power of two >= sqrt(L): X = [Bb, Ab Bb, ..., Ab^{m-1} Bb] is built
    by doubling, X <- [X, Ab^j X] with Ab^j (j = 1, 2, 4, ...) from repeated squaring,
    which leaves Ab^m; the rows R = [C; C Ab^m; C Ab^{2m}; ...] are built the same way
    from Ab^m; then K_{jm+i} = (R X)[j, i]. Every tap is a product of O(log L) ball
    matrices instead of the L chained products of x <- Ab x, whose radii grow with every
    step (the wrapping effect). Cost O(d^3 log L + d L).
    """
    m = 1
    while m * m < L:
        m *= 2
    giant = -(-L // m)
    X, power = Bb, Ab
    while X.ncols() < m:
        X = _hstack(X, power * X, complex_)
        power = power * power  # Ab^(ncols X)
    R, step = C, power  # step = Ab^m
    while R.nrows() < giant:
        R = _vstack(R, R * step, complex_)
        if R.nrows() < giant:
            step = step * step
    K = R * X
    return [K[k // m, k % m] for k in range(L)]


def _discretize_balls(
    A: list[list], B: list, dt: Any, alpha: Fraction | None, ball: _Balls, complex_: bool
) -> tuple[Any, Any]:
    """(Ab, Bb) as ball matrices (d x d and d x 1)."""
    d = len(A)
    if alpha is None:
        aug = [[A[i][j] * dt for j in range(d)] + [B[i] * dt] for i in range(d)]
        aug.append([flint.arb(0)] * (d + 1))
        E = _matrix(aug, complex_).exp()
        return (
            _matrix([[E[i, j] for j in range(d)] for i in range(d)], complex_),
            _matrix([[E[i, d]] for i in range(d)], complex_),
        )
    a = ball(alpha)
    scaled = [[A[i][j] * dt for j in range(d)] for i in range(d)]
    R = _matrix(
        [[int(i == j) + (1 - a) * scaled[i][j] for j in range(d)] + [B[i] * dt] for i in range(d)],
        complex_,
    )
    if alpha == 0:
        X = R
    else:
        M = _matrix(
            [[int(i == j) - a * scaled[i][j] for j in range(d)] for i in range(d)], complex_
        )
        try:
            X = M.solve(R)
        except ZeroDivisionError:
            raise InvalidArgumentError(
                "I - alpha dt A is singular, or not provably invertible at this precision "
                "(1/(alpha dt) is an eigenvalue of A or too close to one); raise prec"
            ) from None
    return (
        _matrix([[X[i, j] for j in range(d)] for i in range(d)], complex_),
        _matrix([[X[i, d]] for i in range(d)], complex_),
    )


# ---------------------------------------------------------------------------------------
# Public enclosures
# ---------------------------------------------------------------------------------------


def arb_ssm_kernel(
    A: Any, B: Any, C: Any, L: int, *, dt: Any, method: Any = "bilinear", prec: int = 256
) -> Enclosure:
    """Balls containing K_k = C Ab^k Bb, k = 0 .. L-1 (conventions of ``ssm_kernel``).

    Discretization: a gbt-family ``method`` (``"bilinear"``, ``("gbt", alpha)``, ...)
    solves (I - alpha dt A) [Ab, Bb] = [I + (1 - alpha) dt A, dt B] in ball arithmetic;
    ``"zoh"`` takes the ball exponential of [[A, B], [0, 0]] dt. Taps by
    ``_bsgs_taps``. Real systems give ``flint.arb`` balls, complex ones ``flint.acb``.

    Raises:
        InvalidArgumentError / InvalidTypeError: bad shapes, L < 1, dt <= 0, unknown
            method, prec < 64, I - alpha dt A not provably invertible.
        CertificationError: a ball came out non-finite (prec far too low).
    """
    A, B, C, dt = _inputs(A, B, C, dt)
    A = exact_matrix("A", A)
    B, C = exact_vector("B", B, len(A)), exact_vector("C", C, len(A))
    L = require_int("L", L, 1)
    n = len(A)
    require_size(
        f"arb_ssm_kernel work N^3 + N^2 L (N = {n}, L = {L})", n**3 + n * n * L, "oracle_work"
    )
    dt = require_step(dt)
    alpha = method_alpha(method)
    prec = _require_prec(prec)
    with _flint_context(prec):
        ball = _Balls(prec)
        A_b = [[ball(v) for v in row] for row in A]
        B_b, C_b, dt_b = [ball(v) for v in B], [ball(v) for v in C], ball(dt)
        complex_ = any(_is_complex(v) for v in [*B_b, *C_b, *(v for row in A_b for v in row)])
        Ab, Bb = _discretize_balls(A_b, B_b, dt_b, alpha, ball, complex_)
        taps = _bsgs_taps(Ab, Bb, _matrix([C_b], complex_), L, complex_)
    return _finished(taps, prec, f"{method_name(method)}/arb-bsgs", ball.trusted)


def arb_diag_kernel(
    lam: Any,
    B: Any,
    C: Any,
    L: int,
    *,
    dt: Any,
    method: Any = "zoh",
    conj_pairs: bool = True,
    prec: int = 256,
) -> Enclosure:
    """Balls containing S4D's kernel of A = diag(lam) (conventions of ``diag_kernel``).

    Per mode: ZOH lam_bar = e^{dt lam}, Bb = expm1(dt lam)/lam B (dt B for lam = 0);
    gbt lam_bar = (1 + (1 - alpha) dt lam)/(1 - alpha dt lam), Bb = dt B/(1 - alpha dt lam).
    K_k = sum_n C_n Bb_n lam_bar_n^k with lam_bar_n^k by integer exponentiation (O(log k)
    products, not k chained ones); with ``conj_pairs`` the real 2 Re of the sum (arb
    balls), otherwise the complex sum (acb balls).

    Raises:
        InvalidArgumentError: a mode whose ball contains 0 without being exactly 0 (ZOH's
            expm1(dt lam)/lam cannot be bounded that way), or 1 - alpha dt lam not provably
            nonzero; the argument errors of ``diag_kernel``.
    """
    lam, B, C, dt = _inputs(lam, B, C, dt)
    lam = exact_vector("lam", lam)
    B, C = exact_vector("B", B, len(lam)), exact_vector("C", C, len(lam))
    L = require_int("L", L, 1)
    require_size(f"arb_diag_kernel work N L (N = {len(lam)}, L = {L})", len(lam) * L, "oracle_work")
    dt = require_step(dt)
    alpha = method_alpha(method)
    if not isinstance(conj_pairs, bool):
        raise InvalidTypeError(f"conj_pairs: expected a bool, got {conj_pairs!r}")
    prec = _require_prec(prec)
    with _flint_context(prec):
        ball = _Balls(prec)
        step = ball(dt)
        modes, weights = [], []
        for n, (lam_n, b_n, c_n) in enumerate(zip(lam, B, C)):
            mode, b, c = flint.acb(ball(lam_n)), ball(b_n), ball(c_n)
            z = step * mode
            if alpha is None:
                modes.append(z.exp())
                if mode.real.is_zero() and mode.imag.is_zero():
                    gain = step
                elif mode.contains(0):
                    raise InvalidArgumentError(
                        f"lam[{n}]: its ball contains 0 without being 0; expm1(dt lam)/lam "
                        "cannot be enclosed this way (raise prec or pass an exact 0)"
                    )
                else:
                    gain = z.expm1() / mode
            else:
                den = 1 - ball(alpha) * z
                if den.contains(0):
                    raise InvalidArgumentError(
                        f"lam[{n}]: 1 - alpha dt lambda is 0 (or not provably nonzero): the "
                        "step hits 1/(alpha dt)"
                    )
                modes.append((1 + (1 - ball(alpha)) * z) / den)
                gain = step / den
            weights.append(c * gain * b * (2 if conj_pairs else 1))
        taps = []
        for k in range(L):
            total = flint.acb(0)
            for w, mode in zip(weights, modes):
                total += w * mode**k
            taps.append(total.real if conj_pairs else total)
    algorithm = f"{method_name(method)}/arb-vandermonde-pow"
    return _finished(taps, prec, algorithm, ball.trusted)


def arb_rtf_kernel(a: Any, b: Any, L: int, *, prec: int = 256) -> Enclosure:
    """Balls containing the impulse response h_k, k < L, of b(z)/a(z) (``rtf_kernel`` with
    ``aliased=False``): a(z) = 1 + a_1 z + ... + a_d z^d, b(z) = b_1 + ... + b_d z^{d-1}.

    Power-series division in Arb (``flint.arb_series`` with series length L); a(0) = 1,
    so the division is always defined. Coefficients must be real. The aliased (FFT)
    kernel has no enclosure here.
    """
    a, b = rtf_args(*_inputs(a, b))
    L = require_int("L", L, 1)
    require_size(f"arb_rtf_kernel work d L (d = {len(a)}, L = {L})", len(a) * L, "oracle_work")
    prec = _require_prec(prec)
    with _flint_context(prec, cap=L):
        ball = _Balls(prec)
        a_b, b_b = [ball(v) for v in a], [ball(v) for v in b]
        if any(_is_complex(v) for v in a_b + b_b):
            raise InvalidArgumentError("a and b must be real (an input evaluated to a complex)")
        numerator = flint.arb_series(b_b, prec=L)
        denominator = flint.arb_series([flint.arb(1), *a_b], prec=L)
        coeffs = list((numerator / denominator).coeffs())
        taps = (coeffs + [flint.arb(0)] * L)[:L]
    return _finished(taps, prec, "impulse/arb-series-division", ball.trusted)


def arb_continuous_kernel(A: Any, B: Any, C: Any, t: Any, *, prec: int = 256) -> Enclosure:
    """Balls containing K(t) = C e^{tA} B at one time t or at each time of a sequence t
    (one ball per time; ``continuous_kernel``'s conventions), by the ball exponential."""
    A, B, C, t = _inputs(A, B, C, t)
    A = exact_matrix("A", A)
    B, C = exact_vector("B", B, len(A)), exact_vector("C", C, len(A))
    times = [exact_scalar("t", v) for v in (t if isinstance(t, (list, tuple)) else [t])]
    if not times:
        raise InvalidArgumentError("t: must not be empty")
    if any(isinstance(v, tuple) for v in times):
        raise InvalidArgumentError("t: times must be real")
    n = len(A)
    what = f"arb_continuous_kernel work N^3 T (N = {n}, T = {len(times)} times)"
    require_size(what, n**3 * len(times), "oracle_work")
    prec = _require_prec(prec)
    with _flint_context(prec):
        ball = _Balls(prec)
        A_b = [[ball(v) for v in row] for row in A]
        B_b, C_b = [ball(v) for v in B], [ball(v) for v in C]
        t_b = [ball(v) for v in times]
        if any(_is_complex(v) for v in t_b):
            raise InvalidArgumentError("t: times must be real")
        complex_ = any(_is_complex(v) for v in [*B_b, *C_b, *(v for row in A_b for v in row)])
        A_m = _matrix(A_b, complex_)
        B_m, C_m = _matrix([[v] for v in B_b], complex_), _matrix([C_b], complex_)
        values = [(C_m * (A_m * time).exp() * B_m)[0, 0] for time in t_b]
    return _finished(values, prec, "arb-expm", ball.trusted)
