"""The web app factory: :func:`create_app` builds the FastAPI app on one store.

Pages are rendered on the server (Jinja2, autoescape on) with htmx for small interactions and a
Leaflet map; both libraries are vendored and served from this app (no CDN). The JSON API lives
under ``/api`` and its OpenAPI document at ``/api/openapi.json``.
"""

from __future__ import annotations

import tempfile
from importlib.resources import files
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, select_autoescape
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from libpolis.goal_names import goal_label, goal_text, short_name
from libpolis.model import explanation_basis
from libpolis.settings import get_settings
from libpolis.store import open_store, side_engine, track_revisions, upgrade
from libpolis.store.revision import read_revisions
from libpolis.web.admission import AdmissionLimiter, ServerErrors, admission_options
from libpolis.web.cache import ReadCache
from libpolis.web.deps import WebConfig
from libpolis.web.errors import install_error_handlers
from libpolis.web.i18n import LanguageMiddleware, install_gettext, page_context
from libpolis.web.live import LiveEvidence
from libpolis.web.lockout import login_guard
from libpolis.web.middleware import SessionMiddleware
from libpolis.web.openapi import install_openapi
from libpolis.web.origin import check_origin
from libpolis.web.security import SessionCodec

__all__ = ["READ_CACHE_ENV", "STORE_URL_ENV", "app_from_env", "create_app", "documents_dir_for"]

STORE_URL_ENV = "LIBPOLIS_WEB_STORE_URL"
"""Environment variable through which ``libpolis serve --workers N`` hands the store to each
worker process."""
READ_CACHE_ENV = "LIBPOLIS_WEB_READ_CACHE"
"""``0`` turns the read cache off in worker processes (``libpolis serve --no-read-cache``)."""


def documents_dir_for(engine: Engine) -> Path:
    """Where uploaded documents go: next to a SQLite workspace, else under the output folder."""
    db = engine.url.database if engine.dialect.name == "sqlite" else None
    if db and db != ":memory:":
        path = Path(db)
        return path.parent / f"{path.stem}-documents"
    return get_settings().out_dir.resolve() / "documents"


def _templates(extra_dir: Path | None) -> Jinja2Templates:
    loaders = [FileSystemLoader(str(extra_dir))] if extra_dir else []
    loaders.append(PackageLoader("libpolis.web", "templates"))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(default=True),
        auto_reload=False,  # templates do not change under a running server
        extensions=["jinja2.ext.i18n"],
    )
    # page text is written as {{ _("...") }} / {{ ngettext(...) }}, translated per request
    # (libpolis.web.i18n)
    install_gettext(env)
    # short names of UDHR articles and Culture 21 commitments, also for goals stored before
    # they existed ("Article 19" in an older workspace)
    env.globals["goal_name"] = short_name
    env.globals["goal_label"] = goal_label  # "SDG 4.1 Quality education"
    # the published texts of SDG goals and targets, UDHR articles and Culture 21 commitments in
    # the page's language where the source publishes one (else English, marked lang="en")
    env.globals["goal_text"] = goal_text
    # what each suggestion rests on, read as the CLI and the exports read it
    env.globals["why"] = explanation_basis
    return Jinja2Templates(env=env, context_processors=[page_context])


def create_app(
    store: Engine | str,
    *,
    secret_key: str | None = None,
    documents_dir: Path | None = None,
    templates_dir: Path | None = None,
    max_upload_bytes: int = 10 * 1024 * 1024,
    login_max_failures: int | None = None,
    cache_reads: bool = True,
    trusted_proxies: list[str] | None = None,
) -> FastAPI:
    """Build the web app on ``store`` (an engine or a URL); migrations run first.

    Parameters
    ----------
    store : Engine or str
        The workspace store, or its SQLAlchemy URL.
    secret_key : str, optional
        Signs session cookies; defaults to ``Settings.secret_key`` (random per process when
        ``LIBPOLIS_SECRET_KEY`` is unset, which signs everyone out on restart).
    documents_dir : Path, optional
        Where uploaded partnership documents are stored (default: next to the workspace).
    templates_dir : Path, optional
        A folder whose templates replace the bundled ones of the same name (a city's own look).
    max_upload_bytes : int
        Largest accepted document upload, in bytes.
    login_max_failures : int, optional
        Failed sign-ins an account may have before the exponential back-off starts
        (default: ``Settings.login_free_failures``; :mod:`~libpolis.web.lockout`).
    cache_reads : bool
        Keep responses to anonymous reads until the store changes
        (:class:`~libpolis.web.cache.ReadCache`).
    trusted_proxies : list of str, optional
        Addresses or networks of reverse proxies whose ``X-Forwarded-For`` and
        ``X-Forwarded-Proto`` are believed (default: ``Settings.trusted_proxies``; none).
    """
    engine = open_store(store) if isinstance(store, str) else store
    upgrade(engine)
    track_revisions(engine)
    settings = get_settings()
    codec = SessionCodec(secret_key or settings.secret_key)
    app = FastAPI(
        title="libpolis partnership register",
        version="1",
        description="Programmes, partners and partnerships of libraries and city halls, "
        "with the evidence that frames them.",
        openapi_url="/api/openapi.json",
        docs_url=None,  # Swagger UI loads from a CDN; /api/docs is rendered here instead
        redoc_url=None,
        dependencies=[Depends(check_origin)],  # every write: Origin / Referer of this site
    )
    install_openapi(app)
    app.state.engine = engine
    app.state.sessionmaker = sessionmaker(engine, expire_on_commit=False)
    app.state.config = WebConfig(
        codec=codec,
        guard=login_guard(settings, login_max_failures),
        documents_dir=Path(documents_dir or documents_dir_for(engine)),
        brief_dir=Path(tempfile.mkdtemp(prefix="libpolis-brief-")),
        max_upload_bytes=max_upload_bytes,
    )
    app.state.live = LiveEvidence(engine)
    templates = _templates(templates_dir)
    app.state.templates = templates

    # innermost: requests answered from the read cache never wait for admission
    app.add_middleware(AdmissionLimiter, **admission_options(engine, settings))
    if cache_reads:  # inside the session middleware: it needs the session to tell who asks
        # a connection of its own: the event loop must never wait for the routes' pool
        reader = side_engine(engine, pool_size=1)
        app.add_middleware(ReadCache, revisions=lambda: read_revisions(reader))
    # outside the read cache, which keys its entries on the language chosen here
    app.add_middleware(LanguageMiddleware)
    app.add_middleware(ServerErrors, retry_after_s=settings.web_retry_after_s)
    app.add_middleware(SessionMiddleware, codec=codec, max_body_bytes=max_upload_bytes + 64 * 1024)
    proxies = settings.proxy_list() if trusted_proxies is None else trusted_proxies
    if proxies:  # outermost: every layer sees the client's address and scheme
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)
    install_error_handlers(app, templates)

    vendor = Path(str(files("libpolis") / "data" / "vendor"))
    app.mount(
        "/static", StaticFiles(directory=str(Path(__file__).with_name("static"))), name="static"
    )
    app.mount("/vendor/leaflet", StaticFiles(directory=str(vendor / "leaflet")), name="leaflet")
    app.mount("/vendor/htmx", StaticFiles(directory=str(vendor / "htmx")), name="htmx")

    from libpolis.web.routes import ROUTERS

    for router in ROUTERS:
        app.include_router(router)
    return app


def app_from_env() -> FastAPI:
    """App factory for uvicorn worker processes: the store URL comes from the environment
    (``LIBPOLIS_WEB_STORE_URL``, else the settings), the secret from ``LIBPOLIS_SECRET_KEY``."""
    import os

    settings = get_settings()
    return create_app(
        os.environ.get(STORE_URL_ENV) or settings.store_url(),
        cache_reads=os.environ.get(READ_CACHE_ENV, "1") != "0",
    )
