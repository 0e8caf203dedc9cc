"""Python baselines with the standard library alone: what a careful application writes without
the SDK or third-party packages. Both sign every request with ``hmac``/``hashlib``/``base64``
exactly as ``python_requests.py`` does, and check the platform's ``code``.

- ``HttpClientClient``: one ``http.client.HTTPConnection`` kept alive (one per thread);
- ``AsyncioClient``: ``asyncio`` streams, a pool of kept-alive connections, HTTP/1.1 written and
  read by hand (``Content-Length`` answers, as the platform sends)."""

from __future__ import annotations

import asyncio
import base64
import datetime
import hashlib
import hmac
import http.client
import json
from typing import Any, Dict, List, Tuple
from urllib.parse import urlsplit

CONTENT_TYPE = "application/json; charset=utf-8"
UTC8 = datetime.timezone(datetime.timedelta(hours=8))


def signed(app_id: str, cert_id: str, secret: bytes, path: str, payload: Dict[str, Any]) -> Tuple[bytes, Dict[str, str]]:
    """The body and headers of one signed POST."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    timestamp = datetime.datetime.now(UTC8).strftime("%Y%m%d%H%M%S")
    text = "\n".join(["POST", hashlib.md5(body).hexdigest(), CONTENT_TYPE, timestamp, app_id, path])
    digest = hmac.new(secret, text.encode(), hashlib.sha256).digest()
    return body, {
        "Content-Type": CONTENT_TYPE,
        "Accept": "application/json",
        "AppID": app_id,
        "CertID": cert_id,
        "Signature": base64.b64encode(digest).decode(),
        "Timestamp": timestamp,
    }


def call_id(answer: bytes) -> str:
    result = json.loads(answer)
    if result.get("code") != "000000":
        raise RuntimeError(f"duo_callback failed: {result}")
    return str(result["data"]["callId"])


class HttpClientClient:
    def __init__(self, app_id: str, cert_id: str, secret_key: str, base_url: str) -> None:
        self.app_id, self.cert_id, self.secret = app_id, cert_id, secret_key.encode()
        url = urlsplit(base_url)
        self.prefix = url.path.rstrip("/")
        self.conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=30)

    def duo_callback(self, to1: str, to2: str, max_call_duration: int) -> str:
        path = f"{self.prefix}/v1/account/{self.cert_id}/call/duo_callback"
        body, headers = signed(self.app_id, self.cert_id, self.secret, path,
                               {"to1": to1, "to2": to2, "max_call_duration": max_call_duration})
        self.conn.request("POST", path, body, headers)
        response = self.conn.getresponse()
        answer = response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")
        return call_id(answer)


class AsyncioClient:
    def __init__(self, app_id: str, cert_id: str, secret_key: str, base_url: str) -> None:
        self.app_id, self.cert_id, self.secret = app_id, cert_id, secret_key.encode()
        url = urlsplit(base_url)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        self.prefix = url.path.rstrip("/")
        self.idle: List[Tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def duo_callback(self, to1: str, to2: str, max_call_duration: int) -> str:
        path = f"{self.prefix}/v1/account/{self.cert_id}/call/duo_callback"
        body, headers = signed(self.app_id, self.cert_id, self.secret, path,
                               {"to1": to1, "to2": to2, "max_call_duration": max_call_duration})
        head = f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in headers.items()) + f"Content-Length: {len(body)}\r\n\r\n"
        reader, writer = self.idle.pop() if self.idle else await asyncio.open_connection(self.host, self.port)
        writer.write(head.encode() + body)
        raw = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
        lines = raw.decode("latin-1").split("\r\n")
        if not lines[0].startswith("HTTP/1.1 200"):
            writer.close()
            raise RuntimeError(lines[0])
        length = next(int(v) for k, _, v in (l.partition(":") for l in lines[1:]) if k.lower() == "content-length")
        answer = await asyncio.wait_for(reader.readexactly(length), 30)
        self.idle.append((reader, writer))
        return call_id(answer)

    async def close(self) -> None:
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()
