"""Text helpers shared by the matchers: sentences, tokens, stop words, language guess.

Deliberately small and dependency-free. Tokens are lower-cased and accent-stripped so that
``éducation`` and ``education`` meet, and a light plural rule folds ``books``/``book``,
``libraries``/``library``, ``bibliotecas``/``biblioteca``. A Finnish compound or inflected word
also yields the words of the shipped Finnish vocabulary it holds (``iltasatutuokioihin`` gives
``satutuokio``; :mod:`libpolis.align._finnish`).
"""

from __future__ import annotations

import html
import itertools
import re
import unicodedata
from collections.abc import Iterable

from libpolis.align._finnish import parts as _finnish_parts

__all__ = ["detect_language", "normalize", "split_sentences", "strip_markup", "tokens"]

_STOP = {
    "en": """a about above after again all also am an and any are as at be because been before being
        below between both but by can could did do does doing down during each even every few for
        from further had has have having he her here hers him his how i if in into is it its itself
        just let like may me more most my no nor not now of off on once only or other our ours out
        over own same she should so some such than that the their theirs them then there these they
        this those through to too under until up upon us very was we were what when where which
        while who whom why will with would you your yours every join come bring welcome free please
        week weeks month day days time times pm am each new get our use using will one two""",
    "fr": """a au aux avec ce ces cet cette dans de des du elle elles en et eux il ils je la le les
        leur leurs lui ma mais me mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se
        ses son sur ta te tes toi ton tu un une vos votre vous y est sont ete etre avoir a ont plus
        tout tous toute toutes chaque comme aussi entre vers chez sans sous lors afin dont ainsi
        venez rejoignez gratuit semaine mois jour heure""",
    "es": """a al algo algunas algunos ante antes como con contra cual cuando de del desde donde
        durante e el ella ellas ellos en entre era es esa esas ese eso esos esta estas este esto
        estos fue fueron ha han hasta hay la las le les lo los mas me mi mis mucho muy nada ni no
        nos nuestra nuestro o os otra otro para pero poco por porque que quien se ser si sin sobre
        son su sus tambien te tiene todo todos tu tus un una uno unos y ya cada ven venga gratis
        semana mes dia hora""",
    "fi": """ja on ei se ovat oli olla mutta tai kun jos niin kuin myos joka jotka tama tassa
        siella han he me te sina mina etta kanssa""",
    "sv": """och i att det som en pa ar for med till den av ej ett om har de var jag men sa
        vi kan nar fran eller ocksa""",
    "de": """der die das und ist nicht ein eine zu den mit von fur auf dem des im sich auch es
        als wie bei oder wir sie ihr""",
}
# Words that nearly every library programme or event listing uses ("fun for all ages, email us"):
# they say nothing about which goal it serves.
_DOMAIN = """library libraries librarian bibliotheque bibliotheques bibliothecaire mediatheque
    biblioteca bibliotecas bibliotecario kirjasto kirjastossa bibliotek biblioteket branch
    event events evenement evento eventos programme programmes program programs session sessions
    seance sesion people personne personnes persona personas local city ville ciudad room rooms
    salle sala open ouvert abierto share partager compartir group groups groupe grupo grupos
    club clubs team staff rencontre encuentro article articulo
    fun email mail age ages aged edad edades ans year years old ano anos small"""
_STOP_SETS = {lang: set(words.split()) for lang, words in _STOP.items()}
STOPWORDS: frozenset[str] = frozenset().union(*_STOP_SETS.values(), _DOMAIN.split())

_TOKEN = re.compile(r"[a-z0-9]+")
# sentence ends: . ! ? ; or a line break; bullets and list markers also start a new sentence
_SENT_END = re.compile(
    r"(?<=[.!?;…])\s+(?=[\"'“«¿¡(\[]?[A-ZÀ-ÖØ-Þ0-9])|\n\s*\n|\n(?=\s*[-*•·–]\s)|\s*[•·]\s*"
)
_MAX_SENT = 400  # characters: longer runs are cut at word boundaries


_BLOCK_TAG = re.compile(r"<\s*(?:br|/p|/div|/li|/h[1-6]|/tr)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]{0,2000}>")
_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)


def strip_markup(text: str) -> str:
    """Plain text of an HTML fragment: tags removed (block ends become paragraph breaks),
    entities decoded, URLs dropped. Text without ``<``, ``&`` or ``://`` is returned as is."""
    if "<" not in text and "&" not in text and "://" not in text and "www." not in text:
        return text
    text = _BLOCK_TAG.sub("\n\n", text)
    text = _TAG.sub(" ", text)
    text = html.unescape(text).replace("\xa0", " ")
    return _URL.sub(" ", text)


def normalize(text: str) -> str:
    """Lower-case, strip accents and map every non-alphanumeric run to one space."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_TOKEN.findall(text))


_WORD_RUN = re.compile(r"[^\W_]+")


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """The folded words of ``text`` (:func:`normalize`, word by word) with the character span
    of the text's own word each comes from, so a phrase matched on folded words can be quoted
    as written ("Contação de histórias" for ``contacao de historias``)."""
    return [
        (w, m.start(), m.end())
        for m in _WORD_RUN.finditer(text)
        for w in normalize(m.group()).split()
    ]


def _fold(tok: str) -> str:
    if len(tok) > 4 and tok.endswith("ies"):
        return tok[:-3] + "y"
    if len(tok) > 4 and tok.endswith(("ches", "shes", "sses", "xes")):
        return tok[:-2]
    if len(tok) > 3 and tok.endswith("s") and not tok.endswith(("ss", "us", "is")):
        return tok[:-1]
    return tok


def tokens(text: str, *, bigrams: bool = True) -> list[str]:
    """Content tokens of ``text`` (stop words and numbers removed, plurals folded), plus bigrams,
    plus the Finnish vocabulary words that its words hold as compound parts.

    Bigrams are built over the content tokens in order, so ``access to information`` gives the
    bigram ``access information``. The Finnish parts (:func:`libpolis.align._finnish.parts`:
    ``iltasatutuokioihin`` holds ``satutuokio``) come last, as extra unigrams; the words of other
    languages hold none, so their tokens are unchanged.
    """
    raw = [
        t for t in normalize(text).split() if t not in STOPWORDS and len(t) > 1 and not t.isdigit()
    ]
    words = [_fold(t) for t in raw]
    extra = [f for t in raw for f in map(_fold, _finnish_parts(t)) if f not in STOPWORDS]
    if not bigrams or len(words) < 2:
        return words + extra
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)] + extra


def split_sentences(text: str) -> list[str]:
    """Split ``text`` into sentences (and list items); long runs are cut near 400 characters.

    HTML markup is stripped first (:func:`strip_markup`).
    """
    out: list[str] = []
    for part in _SENT_END.split(strip_markup(text)):
        part = " ".join(part.split())
        part = part.strip(" -*–")
        if not part:
            continue
        while len(part) > _MAX_SENT:
            cut = part.rfind(" ", 0, _MAX_SENT)
            cut = cut if cut > _MAX_SENT // 2 else _MAX_SENT
            out.append(part[:cut].strip())
            part = part[cut:].strip()
        if part:
            out.append(part)
    return out


def detect_language(
    text: str, candidates: Iterable[str] = ("en", "fr", "es", "fi", "sv", "de")
) -> str:
    """Guess the language of ``text`` by counting stop words; ``"und"`` when nothing matches."""
    words = normalize(text).split()
    best, best_n = "und", 0
    for lang in candidates:
        n = sum(1 for w in words if w in _STOP_SETS.get(lang, ()))
        if n > best_n:
            best, best_n = lang, n
    return best
