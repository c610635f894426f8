"""The normal-plus-low-rank structure of the HiPPO matrices that S4 relies on.

Run directly to print every step: python derivations/hippo_nplr.py
"""

import sympy as sp

from hippo_verify.symbolic import DerivationLog, derive_hippo, hippo_nplr

TITLE = "HiPPO matrices are normal plus low rank"
N = 8

CORRECTIONS = {
    "legs": r"P_n = \sqrt{n + \tfrac12}:\quad A + PP^T = -\tfrac12 I + S",
    "legt": r"P = \big[\sqrt{2n+1}\,[n \text{ odd}]\ \big|\ \sqrt{2n+1}\,[n \text{ even}]\big]:"
            r"\quad A + PP^T = S",
    "lagt": r"P_n = \tfrac{1}{\sqrt2}:\quad A + PP^T = -\tfrac12 I + S",
    "fout": r"P = \sqrt2\,e:\quad A + PP^T = \Omega = S",
}


def derive(log):
    log.text(
        "S4 needs $A = cI + S - PP^T$ with $S$ skew-symmetric: $cI + S$ is normal, so it is "
        "unitarily diagonalizable, and the rank-$r$ term is handled by the Woodbury identity. "
        f"Each decomposition below is checked on the matrix *derived* by projection, N = {N}."
    )
    for measure, statement in CORRECTIONS.items():
        A, _ = derive_hippo(measure, N)
        d = hippo_nplr(measure, N)
        log.equal(f"{measure}: A = cI + S - PP^T", A,
                  d.shift * sp.eye(N) + d.skew - d.low_rank * d.low_rank.T, statement=statement)
        log.check(f"{measure}: S is skew-symmetric", (d.skew + d.skew.T).is_zero_matrix,
                  latex=r"S^T = -S")
    A, _ = derive_hippo("legt", N)
    log.check("legt: a rank-1 correction cannot do: A + A^T has rank 2",
              (A + A.T).rank() == 2,
              "A + P P^T skew needs A + A^T = -2 P P^T, whose rank is at most rank(P).",
              latex=r"\operatorname{rank}(A + A^T) = 2")


if __name__ == "__main__":
    derive(DerivationLog(TITLE))
