"""Route modules, one per resource; each has an API router and a pages router."""

from __future__ import annotations

from fastapi import APIRouter

from libpolis.web.routes import (
    assessment,
    auth,
    benchmark,
    dashboard,
    exports,
    goals,
    libraries,
    partners,
    partnership_records,
    partnerships,
    pickers,
    programmes,
    scenarios,
    surveys,
    users,
)

__all__ = ["ROUTERS"]

ROUTERS: list[APIRouter] = [
    m.router
    for m in (
        auth,
        dashboard,
        libraries,
        programmes,
        partners,
        partnerships,
        partnership_records,
        goals,
        users,
        exports,
        scenarios,
        assessment,
        surveys,
        benchmark,
    )
] + [
    m.pages
    for m in (
        auth,
        dashboard,
        libraries,
        programmes,
        partners,
        partnerships,
        goals,
        users,
        assessment,
        surveys,
        partnership_records,
        pickers,
        benchmark,
    )
]
