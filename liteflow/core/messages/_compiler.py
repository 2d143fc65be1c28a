"""Catalog entries (see `liteflow.core.messages`)."""

from . import Msg

MESSAGES: dict[str, Msg] = {}
