"""LF100: the return annotation is a plain dict, not a TypedDict; the node is reported even
though no flow uses it."""
from liteflow import node


@node
def 计数(text: str) -> dict[str, int]:  # expect: LF100
    return {"n": len(text)}
