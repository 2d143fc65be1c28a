"""The page is offline by construction: vendored scripts match `vendor.lock` (written by
`scripts/vendor-js.sh` from the npm registry), their licenses ship beside them, and the
page's own files reference no other host."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "liteflow" / "ui" / "static"
VENDOR = STATIC / "vendor"


def _lock() -> list[tuple[str, str, str]]:
    rows = []
    for line in (VENDOR / "vendor.lock").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            package, name, digest = line.split()
            rows.append((package, name, digest))
    return rows


def test_vendored_files_match_their_pinned_hashes() -> None:
    rows = _lock()
    assert {name for _p, name, _d in rows} == {p.name for p in VENDOR.iterdir()} - {
        "vendor.lock"}
    for package, name, digest in rows:
        actual = hashlib.sha256((VENDOR / name).read_bytes()).hexdigest()
        assert actual == digest, f"{name} of {package} changed: run scripts/vendor-js.sh"


def test_each_vendored_package_ships_its_mit_license() -> None:
    packages = {package.rpartition("@")[0] for package, _n, _d in _lock()}
    assert packages == {"cytoscape", "cytoscape-dagre", "@dagrejs/dagre", "@dagrejs/graphlib"}
    for license_file in VENDOR.glob("LICENSE.*.txt"):
        text = license_file.read_text(encoding="utf-8")
        assert "Permission is hereby granted, free of charge" in text, license_file.name


def test_the_pages_own_files_name_no_other_host() -> None:
    for name in ("index.html", "app.js", "app.css"):
        text = (STATIC / name).read_text(encoding="utf-8")
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I), name
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    for ref in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert ref.startswith(("/static/", "?", "data:")), ref
