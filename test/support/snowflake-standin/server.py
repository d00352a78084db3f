"""Test-only launcher for fakesnow's HTTP server (fakesnow 0.11.22), for snowflake-sdk (Node).

It serves fakesnow's own Starlette app (`fakesnow.server.app`) with uvicorn on 127.0.0.1 and
changes exactly these things, nothing else about the protocol:

1. SELECT answers: fakesnow answers them in Arrow (`rowsetBase64`), which snowflake-sdk does
   not decode; they are re-emitted as Snowflake's JSON rowset (`queryResultFormat: "json"`,
   `rowset` of string cells as Snowflake writes them). Every JSON rowset answer also gets the
   `returned` count and `chunks: []` Snowflake sends (without `returned` the Node driver never
   completes a DML statement).
2. Login: `CLIENT_STAGE_ARRAY_BINDING_THRESHOLD` is answered with Snowflake's default (65280)
   instead of fakesnow's 0, with which the Node driver would stage every array bind.
3. The database path: the shared instance keeps its databases as DuckDB files under `--db-path`
   (fakesnow's server ignores `-d`), with optional `--nop-regex` statements answered as no-ops.
4. `--latency-ms`: an optional fixed delay before every statement (benchmarks only).

`POST /session/heartbeat` (the pool's test on borrow) is fakesnow's own route in 0.11.22.

Usage: .venv/bin/python server.py --port 0 [--db-path DIR] [--latency-ms 150] [--nop-regex RE]...
Prints one line `listening on http://127.0.0.1:<port>` when ready; stops on SIGTERM/SIGINT or
when its stdin closes (so a parent that dies never leaves it running).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gzip
import json
import os
import signal
import socket
import sys
import threading
from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa
import uvicorn

import fakesnow.server
from fakesnow.instance import FakeSnow

SNOWFLAKE_ARRAY_BINDING_THRESHOLD = 65280
EPOCH = date(1970, 1, 1)


def cell(value: Any, sf_type: str) -> str | None:
    """One Arrow value as Snowflake's JSON rowset writes it (the driver parses these strings)."""
    if value is None:
        return None
    if sf_type == "boolean":
        return "1" if value else "0"
    if sf_type == "date":
        return str((value - EPOCH).days)
    if sf_type.startswith("timestamp"):
        if value["epoch"] is None:  # fakesnow's struct for a NULL timestamp has NULL fields
            return None
        nanos = value["epoch"] * 1_000_000_000 + value["fraction"]
        text = f"{Decimal(nanos).scaleb(-9):.9f}"
        return f"{text} {value['timezone']}" if "timezone" in value else text
    if sf_type == "time":
        return f"{Decimal(value).scaleb(-9):.9f}"
    if sf_type == "binary":
        return value.hex()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def arrow_to_rowset(encoded: str, rowtype: list[dict[str, Any]]) -> list[list[str | None]]:
    if not encoded:
        return []
    table = pa.ipc.open_stream(base64.b64decode(encoded)).read_all()
    columns = [c.to_pylist() for c in table.columns]
    types = [c["type"] for c in rowtype]
    return [[cell(v, t) for v, t in zip(row, types, strict=True)] for row in zip(*columns, strict=True)]


def rewrite(path: str, body: bytes) -> bytes:
    if path.endswith("/login-request"):
        answer = json.loads(body)
        for p in (answer.get("data") or {}).get("parameters", []):
            if p["name"] == "CLIENT_STAGE_ARRAY_BINDING_THRESHOLD":
                p["value"] = SNOWFLAKE_ARRAY_BINDING_THRESHOLD
        return json.dumps(answer).encode()
    if path.endswith("/query-request"):
        answer = json.loads(body)
        data = answer.get("data") or {}
        if data.get("queryResultFormat") == "arrow":
            rowset = arrow_to_rowset(data.pop("rowsetBase64", ""), data["rowtype"])
            data.update(queryResultFormat="json", rowset=rowset, total=len(rowset))
        if "rowset" in data:
            data.update(returned=len(data["rowset"]), chunks=[])
        return json.dumps(answer).encode()
    return body


def standin(app: Any, latency_s: float) -> Any:
    """ASGI wrapper: delays statements and rewrites the two answers described above."""

    async def wrapped(scope: dict, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.endswith(("/login-request", "/query-request")):
            await app(scope, receive, send)
            return
        if latency_s and path.endswith("/query-request"):
            await asyncio.sleep(latency_s)
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in (b"content-length", b"content-encoding")]
            if any(k.lower() == b"content-encoding" and v == b"gzip" for k, v in start.get("headers", [])):
                body = gzip.decompress(body)
            body = rewrite(path, body)
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await app(scope, receive, capture)

    return wrapped


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--db-path", help="directory for the databases' DuckDB files (in memory if unset)")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--nop-regex", action="append", default=[])
    args = parser.parse_args()

    if args.db_path:
        os.makedirs(args.db_path, exist_ok=True)
    fakesnow.server.shared_fs = FakeSnow(db_path=args.db_path, nop_regexes=args.nop_regex or None)

    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    port = sock.getsockname()[1]
    app = standin(fakesnow.server.app, args.latency_ms / 1000)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))

    def stop(*_: object) -> None:
        server.should_exit = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def watch_stdin() -> None:
        sys.stdin.read()
        stop()

    threading.Thread(target=watch_stdin, daemon=True).start()

    async def serve() -> None:
        config_task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not config_task.done():
            await asyncio.sleep(0.02)
        if server.started:
            print(f"listening on http://127.0.0.1:{port}", flush=True)
        await config_task

    asyncio.run(serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
