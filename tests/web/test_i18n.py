"""The web app speaks en, fr, es and pt: chosen by the lang cookie (the header's switch), else
the browser's Accept-Language, else English; numbers in the page's language."""

from __future__ import annotations

import re

import pytest

from libpolis.web.i18n import negotiate, preferred_languages, translations


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5", ["fr-CH", "fr", "en", "de"]),
        ("en;q=0.1, pt-BR", ["pt-BR", "en"]),
        ("de;q=0, es;q=0.3, fr;q=0.3", ["es", "fr"]),  # q=0 refused, ties keep their order
        ("es;q=abc, pt", ["pt"]),  # a malformed q counts as 0
        ("", []),
        (None, []),
    ],
)
def test_accept_language_is_ranked_by_q(header, expected):
    assert preferred_languages(header) == expected


@pytest.mark.parametrize(
    ("cookie", "header", "lang"),
    [
        (None, "pt-BR,pt;q=0.9,en;q=0.8", "pt"),
        (None, "de-DE,de;q=0.9,es;q=0.5,fr;q=0.4", "es"),  # German is not offered
        (None, "en;q=0.2, fr;q=0.9", "fr"),  # q decides, not the order
        (None, "de, it", "en"),
        (None, None, "en"),
        ("pt", "fr", "pt"),  # the switch wins over the browser
        ("xx", "es", "es"),  # an unknown cookie is ignored
        ("FR", None, "fr"),
    ],
)
def test_negotiation(cookie, header, lang):
    assert negotiate(cookie, header) == lang


def test_fallback_to_the_brief_catalog():
    # a figure label is the brief's message; the web catalog does not copy it
    assert translations("pt").gettext("Mean travel time to the nearest library") == (
        "Tempo médio de deslocamento até a biblioteca mais próxima"
    )
    assert translations("pt").gettext("Dashboard") == "Painel"
    assert translations("en").gettext("Dashboard") == "Dashboard"


def _lang_attr(html: str) -> str:
    m = re.search(r'<html lang="([a-z]+)">', html)
    assert m
    return m.group(1)


def test_pages_follow_accept_language(sqlite_web, login_as):
    app, _ = sqlite_web
    client = login_as(app, None)
    for header, lang, word in [
        ("pt-BR,pt;q=0.9", "pt", "Bibliotecas"),
        ("fr-FR,fr;q=0.9", "fr", "Bibliothèques"),
        ("es;q=0.8,de", "es", "Bibliotecas"),
        ("de", "en", "Libraries"),
    ]:
        r = client.get("/libraries", headers={"Accept-Language": header})
        assert r.status_code == 200
        assert _lang_attr(r.text) == lang
        assert r.headers["content-language"] == lang
        assert f"<h1>{word}</h1>" in r.text


def test_the_switch_sets_a_cookie_and_comes_back(sqlite_web, login_as):
    app, _ = sqlite_web
    client = login_as(app, None)
    r = client.get("/goals?framework=sdg&lang=pt", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/goals?framework=sdg"
    assert r.headers["set-cookie"].startswith("lang=pt;")
    page = client.get("/goals?framework=sdg", headers={"Accept-Language": "fr"})
    assert _lang_attr(page.text) == "pt"  # the cookie wins over the browser
    assert "Objetivos" in page.text
    # an unknown language changes nothing but still comes back
    r = client.get("/goals?lang=zz", follow_redirects=False)
    assert r.status_code == 303 and "set-cookie" not in r.headers


def test_the_cache_keeps_languages_apart(sqlite_web, login_as):
    app, _ = sqlite_web
    anon = login_as(app, None)
    anon.cookies.set("lang", "fr")
    first = anon.get("/libraries")
    again = anon.get("/libraries")
    anon.cookies.set("lang", "es")
    other = anon.get("/libraries")
    assert again.headers.get("x-libpolis-cache") == "hit"
    assert _lang_attr(first.text) == _lang_attr(again.text) == "fr"
    assert _lang_attr(other.text) == "es"


def test_signed_in_pages_and_errors_are_translated(sqlite_web, login_as):
    app, _ = sqlite_web
    admin = login_as(app, "admin")
    admin.cookies.set("lang", "pt")
    users = admin.get("/users").text
    assert "Adicionar um usuário" in users and "administrador" in users
    missing = admin.get("/libraries/999999")
    assert missing.status_code == 404 and "Não encontrado" in missing.text
    anon = login_as(app, None)
    anon.cookies.set("lang", "es")
    r = anon.post("/login", data={"email": "nobody@example.org", "password": "x" * 12,
                                  "csrf_token": anon.headers["X-CSRF-Token"]})  # fmt: skip
    assert r.status_code == 403
    assert "correo o contraseña incorrectos" in r.text


def test_numbers_follow_the_page_language(sqlite_web, login_as):
    app, _ = sqlite_web
    client = login_as(app, None)
    client.cookies.set("lang", "fr")
    page = client.get("/libraries").text
    assert re.search(r"page 1 sur 1 · \d+ en tout", page)


def test_the_brief_is_offered_in_the_page_language(sqlite_web, login_as):
    app, _ = sqlite_web
    client = login_as(app, None)
    client.cookies.set("lang", "pt")
    page = client.get("/").text
    assert 'href="/api/brief.pdf?lang=pt"' in page and "Relatório (PDF)" in page
    client.cookies.set("lang", "en")
    assert 'href="/api/brief.pdf"' in client.get("/").text
