"""Every malformed reply is a `ChatModelError` naming the model, the URL and the problem.

Each case is answered by a real HTTP server on 127.0.0.1 and asked four ways: `invoke`,
`ainvoke`, `stream` and `astream`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from hostile_calls import MODES, STREAMING, call, problem_of

from liteflow.components import ChatModelError, ChatOpenAI, Usage
from liteflow.core.messages import use_language
from liteflow.testing import FakeOpenAIServer, RawReply


@pytest.fixture(scope="module")
def shared() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as running:
        yield running


@pytest.fixture
def server(shared: FakeOpenAIServer) -> FakeOpenAIServer:
    # One server for the module (starting one per case costs more than the case).
    shared.reset()
    return shared


def completion(message: object = None, **extra: object) -> dict[str, object]:
    """A chat.completion body around `message` (a well-formed one by default)."""
    if message is None:
        message = {"role": "assistant", "content": "四"}
    return {"id": "c1", "object": "chat.completion", "model": "m",
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}], **extra}


def chunk(delta: object, finish: str | None = None, **extra: object) -> dict[str, object]:
    return {"id": "c1", "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}


GOOD = json.dumps(completion()).encode()
DEEP = "[" * 100_000 + "]" * 100_000

BODIES = {
    "truncated JSON": (RawReply([GOOD[: len(GOOD) // 2]]), "chat.why.truncated"),
    "body shorter than its Content-Length": (
        RawReply([GOOD[:20]], length=len(GOOD)), "chat.why.connection_lost"),
    "HTML page": (RawReply([b"<html><body>502 Bad Gateway</body></html>"],
                           content_type="text/html"), "chat.why.html"),
    "HTML page called JSON": (RawReply([b"<!DOCTYPE html><p>login</p>"]), "chat.why.html"),
    "empty body": (RawReply([b""]), "chat.why.empty"),
    "invalid UTF-8": (RawReply([GOOD[:40] + b"\xff\xfe" + GOOD[40:]]), "chat.why.not_utf8"),
    "not JSON": (RawReply([b"hello, world"]), "chat.why.not_json"),
    "a JSON array": (RawReply.json([1, 2]), "chat.why.wrong_type"),
    "no choices field": (RawReply.json({"id": "x"}), "chat.why.missing"),
    "empty choices": (RawReply.json({"choices": []}), "chat.why.no_choices"),
    "choices a string": (RawReply.json({"choices": "x"}), "chat.why.wrong_type"),
    "message missing": (RawReply.json({"choices": [{"index": 0}]}), "chat.why.missing"),
    "message null": (RawReply.json(completion(None) | {"choices": [{"message": None}]}),
                     "chat.why.missing"),
    "message a string": (RawReply.json(completion("四")), "chat.why.wrong_type"),
    "content 123": (RawReply.json(completion({"content": 123})), "chat.why.wrong_type"),
    "tool_calls an object": (RawReply.json(completion({"content": None, "tool_calls": {}})),
                             "chat.why.wrong_type"),
    "an error with status 200": (RawReply.json({"error": {"message": "余额不足"}}),
                                 "chat.why.service_error"),
    "100,000-deep JSON": (RawReply([DEEP.encode()]), "chat.why.too_deep"),
    "5,000-digit number": (RawReply([b'{"choices": [], "n": ' + b"9" * 5000 + b"}"]),
                           "chat.why.number_too_long"),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", sorted(BODIES))
def test_a_malformed_body_is_a_clear_error(server: FakeOpenAIServer, case: str,
                                           mode: str) -> None:
    reply, expected = BODIES[case]
    server.add(reply)
    llm = server.chat_model("坏服务器模型", max_retries=0, timeout=5)
    assert problem_of(llm, mode, server.base_url) == expected
    assert len(server.requests) == 1


STREAMS = {
    "a data line that is not JSON": (
        RawReply.events(chunk({"content": "四"}), "{oops"), "chat.why.bad_event"),
    "a delta that is a string": (RawReply.events(chunk("四", "stop")), "chat.why.wrong_type"),
    "content 123 in a chunk": (RawReply.events(chunk({"content": 123}, "stop")),
                               "chat.why.wrong_type"),
    "cut before finish_reason and [DONE]": (
        RawReply.events(chunk({"content": "The answer is 4"}), done=False),
        "chat.why.stream_cut"),
    "cut mid-chunk by the connection": (
        RawReply.events(chunk({"content": "The answer is 4"}), done=False, complete=False),
        "chat.why.connection_lost"),
    "an error event": (RawReply([b'event: error\ndata: {"message": "overloaded"}\n\n'],
                                content_type="text/event-stream", chunked=True),
                       "chat.why.service_error"),
    "invalid UTF-8 in a stream": (
        RawReply([b'data: {"choices": [{"delta": {"content": "\xe5\x9b"}}]}\n\n'],
                 content_type="text/event-stream", chunked=True), "chat.why.not_utf8"),
    "a stream of keep-alives that ends": (
        RawReply([b": keep-alive\n\n"] * 3, content_type="text/event-stream", chunked=True),
        "chat.why.stream_cut"),
}


@pytest.mark.parametrize("mode", STREAMING)
@pytest.mark.parametrize("case", sorted(STREAMS))
def test_a_malformed_stream_is_a_clear_error(server: FakeOpenAIServer, case: str,
                                             mode: str) -> None:
    reply, expected = STREAMS[case]
    server.add(reply)
    llm = server.chat_model("坏服务器模型", max_retries=0, timeout=5)
    assert problem_of(llm, mode, server.base_url) == expected


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("drip", ["keep-alive comments", "one byte every 0.2 s"])
def test_timeout_bounds_the_whole_call_however_the_server_drips(
    server: FakeOpenAIServer, mode: str, drip: str
) -> None:
    if drip == "keep-alive comments":
        reply = RawReply([b": keep-alive\n\n"] * 40, delay=0.2, chunked=True,
                         content_type="text/event-stream")
    else:
        body = GOOD if mode not in STREAMING else (
            b"data: " + json.dumps(chunk({"content": "四"}, "stop")).encode() + b"\n\n")
        reply = RawReply([bytes([b]) for b in body[:40]], delay=0.2, chunked=True,
                         content_type="text/event-stream" if mode in STREAMING else
                         "application/json")
    server.add(reply)
    llm = server.chat_model("慢模型", timeout=1.0, max_retries=2)
    started = time.monotonic()
    with use_language("zh"), pytest.raises(ChatModelError) as caught:
        call(llm, mode)
    elapsed = time.monotonic() - started
    assert caught.value.msg_id == "chat.timeout"
    assert 0.9 <= elapsed < 3.0, elapsed
    assert str(caught.value) == (
        f"模型 慢模型（{server.base_url}/chat/completions）没有在 1.0 秒内完成回复")
    assert len(server.requests) == 1  # the deadline also stops the SDK's retries


@pytest.mark.parametrize("mode", MODES)
def test_a_slow_first_byte_is_bounded_too(server: FakeOpenAIServer, mode: str) -> None:
    server.add(RawReply([b"", GOOD], delay=2.5))  # headers at once, then nothing for 2.5 s
    llm = server.chat_model(timeout=0.5, max_retries=0)
    started = time.monotonic()
    with pytest.raises(ChatModelError) as caught:
        call(llm, mode)
    assert caught.value.msg_id == "chat.timeout"
    assert time.monotonic() - started < 2.0


@pytest.mark.parametrize("mode", STREAMING)
def test_done_ends_the_call_even_if_the_server_keeps_the_connection(
    server: FakeOpenAIServer, mode: str
) -> None:
    events = RawReply.events(chunk({"content": "四"}), chunk({}, "stop")).pieces
    server.add(RawReply([*events, *[b": keep-alive\n\n"] * 30], delay=0.1, chunked=True,
                        content_type="text/event-stream"))
    llm = server.chat_model(timeout=10)
    started = time.monotonic()
    assert call(llm, mode).content == "四"
    assert time.monotonic() - started < 2.0


@pytest.mark.parametrize("mode", STREAMING)
def test_a_streaming_request_answered_with_plain_json_is_read(
    server: FakeOpenAIServer, mode: str
) -> None:
    usage = {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}
    server.add(RawReply.json(completion(usage=usage)))
    reply = call(server.chat_model(), mode)
    assert (reply.content, reply.usage, reply.finish_reason) == ("四", Usage(3, 1, 4), "stop")


USAGES = {
    "nulls": ({"prompt_tokens": None, "completion_tokens": None, "total_tokens": None}, None),
    "strings": ({"prompt_tokens": "many", "completion_tokens": "12", "total_tokens": "x"},
                Usage(None, 12, None)),
    "no total": ({"prompt_tokens": 5, "completion_tokens": 7}, Usage(5, 7, 12)),
    "negative and bool": ({"prompt_tokens": -1, "completion_tokens": True, "total_tokens": 3.0},
                          Usage(None, None, 3)),
    "not an object": ("lots", None),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", sorted(USAGES))
def test_usage_counts_are_ints_or_none(server: FakeOpenAIServer, case: str, mode: str) -> None:
    usage, expected = USAGES[case]
    if mode in STREAMING:
        server.add(RawReply.events(chunk({"content": "四"}, "stop"),
                                   {"id": "c1", "choices": [], "usage": usage}))
    else:
        server.add(RawReply.json(completion(usage=usage)))
    reply = call(server.chat_model(), mode)
    assert reply.usage == expected
    assert isinstance(reply.content, str) and reply.content == "四"


@pytest.mark.parametrize("mode", MODES)
def test_content_parts_are_joined_into_text(server: FakeOpenAIServer, mode: str) -> None:
    parts = [{"type": "text", "text": "二加二"}, {"type": "image"},
             {"type": "text", "text": "等于四"}]
    if mode in STREAMING:
        server.add(RawReply.events(chunk({"content": parts}, "stop")))
    else:
        server.add(RawReply.json(completion({"content": parts})))
    assert call(server.chat_model(), mode).content == "二加二等于四"


@pytest.mark.parametrize("mode", STREAMING)
def test_a_chunk_without_delta_is_empty_not_an_error(server: FakeOpenAIServer,
                                                     mode: str) -> None:
    server.add(RawReply.events(chunk({"content": "四"}),
                               {"id": "c1", "choices": [{"index": 0, "finish_reason": "stop"}]}))
    reply = call(server.chat_model(), mode)
    assert (reply.content, reply.finish_reason) == ("四", "stop")


def test_an_endless_fast_stream_is_refused_at_the_size_limit(
    server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from liteflow.components import _wire

    monkeypatch.setattr(_wire, "MAX_REPLY_BYTES", 10_000)
    piece = b"data: " + json.dumps(chunk({"content": "啊" * 100})).encode() + b"\n\n"
    server.add(RawReply([piece] * 1000, chunked=True, content_type="text/event-stream"))
    assert problem_of(server.chat_model(), "stream", server.base_url) == "chat.why.too_large"


def test_the_url_in_messages_has_no_credentials() -> None:
    llm = ChatOpenAI("m", api_key="k", base_url="https://user:secret@example.com:8443/v1?key=abc")
    assert llm._clients.url() == "https://example.com:8443/v1/chat/completions"


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_a_plain_request_answered_with_a_stream_is_read(server: FakeOpenAIServer,
                                                        mode: str) -> None:
    server.add(RawReply.events(chunk({"content": "二加二"}), chunk({"content": "等于四"}, "stop"),
                               {"id": "c1", "choices": [], "usage": {"prompt_tokens": 2,
                                                                     "completion_tokens": 3}}))
    reply = call(server.chat_model(), mode)
    assert (reply.content, reply.usage, reply.finish_reason) == ("二加二等于四", Usage(2, 3, 5),
                                                                 "stop")


@pytest.mark.parametrize("mode", MODES)
def test_an_error_page_with_a_status_is_a_short_status_error(server: FakeOpenAIServer,
                                                             mode: str) -> None:
    page = b"<html><head><title>502 Bad Gateway</title></head><body>" + b"x" * 5000 + b"</body>"
    server.add(RawReply([page], status=502, content_type="text/html"))
    with pytest.raises(ChatModelError) as caught:
        call(server.chat_model(max_retries=0), mode)
    error = caught.value
    assert (error.msg_id, error.status_code) == ("chat.status", 502)
    assert "502 Bad Gateway" in str(error) and len(str(error)) < 500
