"""An HTTP client for addresses that strangers type: SSRF-safe, size- and time-capped.

Every host name is resolved here, every address it resolves to is checked, and the socket is
connected to a checked address (never re-resolved by a library behind our back), with the
original Host header and TLS server name. Redirects are followed by hand, each hop checked the
same way (docs/adr/0012-feeds-and-api.md, FACTS.md "SSRF on feed import").
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from email.message import Message
from typing import BinaryIO
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from ting.core.errors import ApplicationError

MAX_REDIRECTS = 5
READ_BYTES = 64 * 1024
USER_AGENT = "Ting-FeedImporter/1.0 (+https://github.com/ting-audio/ting)"
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Cloud instance metadata: refused even when private addresses are allowed (tests, intranets).
METADATA = {
    ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, Oracle, DigitalOcean
    ipaddress.ip_address("169.254.170.2"),  # AWS ECS task metadata
    ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
    ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
}


class FetchError(ApplicationError):
    """The address could not be read; `message` says why in words an anchor understands."""


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str
    status: int
    headers: Message
    body: bytes  # empty when streamed into a sink, or on 304
    size: int

    @property
    def charset(self) -> str | None:
        return self.headers.get_content_charset()


def address_allowed(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA:
        return False
    if settings.TING_FEED_IMPORT_ALLOW_PRIVATE:
        return True
    # is_global excludes loopback, private, link-local, shared (100.64/10), documentation and
    # reserved ranges; multicast can be "global", so it is refused separately.
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> list[tuple[int, tuple[str, int]]]:
    """Every address `host` resolves to, or FetchError if any of them is off limits."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchError(
            _("The server “%(host)s” could not be found.") % {"host": host}, code="dns"
        ) from None
    addresses: list[tuple[int, tuple[str, int]]] = []
    for family, _type, _proto, _name, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        # One bad address refuses the host: a resolver could answer differently on connect.
        if not address_allowed(ip):
            raise FetchError(
                _(
                    "“%(host)s” points to a private or reserved network address; Ting does not "
                    "fetch from those."
                )
                % {"host": host},
                code="address_refused",
            )
        addresses.append((family, (str(sockaddr[0]), int(sockaddr[1]))))
    return addresses


def _connect(addresses: list[tuple[int, tuple[str, int]]], timeout: float) -> socket.socket:
    last: OSError | None = None
    for family, sockaddr in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(sockaddr)
        except OSError as exc:
            sock.close()
            last = exc
            continue
        return sock
    raise last or OSError("no address")


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(
        self, host: str, port: int, *, addresses: list[tuple[int, tuple[str, int]]], timeout: float
    ) -> None:
        super().__init__(host, port, timeout=timeout)
        self._addresses = addresses

    def connect(self) -> None:
        self.sock = _connect(self._addresses, float(self.timeout or 30))


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(
        self, host: str, port: int, *, addresses: list[tuple[int, tuple[str, int]]], timeout: float
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._addresses = addresses

    def connect(self) -> None:
        sock = _connect(self._addresses, float(self.timeout or 30))
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def _too_large(limit: int) -> FetchError:
    return FetchError(
        _("The file is larger than %(limit)s, the most Ting imports.")
        % {"limit": filesizeformat(limit)},
        code="too_large",
    )


def fetch(
    url: str,
    *,
    max_bytes: int,
    timeout: float | None = None,
    deadline_s: float | None = None,
    sink: BinaryIO | None = None,
    headers: dict[str, str] | None = None,
) -> Fetched:
    """GET `url`, following up to MAX_REDIRECTS checked redirects.

    The body is returned, or written to `sink` (never held whole) when one is given. A 304 is
    returned as is, for conditional re-fetches.
    """
    timeout = float(timeout or settings.TING_FEED_IMPORT_TIMEOUT)
    deadline = time.monotonic() + (deadline_s or timeout * 4)
    for _hop in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(
                _("Only http:// and https:// addresses can be imported."), code="scheme"
            )
        if parts.username or parts.password:
            raise FetchError(
                _("Addresses with a user name or password are not supported."), code="credentials"
            )
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise FetchError(_("The address has an invalid port."), code="bad_url") from None
        addresses = resolve(parts.hostname, port)
        cls = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
        connection = cls(parts.hostname, port, addresses=addresses, timeout=timeout)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request(
                "GET",
                path,
                headers={
                    "User-Agent": USER_AGENT,
                    "Accept-Encoding": "identity",
                    **(headers or {}),
                },
            )
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                connection.close()
                if not location:
                    raise FetchError(_("The server redirected nowhere."), code="bad_redirect")
                url = urljoin(url, location)
                continue
            if response.status == 304:
                connection.close()
                return Fetched(url, 304, response.msg, b"", 0)
            if response.status >= 400:
                connection.close()
                raise FetchError(
                    _("The server answered with error %(status)s.") % {"status": response.status},
                    code="http_error",
                )
            return _read(url, response, connection, max_bytes, deadline, sink)
        except FetchError:
            raise
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            if isinstance(exc, TimeoutError | socket.timeout):
                raise FetchError(_("The server took too long to answer."), code="timeout") from None
            raise FetchError(
                _("The server could not be reached (%(reason)s).")
                % {"reason": exc.__class__.__name__},
                code="connection",
            ) from None
    raise FetchError(_("The address redirected too many times."), code="too_many_redirects")


def _read(
    url: str,
    response: http.client.HTTPResponse,
    connection: http.client.HTTPConnection,
    max_bytes: int,
    deadline: float,
    sink: BinaryIO | None,
) -> Fetched:
    try:
        announced = int(response.getheader("Content-Length") or "0")
    except ValueError:
        announced = 0
    if announced > max_bytes:
        connection.close()
        raise _too_large(max_bytes)
    chunks: list[bytes] = []
    size = 0
    try:
        while True:
            if time.monotonic() > deadline:
                raise FetchError(_("The download took too long."), code="timeout")
            block = response.read(READ_BYTES)
            if not block:
                break
            size += len(block)
            if size > max_bytes:
                raise _too_large(max_bytes)
            if sink is not None:
                sink.write(block)
            else:
                chunks.append(block)
    finally:
        connection.close()
    return Fetched(url, response.status, response.msg, b"".join(chunks), size)
