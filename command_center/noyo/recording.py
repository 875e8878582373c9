"""Noyo's answers recorded to files once, then served back with no Noyo (or sandbox) at all.

For the sync benchmark's ``--replay``: it measures the sync itself with the source free. Only
the socket is replaced: ``patch_transport`` swaps ``httpx.HTTPTransport.handle_request``, so
the client, its retries, the sync's transport, paging and ``response.json()`` all run as in
production.

A recording is a directory: ``bodies`` (the answers' bodies, one after another) and
``index.json`` (``{request: [offset, length, status, content type]}``). A request is its
method, path and sorted query: not the host, which changes with the sandbox's port. Bodies
are read from the file when asked for, so replaying a large sync costs no memory.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path

import httpx


def request_key(request: httpx.Request) -> str:
    query = "&".join(sorted(f"{k}={v}" for k, v in request.url.params.multi_items()))
    return f"{request.method} {request.url.path}?{query}"


class Recorder:
    """Writes every answer the transport gets into a recording directory (thread-safe)."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._bodies = open(self.directory / "bodies.partial", "wb")
        self._index: dict[str, list] = {}
        self._lock = threading.Lock()

    def add(self, request: httpx.Request, response: httpx.Response) -> None:
        body = response.content
        with self._lock:
            offset = self._bodies.tell()
            self._bodies.write(body)
            # A request asked twice (a retried 500) keeps its latest answer.
            self._index[request_key(request)] = [
                offset,
                len(body),
                response.status_code,
                response.headers.get("content-type", ""),
            ]

    def close(self) -> None:
        """Publish the recording; until then a half-made one is not found by ``Replayer``."""
        self._bodies.close()
        (self.directory / "index.json.partial").write_text(json.dumps(self._index))
        os.replace(self.directory / "bodies.partial", self.directory / "bodies")
        os.replace(self.directory / "index.json.partial", self.directory / "index.json")


class Replayer:
    """Answers requests from a recording; a request it never saw gets a 599 saying so."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._index = json.loads((self.directory / "index.json").read_text())
        self._fd = os.open(self.directory / "bodies", os.O_RDONLY)
        self.served = 0
        self.missing: list[str] = []

    @staticmethod
    def exists(directory: Path) -> bool:
        return (Path(directory) / "index.json").exists() and (Path(directory) / "bodies").exists()

    def __len__(self) -> int:
        return len(self._index)

    def answer(self, request: httpx.Request) -> httpx.Response:
        entry = self._index.get(request_key(request))
        if entry is None:
            self.missing.append(request_key(request))
            return httpx.Response(599, text="Not in the recording.", request=request)
        offset, length, status, content_type = entry
        body = os.pread(self._fd, length, offset)
        self.served += 1
        headers = {"content-type": content_type} if content_type else {}
        return httpx.Response(status, headers=headers, content=body, request=request)

    def close(self) -> None:
        os.close(self._fd)


@contextlib.contextmanager
def patch_transport(*, recorder: Recorder | None = None, replayer: Replayer | None = None):
    """Within the block, every ``httpx.HTTPTransport`` records its answers, or is answered from a recording."""
    original = httpx.HTTPTransport.handle_request

    def recording(transport, request):
        response = original(transport, request)
        response.read()
        recorder.add(request, response)
        return response

    def replaying(transport, request):
        return replayer.answer(request)

    httpx.HTTPTransport.handle_request = recording if recorder is not None else replaying
    try:
        yield
    finally:
        httpx.HTTPTransport.handle_request = original
