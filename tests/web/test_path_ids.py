"""A record id in a path is a positive 64-bit integer: anything larger or negative is a 422
with the usual security headers, signed in or out, never a 500."""

from __future__ import annotations

import re
from typing import Any

from starlette.routing import Mount, Route


def _routes(routes: list[Any], prefix: str = "") -> list[tuple[list[str], str]]:
    out = []
    for r in routes:
        inner = getattr(r, "original_router", None)  # FastAPI's included routers
        if inner is not None:
            out += _routes(inner.routes, prefix)  # their routes carry the full path
        elif isinstance(r, Mount):
            out += _routes(getattr(r, "routes", []) or [], prefix + r.path)
        elif isinstance(r, Route) and re.search(r"\{\w+_id\}", r.path):
            out.append((sorted(r.methods or {"GET"}), prefix + r.path))
    return out


def test_out_of_range_ids_are_422_on_every_route(web, client_for) -> None:
    app, _ids = web
    routes = _routes(app.routes)
    assert len(routes) >= 20
    for signed_in, client in ((False, client_for(None)), (True, client_for("admin"))):
        for methods, path in routes:
            for bad in (2**63, 2**70, 0, -1):
                url = re.sub(r"\{\w+_id\}", str(bad), path)
                method = "GET" if "GET" in methods else methods[0]
                r = client.request(method, url)
                # signed out, a page or write may ask to sign in first; never a server error
                ok = r.status_code == 422 if signed_in else r.status_code < 500
                assert ok, (signed_in, method, url, r.status_code, r.text[:200])
                assert r.headers.get("x-content-type-options") == "nosniff", url
