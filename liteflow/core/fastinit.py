"""A faster `__init__` for frozen, slotted dataclasses.

On Python 3.11 a frozen dataclass sets each field with `object.__setattr__`, looked up
anew per field; plans and specs are built by the thousand, and for a 20-field value
that is most of the cost. `fast_init` swaps in an `__init__` with the same signature and
defaults that stores each field through its slot descriptor: about three times faster,
and the instance stays exactly as frozen.

For wide classes even that is slow (a descriptor call per field). They get a `__new__`
instead, which makes the instance as an open twin class with the same slots, stores the
fields with plain attribute assignments (the interpreter's fastest store), and switches
it to the frozen class: one switch costs about as much as three descriptor calls. Such
classes pickle and copy through their constructor (`__reduce__`).
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

__all__ = ["fast_init"]

T = TypeVar("T")


_WIDE = 7


def fast_init(cls: type[T]) -> type[T]:
    """Give a frozen, slotted dataclass a faster constructor (same signature and defaults)."""
    all_fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    wide = len(all_fields) >= _WIDE
    namespace: dict[str, Any] = {"_FACTORY": object(), "_switch": object.__setattr__,
                                 "_new": object.__new__}
    params: list[str] = []
    body: list[str] = []
    if wide:
        slots = cls.__dict__["__slots__"]
        namespace["_OPEN"] = type(f"_Open{cls.__name__}", (), {"__slots__": slots})
        body.append("self = _new(_OPEN)")
    for f in all_fields:
        if wide:
            setter = f"self.{f.name} = "
        else:
            setter = f"_set_{f.name}"
            namespace[setter] = getattr(cls, f.name).__set__
        has_default = f.default is not dataclasses.MISSING
        has_factory = f.default_factory is not dataclasses.MISSING
        if has_default:
            namespace[f"_default_{f.name}"] = f.default
        if has_factory:
            namespace[f"_make_{f.name}"] = f.default_factory
        if not f.init:
            if has_default:
                body.append(_store(setter, f"_default_{f.name}"))
            elif has_factory:
                body.append(_store(setter, f"_make_{f.name}()"))
            continue
        if f.kw_only:
            raise TypeError(f"{cls.__name__}.{f.name}: keyword-only fields are not supported")
        if has_default:
            params.append(f"{f.name}=_default_{f.name}")
        elif has_factory:
            params.append(f"{f.name}=_FACTORY")
            body.append(f"if {f.name} is _FACTORY: {f.name} = _make_{f.name}()")
        else:
            params.append(f.name)
        body.append(_store(setter, f.name))
    if wide:
        # To the class called, not the decorated one: a subclass stays itself (one that
        # adds slots has another layout, and the switch refuses it loudly).
        body.append("_switch(self, '__class__', _cls_)")
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    if wide:
        body.append("return self")
        source = f"def __new__(_cls_, {', '.join(params)}):\n"
    else:
        source = f"def __init__(self, {', '.join(params)}):\n"
    source += "".join(f"    {line}\n" for line in body or ["pass"])
    exec(source, namespace)  # our own field names only, as dataclasses itself does
    made = namespace["__new__" if wide else "__init__"]
    made.__qualname__ = f"{cls.__qualname__}.{made.__name__}"
    made.__module__ = cls.__module__
    if not wide:
        cls.__init__ = made  # type: ignore[method-assign]
        return cls
    cls.__new__ = staticmethod(made)  # type: ignore[method-assign]
    del cls.__init__  # object's, which accepts what __new__ took
    if "__reduce__" not in cls.__dict__:
        names = tuple(f.name for f in all_fields if f.init)
        cls.__reduce__ = lambda self: (type(self), tuple(  # type: ignore[method-assign]
            getattr(self, name) for name in names))
    return cls


def _store(setter: str, value: str) -> str:
    return f"{setter}{value}" if setter.startswith("self.") else f"{setter}(self, {value})"
