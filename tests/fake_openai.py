"""A fake OpenAI-compatible server for tests: real HTTP, real chunk format, faults.

    with FakeOpenAI() as fake:                  # serves http://127.0.0.1:<port>/v1
        fake.configure(text="Hi", chunk_chars=1)
        fake.enqueue(Fault(status=500), Fault(drop_after=3))   # the next two requests
        fake.configure(text_for=lambda body: ...)  # each request's own text
        ...
        fake.requests[-1].body["messages"]

`POST /v1/audio/transcriptions` parses the multipart upload (the request's
`body` is a `ReceivedUpload`) and answers the configured `transcript`, with
`transcript_words` as word timestamps (`(word, start, end)` each) when the
request asks for `verbose_json` and they are set, or the next queued `Fault`
(`malformed_after` set: a body that is not JSON).

`POST /v1/chat/completions` streams `chat.completion.chunk` frames as OpenAI
does (a role chunk, content chunks of `chunk_chars` characters, a chunk with
`finish_reason`, a usage chunk with no choices when `stream_options.include_usage`
is set, then `data: [DONE]`), or answers one `chat.completion` when
`stream` is false. `GET /v1/models` lists `models` (a 404, as on servers
without the route, when it is None). With `api_key` set, a request whose bearer
is another key is refused with 401, as OpenAI does. Each request takes the next
queued `Fault`, else the defaults. With `text_for` set, a request's text is
`text_for(body)` (unless its fault gives one), so a test can derive what each
request was sent: `with_assessment(prose, block)` answers the prose, then the
block between the markers the request's prompt named.
"""

import io
import json
import re
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from werkzeug.formparser import parse_form_data

DEFAULT_TEXT = (
    "Solid answer with a clear example.\n\n"
    "**Strengths**\n- You described the situation and your own actions.\n"
    "- The result is concrete.\n\n"
    "**Improvements**\n- Quantify the outcome.\n- Say what you learned.\n\n"
    "**A stronger answer**\nStart with the context in one sentence, then the actions, "
    "then the measurable result.\n\nScore: 7/10"
)


_NONCE = re.compile(r"\[\[ASSESSMENT ([0-9a-f]+)\]\]")


def request_nonce(body: Any) -> str:
    """The nonce of the assessment markers the request's system message names."""
    return _NONCE.search(body["messages"][0]["content"])[1]


def with_assessment(prose: str, block: Any, separator: str = "\n\n") -> Callable[[Any], str]:
    """A `text_for` that writes `prose`, then `block` (JSON unless a string) as the prompt asks."""
    text = block if isinstance(block, str) else json.dumps(block, ensure_ascii=False)

    def text_for(body: Any) -> str:
        nonce = request_nonce(body)
        return f"{prose}{separator}[[ASSESSMENT {nonce}]]\n{text}\n[[/ASSESSMENT {nonce}]]"

    return text_for


@dataclass(frozen=True)
class Fault:
    """How one request is answered; unset fields take the server's defaults.

    status: answer this HTTP error (OpenAI-shaped body) instead of a stream.
    retry_after: the Retry-After header of that error.
    drop_after: close the connection after N content chunks, mid-body.
    hang_after: after N content chunks send nothing more until released or stopped.
    malformed_after: after N content chunks send `data: {not json`.
    """

    status: int | None = None
    retry_after: int | None = None
    drop_after: int | None = None
    hang_after: int | None = None
    malformed_after: int | None = None
    text: str | None = None
    finish_reason: str | None = None
    first_token_delay_s: float | None = None
    chunk_delay_s: float | None = None


@dataclass
class Settings:
    text: str = DEFAULT_TEXT
    chunk_chars: int = 4
    chunk_delay_s: float = 0.0
    first_token_delay_s: float = 0.0
    finish_reason: str = "stop"
    empty_chunks: bool = False
    text_for: Callable[[Any], str] | None = None
    models: tuple[str, ...] | None = ("gpt-3.5-turbo",)
    api_key: str | None = None

    transcript: str = "Umm, I led the migration of our billing system."
    transcript_words: list[tuple[str, float, float]] | None = None
    transcript_language: str = "english"


@dataclass
class ReceivedUpload:
    """A multipart request to the audio endpoint: its fields and its one file."""

    fields: dict[str, list[str]]
    filename: str | None
    content_type: str | None
    audio: bytes


@dataclass
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Stats:
    streams_open: int = 0
    streams_completed: int = 0
    streams_aborted_by_client: int = 0
    faults_served: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **changes: int) -> None:
        with self.lock:
            for name, change in changes.items():
                setattr(self, name, getattr(self, name) + change)


class _ClientLeft(Exception):
    pass


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def handle_error(self, request, client_address) -> None:
        pass  # a client that vanished (a killed worker) is part of the tests


class FakeOpenAI:
    def __init__(self, prefix: str = "/v1", tls: ssl.SSLContext | None = None) -> None:
        self.prefix = prefix.rstrip("/")
        self.tls = tls  # a server context: speak HTTPS
        self.settings = Settings()
        self.requests: list[ReceivedRequest] = []
        self.stats = Stats()
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------
    def start(self) -> "FakeOpenAI":
        self._server = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        if self.tls is not None:
            self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self) -> "FakeOpenAI":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}{self.prefix}"

    # -- behaviour -------------------------------------------------------------
    def configure(self, **settings: Any) -> None:
        """Change the defaults (text, chunk_chars, chunk_delay_s, first_token_delay_s, ...)."""
        self.settings = replace(self.settings, **settings)

    def enqueue(self, *faults: Fault) -> None:
        """Answer the next requests with these faults, in order."""
        with self._lock:
            self._faults.extend(faults)

    def reset(self) -> None:
        """Restore the defaults, forget queued faults and received requests, free hangs."""
        self._release.set()
        with self._lock:
            self._faults.clear()
            self.requests.clear()
        self.settings = Settings()
        self._release = threading.Event()

    def release_hangs(self) -> None:
        self._release.set()

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self.requests)} of {count} requests arrived")
            time.sleep(0.01)

    def _next_fault(self) -> Fault:
        with self._lock:
            if not self._faults:
                return Fault()
            fault = self._faults.pop(0)
        self.stats.add(faults_served=1)
        return fault


def _chunk(completion_id: str, model: str, delta: Any, finish: str | None = None) -> dict:
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": "fp_fake",
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
    }


def _handler_for(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            self._record(None)
            if self._key_refused():
                return
            models = fake.settings.models
            if self.path == f"{fake.prefix}/models" and models is not None:
                listed = [
                    {"id": model, "object": "model", "created": 0, "owned_by": "fake"}
                    for model in models
                ]
                self._send_json(200, {"object": "list", "data": listed})
            else:
                self._send_error(404, f"not found: GET {self.path}")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if self.path == f"{fake.prefix}/audio/transcriptions":
                self._transcribe(raw)
                return
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                self._record(raw)
                self._send_error(400, "invalid JSON body")
                return
            self._record(body)
            if self._key_refused():
                return
            if self.path != f"{fake.prefix}/chat/completions":
                self._send_error(404, f"not found: POST {self.path}")
                return
            fault = fake._next_fault()
            if fault.status:
                headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
                message = "injected failure"
                if fault.status == 401:  # as OpenAI does, name the key that was refused
                    message = f"Incorrect API key provided: {self.headers.get('Authorization')}"
                self._send_error(fault.status, message, headers)
                return
            settings = fake.settings
            if fault.text is not None:
                text = fault.text
            elif settings.text_for is not None:
                text = settings.text_for(body)
            else:
                text = settings.text
            model = body.get("model") or "gpt-3.5-turbo"
            completion_id = f"chatcmpl-fake{len(fake.requests)}"
            if not body.get("stream"):
                self._complete(completion_id, model, text, settings, fault)
                return
            fake.stats.add(streams_open=1)
            try:
                self._stream(completion_id, model, text, settings, fault, body)
                fake.stats.add(streams_completed=1)
            except _ClientLeft:
                fake.stats.add(streams_aborted_by_client=1)
                self.close_connection = True
            finally:
                fake.stats.add(streams_open=-1)

        def _key_refused(self) -> bool:
            """Answer 401 when a key is required and the request's bearer is another."""
            api_key = fake.settings.api_key
            if api_key is None or self.headers.get("Authorization") == f"Bearer {api_key}":
                return False
            self._send_error(401, "Incorrect API key provided")
            return True

        def _transcribe(self, raw: bytes) -> None:
            _, form, files = parse_form_data(
                {
                    "wsgi.input": io.BytesIO(raw),
                    "CONTENT_LENGTH": str(len(raw)),
                    "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                    "REQUEST_METHOD": "POST",
                }
            )
            upload = files.get("file")
            self._record(
                ReceivedUpload(
                    fields=form.to_dict(flat=False),
                    filename=upload.filename if upload else None,
                    content_type=upload.content_type if upload else None,
                    audio=upload.read() if upload else b"",
                )
            )
            for stream in files.values():
                stream.close()
            if self._key_refused():
                return
            fault = fake._next_fault()
            if fault.status:
                self._send_error(fault.status, "injected failure")
                return
            if fault.malformed_after is not None:
                self._send_text(200, "application/json", "{not json")
                return
            time.sleep(fault.first_token_delay_s or fake.settings.first_token_delay_s)
            settings = fake.settings
            text = fault.text if fault.text is not None else settings.transcript
            if form.get("response_format") != "verbose_json":
                self._send_json(200, {"text": text})
                return
            answer = {"task": "transcribe", "language": settings.transcript_language, "text": text}
            words = settings.transcript_words or ()
            answer["duration"] = max((end for _, _, end in words), default=0)
            if settings.transcript_words is not None:
                answer["words"] = [
                    {"word": word, "start": start, "end": end}
                    for word, start, end in settings.transcript_words
                ]
            self._send_json(200, answer)

        def _record(self, body: Any) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            with fake._lock:
                fake.requests.append(ReceivedRequest(self.command, self.path, headers, body))

        def _send_json(self, status: int, payload: Any, headers: dict | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _send_text(self, status: int, content_type: str, text: str) -> None:
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _send_error(self, status: int, message: str, headers: dict | None = None) -> None:
            error = {"message": message, "type": "fake_error", "param": None, "code": str(status)}
            self._send_json(status, {"error": error}, headers)

        def _complete(self, completion_id, model, text, settings, fault) -> None:
            time.sleep(fault.first_token_delay_s or settings.first_token_delay_s)
            pieces = max(1, len(text) // settings.chunk_chars)
            self._send_json(
                200,
                {
                    "id": completion_id,
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": model,
                    "system_fingerprint": "fp_fake",
                    "choices": [
                        {
                            "index": 0,
                            "logprobs": None,
                            "finish_reason": fault.finish_reason or settings.finish_reason,
                            "message": {"role": "assistant", "content": text, "refusal": None},
                        }
                    ],
                    "usage": {
                        "prompt_tokens": 50,
                        "completion_tokens": pieces,
                        "total_tokens": 50 + pieces,
                    },
                },
            )

        def _write(self, data: bytes) -> None:
            try:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.flush()
            except OSError as exc:
                raise _ClientLeft from exc

        def _frame(self, payload: Any) -> None:
            self._write(b"data: " + json.dumps(payload, ensure_ascii=False).encode() + b"\n\n")

        def _stream(self, completion_id, model, text, settings, fault, body) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            self._frame(
                _chunk(completion_id, model, {"role": "assistant", "content": "", "refusal": None})
            )
            time.sleep(fault.first_token_delay_s or settings.first_token_delay_s)
            step = settings.chunk_chars
            pieces = [text[i : i + step] for i in range(0, len(text), step)]
            for sent, piece in enumerate(pieces):
                if sent == fault.drop_after:
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if sent == fault.hang_after:
                    fake._release.wait()
                    self.close_connection = True
                    return
                if sent == fault.malformed_after:
                    self._write(b"data: {not json\n\n")
                chunk_delay_s = fault.chunk_delay_s or settings.chunk_delay_s
                if sent and chunk_delay_s:
                    time.sleep(chunk_delay_s)
                self._frame(_chunk(completion_id, model, {"content": piece}))
                if settings.empty_chunks:
                    self._frame(_chunk(completion_id, model, {"content": None}))
            finish = fault.finish_reason or settings.finish_reason
            self._frame(_chunk(completion_id, model, {}, finish))
            if (body.get("stream_options") or {}).get("include_usage"):
                usage = {
                    "prompt_tokens": 50,
                    "completion_tokens": len(pieces),
                    "total_tokens": 50 + len(pieces),
                }
                self._frame({**_chunk(completion_id, model, None), "choices": [], "usage": usage})
            self._write(b"data: [DONE]\n\n")
            self._write(b"")  # the last chunk of the chunked body

    return Handler
