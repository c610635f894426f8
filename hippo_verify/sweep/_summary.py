"""What the Markdown summary and the figures read from a sweep document (no matplotlib)."""

from __future__ import annotations

__all__ = ["EXACT_DIGITS", "FIGURES", "digits_of", "rows_of", "worst_digits"]

#: Where an exact result (error 0) is drawn on a digits axis.
EXACT_DIGITS = 17.0
#: file name -> caption (the Markdown summary shows them under each figure).
FIGURES = {
    "digits_vs_L.png": "Correct digits (-log10 of the max relative error against the "
    "certified oracle) against the length L, one panel per algorithm, one colour per "
    "dtype; dashed: the digits the error model requires (-log10 of its bound). Other "
    "parameters at the grid's base point; exact results are drawn at 17 digits, refused "
    "or raising points as x at 0.",
    "digits_vs_margin.png": "Correct digits against the stability margin k (every pole of "
    "the system at radius 1 - 10^-k; nominal, before the inputs are rounded), for the "
    "families that have poles; dashed: the digits the model requires.",
    "digits_vs_N.png": "Correct digits against the state size N (modes, polynomial degree "
    "or taps by family); dashed: the digits the model requires.",
    "digits_vs_dt.png": "Correct digits against the step dt (for the selective scans, the "
    "centre of the log-uniform step range [dt/10, 10 dt]); dashed: the digits the model "
    "requires.",
    "error_vs_bound.png": "Left: every measured point, error / u against the error model's "
    "bound / u (u: unit roundoff of the output dtype); on the diagonal error = bound, "
    "above it a point fails. Right: how loose the model is, the distribution of "
    "log10(bound / error) per dtype (0 = tight; exact results left out).",
    "worst_digits.png": "Worst correct digits over the whole grid, per algorithm and "
    "dtype (17 = exact everywhere; a cell marked FAIL has a point outside its bound; "
    "blank: not measured).",
}


def rows_of(document: dict) -> list[dict]:
    rows = []
    for point in document["points"]:
        for row in point["rows"]:
            rows.append({**row, "algorithm": point["algorithm"], "params": point["params"]})
    return rows


def digits_of(row: dict) -> float | None:
    if row["status"] in ("refused", "error", "oracle-error") or row.get("nonfinite_taps"):
        return None
    return EXACT_DIGITS if row.get("digits") is None else row["digits"]


def worst_digits(document: dict) -> dict[str, dict[str, tuple[float | None, bool]]]:
    """algorithm -> dtype -> (worst digits over the grid or None, whether a point FAILs)."""
    table: dict[str, dict[str, tuple[float | None, bool]]] = {}
    for row in rows_of(document):
        cell = table.setdefault(row["algorithm"], {}).get(row["dtype"], (None, False))
        digits = digits_of(row)
        worst = cell[0] if digits is None else digits if cell[0] is None else min(cell[0], digits)
        table[row["algorithm"]][row["dtype"]] = (worst, cell[1] or row["status"] == "FAIL")
    return table
