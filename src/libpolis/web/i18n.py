"""The web app's languages: which one a request is answered in, its catalog and its formats.

A request is answered in the language of the ``lang`` cookie when it names one of
:data:`WEB_LANGUAGES`, else in the best match of the browser's ``Accept-Language`` (q-values
honoured, ``pt-BR`` matches ``pt``), else in English. The switch in the page header is a small
``GET`` form: any page asked for with ``?lang=xx`` sets the cookie and is redirected to itself
without the parameter (no script needed, no new route, nothing to protect against CSRF: a
language is not a privilege).

Page text is written ``{{ _("...") }}`` / ``{{ ngettext(...) }}``; the callables installed by
:func:`install_gettext` look the request up in the template context and translate with the
``web`` catalog (``libpolis/web/locale``, see its ``README.md``), falling back to the brief's
catalog for the evidence's own words (figure labels). Templates also get ``lang`` (the code)
and ``fmt`` (a :class:`~libpolis.evidence.format.NumberFormat` for numbers and dates);
``request.state.fmt`` is the same object for Python code.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from dataclasses import fields
from functools import lru_cache, partial
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from babel.core import negotiate_locale
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from libpolis.evidence.figures import Figure
from libpolis.evidence.format import NumberFormat, display_value
from libpolis.report.i18n import LOCALE_DIR as BRIEF_LOCALE_DIR
from libpolis.report.i18n import N_, load_translations

__all__ = [
    "DATE_ORDER_MESSAGE",
    "FORM_MESSAGES",
    "LANGUAGE_NAMES",
    "LANG_COOKIE",
    "PAGE_WORDS",
    "WEB_LANGUAGES",
    "WEB_LOCALE_DIR",
    "LanguageMiddleware",
    "PageMessage",
    "figure_display",
    "install_gettext",
    "negotiate",
    "page_context",
    "preferred_languages",
    "translations",
]

#: Languages of the web app (the same as the brief's).
WEB_LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "pt")
#: Each language's name in itself, for the switch.
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "pt": "Português",
}
LANG_COOKIE = "lang"
WEB_LOCALE_DIR = Path(str(files("libpolis.web") / "locale"))
_DOMAIN = "web"

#: Words that reach pages from Python or the store rather than from a template (errors raised
#: by the routes, roles, record kinds, travel modes), marked here so the catalog holds them;
#: templates translate them with ``_(value)``.
PAGE_WORDS: tuple[str, ...] = (
    N_("wrong e-mail or password"),
    N_("sign in first"),
    N_("admin"),
    N_("staff"),
    N_("officer"),
    N_("viewer"),
    N_("programme"),
    N_("alignment"),
    N_("partner"),
    N_("partnership"),
    N_("indicator"),
    N_("note"),
    N_("document"),
    N_("goal"),
    N_("user"),
    N_("suggested"),
    N_("confirmed"),
    N_("rejected"),
    N_("idea"),
    N_("proposed"),
    N_("agreed"),
    N_("active"),
    N_("evaluated"),
    N_("ended"),
    N_("%(value)s is not an e-mail address (name@example.org)"),
    N_("row %(row)s, %(field)s: %(message)s"),
    N_("e-mail"),
    N_("name"),
    N_("role"),
    N_("side"),
    N_("walk"),
    N_("bike"),
    N_("drive"),
)
_COOKIE_MAX_AGE_S = 365 * 24 * 3600

#: Validation messages of the forms, per pydantic error type, with the error's ``ctx`` fields
#: (``%(max_length)s`` ...): the field's message on the page is written in the page's language.
FORM_MESSAGES: dict[str, str] = {
    "missing": N_("This field is required."),
    "string_too_short": N_("Write at least %(min_length)s characters."),
    "string_too_long": N_("Write at most %(max_length)s characters."),
    "string_pattern_mismatch": N_("This is not written in the expected form."),
    "greater_than_equal": N_("Write a number of at least %(ge)s."),
    "greater_than": N_("Write a number above %(gt)s."),
    "less_than_equal": N_("Write a number of at most %(le)s."),
    "less_than": N_("Write a number below %(lt)s."),
    "float_parsing": N_("Write a number, e.g. 1500.50."),
    "float_type": N_("Write a number, e.g. 1500.50."),
    "int_parsing": N_("Write a whole number."),
    "int_type": N_("Write a whole number."),
    "int_from_float": N_("Write a whole number."),
    "date_parsing": N_("Write a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": N_("Write a date as YYYY-MM-DD."),
    "date_type": N_("Write a date as YYYY-MM-DD."),
    "finite_number": N_("Write a finite number."),
}


#: Dates out of order (an end before its start), with the two ISO dates.
DATE_ORDER_MESSAGE = N_("The date %(end)s is before the start, %(start)s.")


class PageMessage(str):
    """A message for a page that is English as a ``str`` and carries its catalog ``msgid`` and
    fields, so :func:`tr` writes it in the page's language."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, params: Mapping[str, Any] | None = None) -> PageMessage:
        fields_ = {k: v for k, v in (params or {}).items() if isinstance(v, str | int | float)}
        # a field may itself be a PageMessage (a row's message inside the form's): kept as is
        try:
            text = msgid % fields_
        except (KeyError, TypeError, ValueError):
            text = msgid
        obj = super().__new__(cls, text)
        obj.msgid = msgid
        obj.params = fields_
        return obj

    def translated(self, tr: gettext.NullTranslations, fmt: NumberFormat | None = None) -> str:
        """The message in ``tr``'s language, its numbers written with ``fmt``."""
        params = dict(self.params)
        if fmt is not None:
            for k, v in params.items():
                if isinstance(v, PageMessage):
                    params[k] = v.translated(tr, fmt)
                elif isinstance(v, int | float) and not isinstance(v, bool):
                    params[k] = fmt.num(v, 0 if float(v).is_integer() else 2)
        try:
            return tr.gettext(self.msgid) % params
        except (KeyError, TypeError, ValueError):
            return str(self)


def preferred_languages(header: str | None) -> list[str]:
    """The language tags of an ``Accept-Language`` header, most wanted first.

    Tags with ``q=0`` are refused, a malformed q counts as 0, equal q-values keep the
    header's order; ``*`` is dropped (it names no language).

    Examples
    --------
    >>> preferred_languages("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5")
    ['fr-CH', 'fr', 'en', 'de']
    >>> preferred_languages("en;q=0.1, pt-BR")
    ['pt-BR', 'en']
    """
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        if not tag or tag == "*" or len(tag) > 35:
            continue
        q = 1.0
        for p in params.split(";"):
            name, _, value = p.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if 0 < q <= 1:
            ranked.append((-q, i, tag))
    return [tag for _, _, tag in sorted(ranked)]


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The language to answer in: the cookie's if supported, else the browser's best match
    among :data:`WEB_LANGUAGES`, else ``en``."""
    if cookie and cookie.lower() in WEB_LANGUAGES:
        return cookie.lower()
    found = negotiate_locale(
        preferred_languages(accept_language), WEB_LANGUAGES, sep="-", aliases={}
    )
    return found if found in WEB_LANGUAGES else "en"


@lru_cache(maxsize=8)
def translations(lang: str) -> gettext.NullTranslations:
    """The web catalog of ``lang``, falling back to the brief's catalog, then to English."""
    if lang == "en":
        return gettext.NullTranslations()
    web = load_translations(WEB_LOCALE_DIR, _DOMAIN, lang)
    tr = gettext.GNUTranslations()  # a fresh object: the cached catalogs stay unchained
    tr._catalog = dict(web._catalog)  # type: ignore[attr-defined]
    tr.plural = web.plural  # type: ignore[attr-defined]
    tr.add_fallback(load_translations(BRIEF_LOCALE_DIR, "libpolis", lang))
    return tr


def _lang_of(context: Context) -> str:
    request = context.get("request")
    state = getattr(request, "state", None)
    return getattr(state, "lang", "en") if state is not None else "en"


@pass_context
def _gettext(context: Context, message: str) -> str:
    return translations(_lang_of(context)).gettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return translations(_lang_of(context)).ngettext(singular, plural, n)


@pass_context
def _figure_label(context: Context, figure: Mapping[str, Any]) -> str:
    """A figure's label in the page's language: the brief's own wording for it
    (:func:`libpolis.report.words.label`, which knows the figure's thresholds and mode), so the
    dashboard and the brief name a figure alike; English pages keep the evidence's label."""
    lang = _lang_of(context)
    if lang == "en":
        return str(figure.get("label", ""))
    from libpolis.report.i18n import get_lang
    from libpolis.report.words import label

    request = context.get("request")
    live = getattr(getattr(getattr(request, "app", None), "state", None), "live", None)
    if live is None:
        return translations(lang).gettext(str(figure.get("label", "")))
    fig = Figure(**{k: figure.get(k) for k in _FIGURE_FIELDS})
    return label(get_lang(lang), live.evidence(), fig)


@pass_context
def _tr(context: Context, text: Any) -> str:
    """A word that comes from data (a role, a status, an error message, a figure's label),
    translated when a catalog has it, as it is otherwise; never %-formatted."""
    if text is None or text == "":
        return ""
    if isinstance(text, PageMessage):
        fmt = context.get("fmt")
        return text.translated(
            translations(_lang_of(context)), fmt if isinstance(fmt, NumberFormat) else None
        )
    return translations(_lang_of(context)).gettext(str(text))


def install_gettext(env: Environment) -> None:
    """Install per-request ``_``/``gettext``/``ngettext`` (newstyle: ``%(name)s`` fields are
    filled from keyword arguments, ``num`` with ``ngettext``'s ``n``) and ``tr(value)`` for
    words that come from data (the catalog holds them through :data:`PAGE_WORDS`)."""
    env.install_gettext_callables(  # type: ignore[attr-defined]
        _gettext, _ngettext, newstyle=True
    )
    env.globals["tr"] = _tr
    env.globals["figure_label"] = _figure_label


_FIGURE_FIELDS = tuple(f.name for f in fields(Figure))


def figure_display(figure: Mapping[str, Any], fmt: NumberFormat) -> str:
    """The value of a figure (as :func:`~libpolis.web.live.figure_view` gives it) written in
    ``fmt``'s language, with the brief's formats."""
    return display_value(Figure(**{k: figure.get(k) for k in _FIGURE_FIELDS}), fmt)


def _map_labels(lang: str) -> dict[str, str]:
    """Words the map script shows (layer names, messages), in ``lang``."""
    _ = translations(lang).gettext
    return {
        "access": _("Residents' access"),
        "venues": _("Cultural venues"),
        "libraries": _("Libraries"),
        "districts": _("Districts"),
        "streets": _("Streets and water"),
        "within": _("within"),
        "failed": _("The map could not be loaded."),
        "attribution": _("Districts, population: workspace sources"),
    }


def page_context(request: Any) -> dict[str, Any]:
    """Template context of every page: ``lang``, ``fmt`` (numbers and dates), ``show`` (a
    figure's value), ``map_labels`` and the language switch's choices."""
    lang = getattr(request.state, "lang", "en")
    fmt = getattr(request.state, "fmt", None) or NumberFormat(lang)
    return {
        "lang": lang,
        "fmt": fmt,
        "show": partial(figure_display, fmt=fmt),
        "map_labels": _map_labels(lang),
        "languages": LANGUAGE_NAMES,
    }


class LanguageMiddleware:
    """ASGI middleware: sets ``state.lang`` and ``state.fmt`` of every request, answers
    ``?lang=xx`` by setting the cookie and redirecting, and says ``Content-Language``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        asked = [v for k, v in query if k == "lang"]
        if asked and scope["method"] == "GET" and not scope["path"].startswith("/api"):
            await _switch(scope, send, asked[-1], [(k, v) for k, v in query if k != "lang"])
            return
        cookie = cookie_parser(headers.get("cookie", "")).get(LANG_COOKIE)
        lang = negotiate(cookie, headers.get("accept-language"))
        state: dict[str, Any] = scope.setdefault("state", {})
        state["lang"] = lang
        state["fmt"] = NumberFormat(lang)

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = message.setdefault("headers", [])
                if not any(k.lower() == b"content-language" for k, _ in raw):
                    raw.append((b"content-language", lang.encode()))
            await send(message)

        await self.app(scope, receive, send_wrapper)


async def _switch(scope: Scope, send: Send, asked: str, rest: list[tuple[str, str]]) -> None:
    """Remember the language asked for and send the browser back to the page without it."""
    lang = asked.lower() if asked.lower() in WEB_LANGUAGES else None
    target = quote(scope["path"]) + (f"?{urlencode(rest)}" if rest else "")
    headers = [(b"location", target.encode()), (b"content-length", b"0")]
    if lang:
        secure = "; Secure" if scope.get("scheme") == "https" else ""
        cookie = f"{LANG_COOKIE}={lang}; Max-Age={_COOKIE_MAX_AGE_S}; Path=/; SameSite=lax{secure}"
        headers.append((b"set-cookie", cookie.encode()))
    await send({"type": "http.response.start", "status": 303, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
