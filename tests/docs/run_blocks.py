"""Runs the python blocks of documentation pages; one JSON line per block on stdout.

Usage: python run_blocks.py BLOCKS.json, where the file holds
`[{"page": ..., "prelude": code, "blocks": [{"where": ..., "code": ...}, ...]}, ...]`.
Each page gets a fresh namespace, seeded by its prelude.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import traceback
import types


def main(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        pages = json.load(f)
    results = []
    for page in pages:
        # A real module, so that type hints resolve against the page's own names.
        module = types.ModuleType(f"docs_page_{len(results)}")
        sys.modules[module.__name__] = module
        namespace = module.__dict__
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(page["prelude"], "<index quick-start>", "exec"), namespace)
        for block in page["blocks"]:
            out = io.StringIO()
            error = None
            try:
                with contextlib.redirect_stdout(out):
                    exec(compile(block["code"], block["where"], "exec"), namespace)
            except BaseException:  # report, then go on with the page's next block
                error = traceback.format_exc(limit=-3)
            results.append({"where": block["where"], "stdout": out.getvalue(), "error": error})
    json.dump(results, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1])
