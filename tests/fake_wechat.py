"""A fake WeChat API server on 127.0.0.1 for the outbound side (menu, messages, tokens).

It issues access tokens like WeChat does (a new token invalidates the previous one),
checks the token on every API call, records what it receives, and can be told to fail.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


@dataclass
class FakeWeChat:
    appid: str
    secret: str
    base_url: str = ""
    tokens_issued: int = 0
    current_token: str = ""
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # Error codes to answer the next API calls with, one per call (e.g. 40001, 45015).
    fail_next: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/cgi-bin/"

    def issue_token(self, query: dict[str, str]) -> dict[str, Any]:
        if (query.get("appid"), query.get("secret")) != (self.appid, self.secret):
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        with self.lock:
            self.tokens_issued += 1
            self.current_token = f"ACCESS_TOKEN_{self.tokens_issued}"
        return {"access_token": self.current_token, "expires_in": 7200}

    def api_call(self, path: str, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        if query.get("access_token") != self.current_token or not self.current_token:
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"}
        with self.lock:
            if self.fail_next:
                code = self.fail_next.pop(0)
                return {"errcode": code, "errmsg": f"scripted failure {code}"}
            self.calls.append((path, body))
        return {"errcode": 0, "errmsg": "ok"}


def _handler(fake: FakeWeChat) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, payload: dict[str, Any]) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _query(self) -> dict[str, str]:
            return {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}

        def do_GET(self) -> None:
            path = urlparse(self.path).path
            if path == "/cgi-bin/token":
                self._answer(fake.issue_token(self._query()))
            else:
                self._answer(fake.api_call(path, self._query(), {}))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw.decode("utf-8")) if raw else {}
            except (UnicodeDecodeError, json.JSONDecodeError):
                self._answer({"errcode": 47001, "errmsg": "data format error"})
                return
            self._answer(fake.api_call(urlparse(self.path).path, self._query(), body))

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def fake_wechat(appid: str = "wxfakeappid", secret: str = "fake-secret") -> Iterator[FakeWeChat]:
    fake = FakeWeChat(appid=appid, secret=secret)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
