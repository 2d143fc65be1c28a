"""Shared test settings."""

import os

from browser import chromium  # noqa: F401  (the shared Chromium fixture, see tests/browser.py)

# Messages default to English in tests unless a test chooses a language.
os.environ.setdefault("LITEFLOW_LANG", "en")
