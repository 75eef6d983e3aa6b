"""uvicorn's httptools protocol with a bounded kernel send buffer per connection.

On loopback (nginx in front, or a test client) Linux autotunes a socket's send buffer to the
4 MiB maximum within the first writes, so every listener of a long audio file was handed 3.7 MB
the moment it connected: with 1,000 listeners arriving in two seconds that is 3.7 GB copied
into the kernel before most of them had their first byte (bench/stream.py, docs/benchmarks.md
"Streaming"). A player reads at its bitrate; a few hundred KiB queued per connection is plenty,
and it bounds kernel memory per listener. nginx's ``listen ... sndbuf=`` does the same.

Used by ``ting serve`` and the test servers through ``ting.core.cli.UVICORN_SPEED``.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import Final

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ting.core.env import env_int

# setsockopt(SO_SNDBUF) asks for this much; Linux doubles it for bookkeeping. 0 leaves the
# kernel's autotuning alone. Read when uvicorn imports this module, before Django's settings:
# a bad value stops start-up with a message naming the variable, as settings do.
SEND_BUFFER: Final = env_int("TING_SEND_BUFFER", 256 * 1024, minimum=0)


class BoundedSendBufferProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and SEND_BUFFER > 0:
            # Some transports' sockets refuse the option; then there is nothing to bound.
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
        super().connection_made(transport)
