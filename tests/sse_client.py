"""A small SSE client over http.client for tests: timestamps every event it reads."""

import http.client
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Event:
    event: str
    data: str
    id: str | None
    at: float  # time.monotonic() when the event was complete

    def json(self) -> Any:
        return json.loads(self.data)


def parse_events(lines: Iterator[bytes]) -> Iterator[Event | str]:
    """Yield events, and comments as plain strings, from SSE lines."""
    event, data, event_id = "message", [], None
    for raw in lines:
        line = raw.decode("utf-8").rstrip("\r\n")
        if line == "":
            if data:
                yield Event(event, "\n".join(data), event_id, time.monotonic())
            event, data, event_id = "message", [], None
        elif line.startswith(":"):
            yield line
        else:
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                event = value
            elif name == "data":
                data.append(value)
            elif name == "id":
                event_id = value


@dataclass
class Stream:
    status: int
    headers: dict[str, str]
    events: list[Event] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    body: bytes = b""

    def deltas(self) -> list[Event]:
        return [e for e in self.events if e.event == "delta"]

    def text(self) -> str:
        return "".join(e.json()["text"] for e in self.deltas())

    def terminal(self) -> Event:
        return self.events[-1]

    def consume(self, lines: Iterator[bytes], max_events: int | None = None) -> None:
        """Parse SSE lines into events and comments; stop after `max_events` events."""
        for item in parse_events(lines):
            if isinstance(item, str):
                self.comments.append(item)
                continue
            self.events.append(item)
            if max_events is not None and len(self.events) >= max_events:
                return


def open_stream(
    base_url: str,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
    source_address: tuple[str, int] | None = None,
):
    """Send a request; return (connection, response) with the body unread.

    `source_address` (e.g. ("127.0.0.2", 0)) makes the request come from another
    loopback address: another client, as a proxy or rate limit sees it."""
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=timeout, source_address=source_address
    )
    payload = json.dumps(body).encode() if body is not None else None
    all_headers = {"Accept": "text/event-stream"}
    if payload is not None:
        all_headers["Content-Type"] = "application/json"
    all_headers.update(headers or {})
    conn.request(method, path, body=payload, headers=all_headers)
    return conn, conn.getresponse()


def read_stream(
    base_url: str,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    max_events: int | None = None,
    timeout: float = 30,
    source_address: tuple[str, int] | None = None,
) -> Stream:
    """Read a whole event stream (or its first `max_events` events, then hang up)."""
    conn, response = open_stream(base_url, method, path, body, headers, timeout, source_address)
    stream = Stream(response.status, {k.lower(): v for k, v in response.getheaders()})
    try:
        if not stream.headers.get("content-type", "").startswith("text/event-stream"):
            stream.body = response.read()
            return stream
        stream.consume(iter(response.readline, b""), max_events)
    finally:
        conn.close()
    return stream


def stream_from_response(response) -> Stream:
    """Parse a Flask test client response into a Stream (reads it to the end)."""
    stream = Stream(response.status_code, {k.lower(): v for k, v in response.headers.items()})
    stream.body = response.get_data()
    stream.consume(iter(stream.body.splitlines(keepends=True)))
    return stream
