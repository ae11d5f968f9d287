"""Writes from other sites are refused by where they come from, besides the CSRF token.

Browsers name the page a request comes from in ``Origin`` (every cross-site request, and
same-site ones that are not ``GET``/``HEAD``) or, failing that, ``Referer``. A write
(``POST``, ``PUT``, ``PATCH``, ``DELETE``) whose ``Origin`` — else ``Referer`` — is not this
site (the scheme and ``Host`` the request was sent to) is refused with a 403 saying so, before
any route code runs; ``Origin: null`` (sandboxed frames, some redirects) is refused too. A
request with neither header (scripts, ``curl``) is let through to the CSRF check: only a
browser can be made to send a request for someone else. Behind a reverse proxy, the proxy must
pass on ``Host`` and be listed in ``LIBPOLIS_TRUSTED_PROXIES`` (for ``X-Forwarded-Proto``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request

from libpolis.errors import PermissionDeniedError

__all__ = ["CrossSiteError", "check_origin", "origin_of"]

_SAFE = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_PORTS = {"http": 80, "https": 443}


class CrossSiteError(PermissionDeniedError):
    """A write came from a page of another site."""


def origin_of(url: str) -> str | None:
    """``scheme://host:port`` of an http(s) URL (default ports made explicit), else ``None``."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _PORTS or not parts.hostname:
        return None
    return f"{scheme}://{parts.hostname.lower()}:{port or _PORTS[scheme]}"


def check_origin(request: Request) -> None:
    """Refuse a write whose ``Origin`` (else ``Referer``) is not this site.

    Raises
    ------
    CrossSiteError
        The write came from another site (HTTP 403).
    """
    if request.method in _SAFE:
        return
    header, value = "Origin", request.headers.get("origin")
    if value is None:
        header, value = "Referer", request.headers.get("referer")
        if value is None:
            return
    host = request.headers.get("host", "")
    here = origin_of(f"{request.url.scheme}://{host}") if host else None
    there = origin_of(value)
    if here is None or there != here:
        shown = value[:200]
        raise CrossSiteError(
            f"cross-site write refused: {header} {shown!r} is not this site "
            f"({here or 'unknown host'})"
        )
