"""Properties of the reply readers: however the bytes are split the chunks are the same,
and no input raises anything but `ChatModelError`.

`LITEFLOW_WIRE_EXAMPLES` sets the number of examples (default 100).
"""

from __future__ import annotations

import json
import os

from hypothesis import given, settings
from hypothesis import strategies as st

from liteflow.components import ChatModelError, merge_chunks
from liteflow.components._wire import Source, StreamReader, read_completion

EXAMPLES = int(os.environ.get("LITEFLOW_WIRE_EXAMPLES", "100"))
SOURCE = Source("模型", "http://127.0.0.1:1/v1/chat/completions")

texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
line_ends = st.sampled_from(["\n", "\r\n", "\r"])


def events(pieces: list[str], end: str) -> bytes:
    lines = [
        "data: " + json.dumps({"choices": [{"index": 0, "delta": {"content": piece}}]},
                              ensure_ascii=False)
        for piece in pieces
    ]
    lines.append("data: " + json.dumps({"choices": [
        {"index": 0, "delta": {}, "finish_reason": "stop"}]}))
    lines.append("data: [DONE]")
    return "".join(line + end + end for line in lines).encode()


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(texts, max_size=8), line_ends, st.data())
def test_any_split_of_a_stream_gives_the_same_message(
    pieces: list[str], end: str, data: st.DataObject
) -> None:
    body = events(pieces, end)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(body)), max_size=10)))
    reader = StreamReader(SOURCE)
    chunks = []
    for start, stop in zip([0, *cuts], [*cuts, len(body)], strict=True):
        chunks += reader.feed(body[start:stop])
    chunks += reader.finish()
    message = merge_chunks(chunks)
    assert message.content == "".join(pieces)
    assert message.finish_reason == "stop" and reader.done


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["choices", "message", "delta", "content", "tool_calls", "function",
                         "arguments", "name", "usage", "error", "finish_reason", "id"]),
        inner, max_size=5),
    max_leaves=20,
)


@settings(max_examples=EXAMPLES, deadline=None)
@given(json_values)
def test_any_json_reply_parses_or_is_a_chat_model_error(value: object) -> None:
    for body in (json.dumps(value).encode(), json.dumps(value).encode()[:-1]):
        try:
            message = read_completion(SOURCE, body, "application/json")
        except ChatModelError as error:
            assert error.msg_id == "chat.bad_reply"
            continue
        assert isinstance(message.content, str)
        for count in (message.usage.prompt_tokens, message.usage.total_tokens) \
                if message.usage else ():
            assert count is None or (type(count) is int and count >= 0)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.binary(max_size=40) | json_values.map(
    lambda v: b"data: " + json.dumps(v).encode() + b"\n\n"), max_size=6))
def test_any_bytes_in_a_stream_give_chunks_or_a_chat_model_error(pieces: list[bytes]) -> None:
    reader = StreamReader(SOURCE)
    try:
        for piece in pieces:
            for chunk in reader.feed(piece):
                assert isinstance(chunk.content, str) and isinstance(chunk.reasoning, str)
        reader.finish()
    except ChatModelError as error:
        assert error.msg_id == "chat.bad_reply"
