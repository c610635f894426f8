"""python-control (``import control``) graded as hippo-verify kernels.

One adapter per graded function, each a plain module-level function with the signature of
the project's kernel for its algorithm (``hippo_verify.testing.ALGORITHMS[name].kernel``):
torch tensors in, torch tensors of the input dtype out (see scipy_signal.py for the
conventions). Install with the ``thirdparty`` extra: ``pip install -e '.[thirdparty]'``.

Precision (checked by tests/thirdparty): ``control.ss`` stores its matrices as float64, so
everything built from a state space computes in float64 whatever the input, and the
float32 grade is one rounding of a float64 computation. ``control.tf`` keeps its
coefficient arrays' dtype: ``tf2ss`` of float32 coefficients forms C = num[1:] -
num[0] den[1:] in float32 (scipy's tf2ss) before the float64 state space. Without slycot
(not a dependency of the extra) ``c2d``, ``ss2tf`` and ``tf2ss`` call scipy's
``cont2discrete``, ``ss2tf`` and ``tf2ss``; the time responses are python-control's own
loop. A discrete ``impulse_response`` applies a unit-AREA pulse u_0 = 1/dt; with dt = 1
(as here) that is the unit sample.
"""

from __future__ import annotations

import control
import numpy as np
import torch
from scipy.signal import lfilter

#: the project's discretization names -> python-control's (scipy's)
METHODS = {"bilinear": "bilinear", "zoh": "zoh", "backward_euler": "backward_diff"}


def _out(x: np.ndarray, like: torch.Tensor) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(x)).to(like.dtype)


def _taps(system, n: int) -> np.ndarray:
    """The first n samples of the impulse response (h_0 = D) of a discrete system. At least
    two are asked for: a one-point T is read as the final time and raises (examples/README)."""
    T = np.arange(max(n, 2)) * system.dt
    return control.impulse_response(system, T=T).outputs[:n]


def c2d_discretize(A, B, dt, method="bilinear"):
    """discretize: (Ad, Bd) of control.c2d (float64 whatever the input)."""
    N = A.shape[-1]
    discrete = control.c2d(
        control.ss(A.numpy(), B.numpy()[:, None], np.zeros((1, N)), 0), dt, METHODS[method]
    )
    return _out(discrete.A, A), _out(discrete.B[:, 0], A)


def tf2ss_impulse(a, b, L):
    """rtf-impulse: control.tf2ss of b/a in z (numerator [b, 0], so D = b_1 = h_0, see
    scipy_signal.tf2ss_dimpulse; C in the input dtype), then control.impulse_response."""
    system = control.tf2ss(np.pad(b.numpy(), (0, 1)), np.insert(a.numpy(), 0, 1), 1)
    return _out(_taps(system, L), a)


def impulse_response_kernel(Ab, Bb, C, L):
    """krylov-doubling: control.impulse_response of ss(Ab, Bb, C, 0, dt=1) over L + 1
    samples; h_0 = D = 0 dropped (K_k = h_{k+1})."""
    system = control.ss(Ab.numpy(), Bb.numpy()[:, None], C.numpy()[None, :], 0, 1)
    return _out(_taps(system, L + 1)[1:], Ab)


def ss2tf_impulse(Ab, Bb, C, L):
    """krylov-doubling: control.ss2tf of ss(Ab, Bb, C, 0, dt=1), then impulse_response of
    the transfer function (python-control realizes it again with tf2ss: a round trip)."""
    system = control.ss(Ab.numpy(), Bb.numpy()[:, None], C.numpy()[None, :], 0, 1)
    return _out(_taps(control.ss2tf(system), L + 1)[1:], Ab)


def c2d_impulse(A, B, C, L, *, dt, method="bilinear"):
    """ssm-doubling, as a user would write it: the whole c2d system (its Cd, Dd are scipy's,
    see scipy_signal.cont2discrete_dimpulse), first L taps: disagrees by convention."""
    system = control.ss(A.numpy(), B.numpy()[:, None], C.numpy()[None, :], 0)
    return _out(_taps(control.c2d(system, dt, METHODS[method]), L), A)


def c2d_kernel(A, B, C, L, *, dt, method="bilinear"):
    """ssm-doubling with both conventions transformed exactly: the unit-area pulse undone
    (times dt), then scipy's Cd, Dd (scipy_signal.cont2discrete_kernel): for gbt(alpha)
    h_k = alpha K_k + (1 - alpha) K_{k-1}, for zoh K_k = h_{k+1}."""
    system = control.ss(A.numpy(), B.numpy()[:, None], C.numpy()[None, :], 0)
    h = dt * _taps(control.c2d(system, dt, METHODS[method]), L + 1)
    if method == "zoh":
        return _out(h[1:], A)
    alpha = {"bilinear": 0.5, "backward_euler": 1.0}[method]
    return _out(lfilter([1 / alpha], [1, (1 - alpha) / alpha], h[:L]), A)
