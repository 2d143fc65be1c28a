"""The compiler's diagnostics (defined in `liteflow.core.diagnostics`).

Kept as an import path because tools outside the package import `collect_mode` from here.
"""

from ..core.diagnostics import CODES, Diagnostic, Phrase, Severity, collect_mode, collecting

__all__ = ["CODES", "Diagnostic", "Phrase", "Severity", "collect_mode", "collecting"]
