"""scipy.signal graded as hippo-verify kernels: one adapter per graded function.

Each adapter is a plain module-level function with the signature of the project's kernel
for its algorithm (``hippo_verify.testing.ALGORITHMS[name].kernel``): torch tensors in,
torch tensors of the input dtype out, so ``check_kernel(fn, name)`` (and the command line
``hippo-verify check examples/scipy_signal.py:<fn> --algorithm <name>``) grades it as is.

Conventions (the project's, see ``hippo_verify/kernels/rtf.py`` and ``dense.py``):
a(z) = 1 + a_1 z + ... + a_d z^d and b(z) = b_1 + ... + b_d z^{d-1} in the delay variable
z, which is exactly lfilter's ``(b, [1, a_1, ..., a_d])``; K_k = C Ab^k Bb for k < L,
whereas a discrete transfer function's impulse response (``dimpulse``) is h_0 = D,
h_k = C A^{k-1} B, so K_k = h_{k+1}.

Precision (checked by tests/thirdparty): ``lfilter`` computes in the input dtype (float32
stays float32). ``dimpulse`` computes in float64 whatever the input (float64 state and
impulse). Mixed: ``tf2ss`` forms C = num[1:] - num[0] den[1:] in the input dtype (A and B
are exact); ``dlsim`` forms Bb u_k in the input dtype (``StateSpace`` keeps float32
matrices) and the rest in float64;
``cont2discrete`` is float64 for zoh (a float64 ``expm`` block) but forms dt A and dt B in
the input dtype for bilinear/backward_diff (NumPy 2 keeps float32 for a float32 array times
a Python float) before a float64 solve; ``ss2tf`` forms the denominator poly(eigvals(A)) in
the input precision and the numerator in float64. The adapters round every result to the
input dtype; where all the work is float64 the float32 grade is one rounding of a float64
computation and cannot show a float32 loss (examples/README.md).
"""

from __future__ import annotations

import numpy as np
import torch
from scipy import signal

from hippo_verify.testing import conventions

#: the project's discretization names -> scipy's
METHODS = {"bilinear": "bilinear", "zoh": "zoh", "backward_euler": "backward_diff"}


def _out(x: np.ndarray, like: torch.Tensor) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(x)).to(like.dtype)


def _dimpulse(system: tuple, n: int) -> np.ndarray:
    """The first n taps of dimpulse (h_0 = D). At least two are asked for: dimpulse(n=1)
    returns NaN (scipy 1.17; examples/README.md)."""
    _, (h,) = signal.dimpulse(system, n=max(n, 2))
    return h[:n, 0]


def _impulse(n: int, dtype: np.dtype) -> np.ndarray:
    x = np.zeros(n, dtype)
    x[0] = 1
    return x


# --- rtf-impulse ---------------------------------------------------------------------


def lfilter_impulse(a, b, L):
    """rtf-impulse: lfilter's response to a unit sample (computed in the input dtype)."""
    den = np.insert(a.numpy(), 0, 1)  # [1, a_1, ..., a_d], dtype kept
    return _out(signal.lfilter(b.numpy(), den, _impulse(L, den.dtype)), a)


def tf2ss_dimpulse(a, b, L):
    """rtf-impulse: tf2ss's realization of b/a, then dimpulse (C in the input dtype).

    In z (not the delay), b(z^-1)/a(z^-1) = (b_1 z^d + ... + b_d z) / (z^d + ... + a_d):
    numerator [b, 0], so D = b_1 = h_0 and dimpulse's h_k are the power-series taps."""
    realization = signal.tf2ss(np.pad(b.numpy(), (0, 1)), np.insert(a.numpy(), 0, 1))
    return _out(_dimpulse((*realization, 1.0), L), a)


# --- rtf-recurrence ------------------------------------------------------------------


def lfilter_recurrence(a, b, u, *, L):
    """rtf-recurrence, as a user would write it: u filtered by b/a. That is u convolved
    with the TRUNCATED response h, not the aliased kernel K: disagrees by convention."""
    return _out(signal.lfilter(b.numpy(), np.insert(a.numpy(), 0, 1), u.numpy()), a)


def lfilter_aliased_recurrence(a, b, u, *, L):
    """rtf-recurrence with the convention transformed exactly: the aliased kernel (the
    L-periodization sum_m h_{k+mL} of the response) is the response of Cbar(z)/a(z) with
    Cbar = b (I - A^L)^-1, A = companion(a): S4's C from C~ (conventions.c_from_ct, float64,
    then rounded to the input dtype like the project's rtf_realization); lfilter runs it."""
    A = torch.diag(torch.ones(a.shape[-1] - 1, dtype=torch.float64), -1)
    A[0] = -a.double()  # companion(a): first row -a, ones below the diagonal
    Cbar = conventions.c_from_ct(A, b.double(), L).to(a.dtype).numpy()
    return _out(signal.lfilter(Cbar, np.insert(a.numpy(), 0, 1), u.numpy()), a)


# --- discretize, ssm-doubling --------------------------------------------------------


def cont2discrete_discretize(A, B, dt, method="bilinear"):
    """discretize: (Ad, Bd) of cont2discrete (float64 for zoh; for bilinear/backward_diff
    dt A and dt B in the input dtype, then a float64 solve)."""
    C = np.zeros((1, A.shape[-1]))  # cont2discrete wants a full (A, B, C, D)
    Ad, Bd, *_ = signal.cont2discrete((A.numpy(), B.numpy()[:, None], C, 0), dt, METHODS[method])
    return _out(Ad, A), _out(Bd[:, 0], A)


def cont2discrete_dimpulse(A, B, C, L, *, dt, method="bilinear"):
    """ssm-doubling, as a user would write it: cont2discrete's whole system (Ad, Bd, Cd, Dd),
    then its first L impulse-response taps. scipy's output convention is not the kernel's
    (examples/README.md): disagrees for bilinear and zoh, agrees for backward_diff."""
    system = (A.numpy(), B.numpy()[:, None], C.numpy()[None, :], 0)
    discrete = signal.cont2discrete(system, dt, METHODS[method])
    return _out(_dimpulse(discrete, L), A)


def cont2discrete_kernel(A, B, C, L, *, dt, method="bilinear"):
    """ssm-doubling with the convention transformed exactly. For gbt(alpha) scipy returns
    Cd = C (I - alpha dt A)^-1 = C (alpha Ab + (1 - alpha) I) and Dd = alpha C Bb, so
    h_k = alpha K_k + (1 - alpha) K_{k-1} (K_-1 = 0): K is h through 1/(alpha + (1-alpha) z).
    For zoh Cd = C, Dd = 0: K_k = h_{k+1}."""
    system = (A.numpy(), B.numpy()[:, None], C.numpy()[None, :], 0)
    discrete = signal.cont2discrete(system, dt, METHODS[method])
    h = _dimpulse(discrete, L + 1)
    if method == "zoh":
        return _out(h[1:], A)
    alpha = {"bilinear": 0.5, "backward_euler": 1.0}[method]
    return _out(signal.lfilter([1 / alpha], [1, (1 - alpha) / alpha], h[:L]), A)


# --- krylov-doubling -----------------------------------------------------------------


def dimpulse_kernel(Ab, Bb, C, L):
    """krylov-doubling: dimpulse of (Ab, Bb, C, 0) over L + 1 samples, h_0 = D dropped."""
    system = (Ab.numpy(), Bb.numpy()[:, None], C.numpy()[None, :], 0, 1.0)
    return _out(_dimpulse(system, L + 1)[1:], Ab)


def ss2tf_lfilter(Ab, Bb, C, L):
    """krylov-doubling: ss2tf's (num, den) in z (den = poly(eigvals(Ab)) in the input
    precision, num in float64), run by lfilter over L + 1 samples; num[0] = D = 0 is h_0,
    dropped (K_k = h_{k+1}). num keeps its leading zero: lfilter's index origin holds."""
    num, den = signal.ss2tf(Ab.numpy(), Bb.numpy()[:, None], C.numpy()[None, :], 0)
    return _out(signal.lfilter(num[0], den, _impulse(L + 1, den.dtype))[1:], Ab)


# --- scan-sequential -----------------------------------------------------------------


def dlsim_scan(Ab, Bb, C, u):
    """scan-sequential, as a user would write it: dlsim's y_k = C x_k, x_{k+1} = Ab x_k +
    Bb u_k reads the state BEFORE u_k enters (y_0 = 0): one sample late by convention."""
    _, y, _ = signal.dlsim((Ab.numpy(), Bb.numpy()[:, None], C.numpy()[None, :], 0, 1.0), u.numpy())
    return _out(y[:, 0], Ab)


def dlsim_scan_shifted(Ab, Bb, C, u):
    """scan-sequential with the convention transformed: the project's y_k = C x_k with
    x_k = Ab x_{k-1} + Bb u_k is dlsim's output one step later: one extra sample, y[1:]."""
    system = (Ab.numpy(), Bb.numpy()[:, None], C.numpy()[None, :], 0, 1.0)
    _, y, _ = signal.dlsim(system, np.pad(u.numpy(), (0, 1)))
    return _out(y[1:, 0], Ab)
