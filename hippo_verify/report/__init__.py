"""Report layer: precision reports, derivation pages and convention tables."""

from ._build import PRECISION_MODES as PRECISION_MODES
from ._build import build_report as build_report
from ._conventions_table import render_conventions as render_conventions
from ._derivations import find_derivations as find_derivations
from ._derivations import run_derivation as run_derivation
from ._markdown import render_steps as render_steps
from ._precision import build_precision_report as build_precision_report
from ._precision import precision_failures as precision_failures
