"""Fenced code blocks of the documentation pages, and how each one is tested.

Every block is tested as it is shown (tests/docs/test_code_blocks.py):

- `python` blocks of one page run in order in one namespace, after the quick-start of the index
  page (`写作流程`, `写作`, `评审员`, `改进`, `草稿`, `评审` and its imports), which the pages
  build on;
- `bash`/`sh` lines run in a folder holding the quick-start as `写作.py` (and `writing.py`) and a
  copy of `examples/`; each must exit 0 (or the status in a trailing `# exit N`). Install lines
  only have their extras checked (tests/packaging installs for real), benchmark lines their
  script's existence, and README's `pytest` line is what .ci/run runs;
- `text`/`json` blocks are output: after a block marked `check` they must match what
  `liteflow check` prints, otherwise they illustrate and are not compared; `yaml` blocks show
  configuration and are not run.

An HTML comment on the line before a block (invisible on the site) changes that:

- `<!-- test: check -->`      a module with a mistake: `liteflow check` it (quick-start prepended)
                              and compare its report with the `text` block after it;
- `<!-- test: typecheck -->`  mypy --strict instead of running (the block needs a real service,
                              such as an OpenAI key);
- `<!-- test: run+typecheck -->`  both: run with the page, and pass mypy --strict on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w-]*)\s*$")
DIRECTIVE = re.compile(r"^<!-- test: (?P<mode>[\w+-]+) -->$")
MODES = frozenset({"run", "check", "typecheck", "run+typecheck"})
RUN = frozenset({"run", "run+typecheck"})
TYPECHECK = frozenset({"typecheck", "run+typecheck"})
LANGS = frozenset({"python", "bash", "sh", "text", "json", "yaml"})


@dataclass(frozen=True)
class Block:
    page: Path
    line: int  # 1-based line of the opening fence
    lang: str
    mode: str
    code: str

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


def blocks(page: Path) -> list[Block]:
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m is None:
            i += 1
            continue
        indent = len(m["indent"])
        end = i + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        body = "\n".join(line[indent:] for line in lines[i + 1:end]) + "\n"
        prev = lines[i - 1].strip() if i else ""
        d = DIRECTIVE.match(prev)
        found.append(Block(page, i + 1, m["lang"], d["mode"] if d else "run", body))
        i = end + 1
    return found
