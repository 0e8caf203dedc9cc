#!/usr/bin/env python3
"""A small HTTP front for PHP-FPM, for the tests: each HTTP request becomes one FastCGI request
(the responder role) to FPM, the way a web server in front of FPM passes it, and FPM's answer
(CGI headers, Status, body) becomes the HTTP answer.

    fcgi_gateway.py --fpm 127.0.0.1:9000 --script /=/srv/app/webhook.php --script /demo=/srv/app/demo.php

Prints "fcgi-gateway listening on http://127.0.0.1:PORT" once it listens (--listen, port 0 by
default: a free one). Requests to a path with no --script are answered 404 without asking FPM.

With --stream the body is not read first: FPM gets the declared CONTENT_LENGTH at once and the
body as it arrives, while the script runs (as a web server with request buffering off passes
it), so a script that answers without reading the body is answered before the client has sent
it; the connection is then closed.
"""

import argparse
import socket
import struct
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

FCGI_BEGIN_REQUEST, FCGI_END_REQUEST, FCGI_PARAMS, FCGI_STDIN, FCGI_STDOUT, FCGI_STDERR = 1, 3, 4, 5, 6, 7
RESPONDER = 1


def record(kind, body, request_id=1):
    """One FastCGI record (version 1), padded to 8 bytes."""
    pad = (8 - len(body) % 8) % 8
    return struct.pack(">BBHHBx", 1, kind, request_id, len(body), pad) + body + b"\0" * pad


def stream(kind, data):
    """A FastCGI stream: records of at most 65535 bytes, then the empty record that ends it."""
    out = b"".join(record(kind, data[i:i + 65535]) for i in range(0, len(data), 65535))
    return out + record(kind, b"")


def name_value(name, value):
    def length(n):
        return struct.pack(">B", n) if n < 128 else struct.pack(">I", n | 0x80000000)
    return length(len(name)) + length(len(value)) + name + value


def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("FPM closed the connection mid-record")
        data += chunk
    return data


def fastcgi(fpm, params, body, timeout):
    """Sends one request to FPM; returns (stdout bytes, stderr bytes)."""
    host, port = fpm.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        begin = record(FCGI_BEGIN_REQUEST, struct.pack(">HB5x", RESPONDER, 0))
        pairs = b"".join(name_value(k.encode(), v.encode("utf-8", "surrogateescape")) for k, v in params.items())
        sock.sendall(begin + stream(FCGI_PARAMS, pairs) + stream(FCGI_STDIN, body))
        out, err = b"", b""
        while True:
            _, kind, _, length, pad = struct.unpack(">BBHHBx", read_exact(sock, 8))
            content = read_exact(sock, length + pad)[:length]
            if kind == FCGI_STDOUT:
                out += content
            elif kind == FCGI_STDERR:
                err += content
            elif kind == FCGI_END_REQUEST:
                return out, err


def fastcgi_streaming(fpm, params, rfile, length, timeout):
    """Sends one request to FPM with the body passed on as it arrives from `rfile` (`length`
    bytes declared); returns (stdout bytes, stderr bytes, whether the whole body was passed)."""
    host, port = fpm.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        begin = record(FCGI_BEGIN_REQUEST, struct.pack(">HB5x", RESPONDER, 0))
        pairs = b"".join(name_value(k.encode(), v.encode("utf-8", "surrogateescape")) for k, v in params.items())
        sock.sendall(begin + stream(FCGI_PARAMS, pairs))
        state = {"sent": 0, "done": False}

        def pump():
            try:
                while state["sent"] < length and not state["done"]:
                    chunk = rfile.read1(min(65535, length - state["sent"]))
                    if not chunk:
                        return
                    sock.sendall(record(FCGI_STDIN, chunk))
                    state["sent"] += len(chunk)
                if not state["done"]:
                    sock.sendall(record(FCGI_STDIN, b""))
            except OSError:
                pass

        thread = threading.Thread(target=pump, daemon=True)
        thread.start()
        out, err = b"", b""
        while True:
            _, kind, _, size, pad = struct.unpack(">BBHHBx", read_exact(sock, 8))
            content = read_exact(sock, size + pad)[:size]
            if kind == FCGI_STDOUT:
                out += content
            elif kind == FCGI_STDERR:
                err += content
            elif kind == FCGI_END_REQUEST:
                state["done"] = True
                return out, err, state["sent"] >= length


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fcgi-gateway"

    def handle_one(self):
        url = urlsplit(self.path)
        script = self.server.scripts.get(url.path)
        length = int(self.headers.get("Content-Length") or 0)
        streaming = self.server.stream and script is not None
        body = self.rfile.read(length) if length and not streaming else b""
        if script is None:
            self.answer(404, [("Content-Type", "text/plain")], b"no script for this path\n")
            return
        params = {
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_SOFTWARE": "fcgi-gateway",
            "SERVER_PROTOCOL": self.request_version,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": str(self.server.server_address[1]),
            "REMOTE_ADDR": self.client_address[0],
            "REMOTE_PORT": str(self.client_address[1]),
            "REQUEST_METHOD": self.command,
            "REQUEST_URI": self.path,
            "SCRIPT_NAME": url.path,
            "SCRIPT_FILENAME": script,
            "DOCUMENT_ROOT": script.rsplit("/", 1)[0],
            "QUERY_STRING": url.query,
            "CONTENT_LENGTH": str(length if streaming else len(body)),
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
        }
        for name, value in self.headers.items():
            key = "HTTP_" + name.upper().replace("-", "_")
            if key not in ("HTTP_CONTENT_LENGTH", "HTTP_CONTENT_TYPE"):
                params[key] = value
        try:
            if streaming:
                out, err, complete = fastcgi_streaming(self.server.fpm, params, self.rfile, length, self.server.timeout_s)
                if not complete:
                    self.close_connection = True
            else:
                out, err = fastcgi(self.server.fpm, params, body, self.server.timeout_s)
        except (OSError, ConnectionError) as e:
            self.answer(502, [("Content-Type", "text/plain")], f"FPM: {e}\n".encode())
            return
        if err:
            sys.stderr.write(err.decode("utf-8", "replace"))
        head, _, payload = out.partition(b"\r\n\r\n")
        if not _:
            head, _, payload = out.partition(b"\n\n")
        status, headers = 200, []
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.strip().split()[0])
            elif name:
                headers.append((name, value.strip()))
        self.answer(status, headers, payload)

    def answer(self, status, headers, payload):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)
        if self.close_connection:
            # The rest of the body was never read: stop the reader waiting for it.
            self.wfile.flush()
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    do_GET = do_POST = do_PUT = do_DELETE = handle_one

    def log_message(self, fmt, *args):
        if self.server.verbose:
            super().log_message(fmt, *args)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--listen", default="127.0.0.1:0")
    p.add_argument("--fpm", required=True, help="FPM's FastCGI address, host:port")
    p.add_argument("--script", action="append", default=[], help="PATH=SCRIPT_FILENAME")
    p.add_argument("--timeout", type=float, default=60.0)
    p.add_argument("--verbose", action="store_true")
    p.add_argument("--stream", action="store_true", help="pass bodies on as they arrive (see above)")
    args = p.parse_args()
    host, port = args.listen.rsplit(":", 1)
    server = ThreadingHTTPServer((host, int(port)), Handler)
    server.daemon_threads = True
    server.fpm = args.fpm
    server.scripts = dict(s.split("=", 1) for s in args.script)
    server.timeout_s = args.timeout
    server.verbose = args.verbose
    server.stream = args.stream
    print(f"fcgi-gateway listening on http://{host}:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
