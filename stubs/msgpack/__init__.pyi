# Typing for the part of msgpack's public API liteflow uses (msgpack ships no annotations).
from collections.abc import Callable
from typing import Any, NamedTuple

version: tuple[int, int, int]

class ExtType(NamedTuple):
    code: int
    data: bytes

class UnpackException(Exception): ...
class ExtraData(ValueError): ...

def packb(
    o: Any,
    *,
    default: Callable[[Any], Any] | None = ...,
    use_single_float: bool = ...,
    use_bin_type: bool = ...,
    strict_types: bool = ...,
    datetime: bool = ...,
    unicode_errors: str | None = ...,
) -> bytes: ...
def unpackb(
    packed: bytes,
    *,
    raw: bool = ...,
    use_list: bool = ...,
    strict_map_key: bool = ...,
    ext_hook: Callable[[int, bytes], Any] = ...,
    timestamp: int = ...,
    object_hook: Callable[[dict[Any, Any]], Any] | None = ...,
    max_buffer_size: int = ...,
) -> Any: ...
