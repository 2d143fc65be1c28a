"""Shared test settings."""

import os

# Messages default to English in tests unless a test chooses a language.
os.environ.setdefault("LITEFLOW_LANG", "en")
