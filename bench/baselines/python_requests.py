"""The Python baseline: what an application does without the SDK. It signs every request with
``hmac``/``hashlib``/``base64`` from the standard library and sends it with one
``requests.Session`` (so connections are kept alive), checking the platform's ``code`` the way
the platform's own samples do."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
from typing import Any, Dict

import requests

CONTENT_TYPE = "application/json; charset=utf-8"
UTC8 = datetime.timezone(datetime.timedelta(hours=8))


class RequestsClient:
    def __init__(self, app_id: str, cert_id: str, secret_key: str, base_url: str) -> None:
        self.app_id = app_id
        self.cert_id = cert_id
        self.secret_key = secret_key.encode()
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()

    def _post(self, operation: str, payload: Dict[str, Any]) -> Dict[str, Any]:
        path = f"/v1/account/{self.cert_id}/{operation}"
        body = json.dumps(payload, separators=(",", ":")).encode()
        timestamp = datetime.datetime.now(UTC8).strftime("%Y%m%d%H%M%S")
        text = "\n".join(
            ["POST", hashlib.md5(body).hexdigest(), CONTENT_TYPE, timestamp, self.app_id, path]
        )
        digest = hmac.new(self.secret_key, text.encode(), hashlib.sha256).digest()
        response = self.session.post(
            self.base_url + path,
            data=body,
            headers={
                "Content-Type": CONTENT_TYPE,
                "Accept": "application/json",
                "AppID": self.app_id,
                "CertID": self.cert_id,
                "Signature": base64.b64encode(digest).decode(),
                "Timestamp": timestamp,
            },
            timeout=30,
        )
        response.raise_for_status()
        result: Dict[str, Any] = response.json()
        if result.get("code") != "000000":
            raise RuntimeError(f"{operation} failed: {result}")
        data: Dict[str, Any] = result["data"]
        return data

    def duo_callback(self, to1: str, to2: str, max_call_duration: int) -> str:
        data = self._post(
            "call/duo_callback", {"to1": to1, "to2": to2, "max_call_duration": max_call_duration}
        )
        return str(data["callId"])
