"""IP addresses are never stored: an HMAC under a random salt per day, deleted after two days."""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import secrets
from datetime import date, timedelta

from django.db import IntegrityError, transaction

from ting.stats.models import DailySalt

# Salts this process has read, by day (None: that day has none); a query per day at most.
_salts: dict[date, bytes | None] = {}


def normalise_ip(address: str) -> str:
    """IPv6 truncated to its /64 (one household or phone); IPv4 unchanged; garbage kept as is."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)).network_address)
    return str(ip)


def salt_for(day: date, *, create: bool = True) -> bytes | None:
    if day in _salts:
        salt = _salts[day]
        if salt is not None or not create:
            return salt
    row = DailySalt.objects.filter(day=day).values_list("salt", flat=True).first()
    if row is None and create:
        try:
            with transaction.atomic():
                row = DailySalt.objects.create(day=day, salt=secrets.token_bytes(32)).salt
        except IntegrityError:  # another process made it first
            row = DailySalt.objects.filter(day=day).values_list("salt", flat=True).first()
    _salts[day] = salt = None if row is None else bytes(row)
    if len(_salts) > 4:
        for old in sorted(_salts)[:-4]:
            del _salts[old]
    return salt


@functools.lru_cache(maxsize=4096)
def hash_ip(address: str, salt: bytes) -> str:
    # Cached: a listener's player asks for range after range from one address, and parsing the
    # address and the HMAC were a twentieth of a byte request's CPU. The cache lives in the
    # process's memory only, as the addresses of requests in flight do; it is never written.
    digest = hmac.new(salt, normalise_ip(address).encode(), hashlib.sha256).digest()
    return digest[:16].hex()


def ip_hashes(address: str, today: date) -> tuple[str, str]:
    """The address under today's salt and under yesterday's ("" when that one is gone)."""
    current = salt_for(today)
    assert current is not None
    previous = salt_for(today - timedelta(days=1), create=False)
    return hash_ip(address, current), (hash_ip(address, previous) if previous else "")


def salts_forget(*, today: date) -> int:
    """Delete salts older than yesterday: their hashes can no longer be linked to anyone."""
    deleted, _ = DailySalt.objects.filter(day__lt=today - timedelta(days=1)).delete()
    return deleted
