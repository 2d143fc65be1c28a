"""Durable execution: checkpoint stores, the value codec and the run's journal (SPEC §5.1).

```python
from liteflow.checkpoint import SqliteCheckpointer, open_checkpointer, Serde

store = open_checkpointer("sqlite:///runs.db")     # or SqliteCheckpointer("runs.db")
store.threads()                                    # ThreadInfo of every thread
```

Stores keep one append-only log of step records per thread and branch; each record holds
only what its superstep wrote (delta ops, see `fold`). This package imports `msgpack` and
`sqlite3`; `import liteflow` does not import it.
"""

from ._delta import FoldRecord, SnapshotRule, apply_writes, delta_ops, encode_ops, fold
from ._hints import classes_in_hints
from ._journal import DURABILITIES, AskedInterrupt, Journal
from ._postgres import PostgresCheckpointer
from ._protocol import Checkpointer
from ._records import (
    BRANCH_MAIN,
    CheckpointInfo,
    InterruptRecord,
    Loaded,
    NodeRun,
    PendingRecord,
    ReplayStats,
    StepRecord,
    StoredInterrupt,
    ThreadHead,
    ThreadInfo,
    ThreadSpec,
)
from ._serde import CODEC, Serde, Unrestorable, unrestorable_path
from ._sqlite import MemoryCheckpointer, SqliteCheckpointer
from ._url import open_checkpointer, redact_url

__all__ = [
    "BRANCH_MAIN",
    "CODEC",
    "DURABILITIES",
    "AskedInterrupt",
    "CheckpointInfo",
    "Checkpointer",
    "FoldRecord",
    "InterruptRecord",
    "Journal",
    "Loaded",
    "MemoryCheckpointer",
    "NodeRun",
    "PendingRecord",
    "PostgresCheckpointer",
    "ReplayStats",
    "Serde",
    "SnapshotRule",
    "SqliteCheckpointer",
    "StepRecord",
    "StoredInterrupt",
    "ThreadHead",
    "ThreadInfo",
    "ThreadSpec",
    "Unrestorable",
    "apply_writes",
    "classes_in_hints",
    "delta_ops",
    "encode_ops",
    "fold",
    "open_checkpointer",
    "redact_url",
    "unrestorable_path",
]
