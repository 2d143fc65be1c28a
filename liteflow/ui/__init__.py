"""`liteflow ui`: a local web page that shows flows, runs and checkpoints live (SPEC §5.5).

```python
from liteflow.ui import UIServer

server = UIServer("flows.py", checkpointer="sqlite:///runs.db").start()
print(server.url)
...
server.stop()
```

Everything the page needs (scripts, styles) is served by the package itself: it works
with no network and makes no request to any other host.
"""

from ._server import UIServer

__all__ = ["UIServer"]
