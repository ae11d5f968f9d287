"""Evidence rule for rights (UDHR) and Culture 21 programme suggestions.

The similarity matcher (:mod:`libpolis.align.match`) suggests a goal when one sentence of a
programme scores high enough against it, and on short listings one generic word can do that: "The
club is for players who already know the basics" met UDHR article 7 through "know your rights",
"The language of the storytime is Finnish" met article 2 (discrimination on grounds of
language), and a sentence giving an e-mail address to sign up met Culture 21 commitment 8 through
"information". A librarian rejects such suggestions. On the programme suggestion path
(:func:`libpolis.pipeline.align`, so the CLI, the web register and the brief) two steps run
around the matcher:

1. **practical sentences are removed before matching** (:func:`substantive_text`): contact and
   booking instructions (an e-mail address, a phone number, "sign up for", "book your turn",
   "by e-mail"), the language an event is held in ("the presentation language is Finnish",
   "subtitles") and lines that only give a schedule. They never carry a rights claim.
2. **a suggested goal is kept only with evidence** (:func:`keep_rights_supported`), one of:

   * a *phrase of the goal* is in the sentence that drove the match: a phrase of the goal's
     description (``data/frameworks/descriptions``, every language shipped), matched as whole
     words after case, accent and plural folding (Finnish phrases also inside compounds, as
     :mod:`libpolis.align._finnish` reads them), in the text's language(s), minus the generic
     phrases of ``data/frameworks/rights_evidence.json`` ("language", "information", "family",
     "experiments"...: each listed with the reason it is no evidence alone);
   * *several distinct terms*: that sentence shares at least ``min_terms`` distinct content
     words with the goal (generic ones not counted);
   * a *clearly higher score*: at least ``strong`` above the framework's threshold (off when
     ``null``);
   * otherwise, when other sentences of the text hold a phrase of the goal and, matched on their
     own, reach the threshold, the goal is kept with that match as its explanation (the theatre
     studio's "Your child will learn" rather than "try, fantasize, show, experiment").

The rule and its constants were chosen on the calibration rows of
``data/frameworks/calibration/programmes.csv`` (``benchmarks/align_frameworks.py`` prints the
comparison); the figures are in ``benchmarks/align_frameworks.md``. Each kept explanation gains
``"evidence"``: the phrases as written in the person's own text. The model's list is kept in
``raw_goals``. The rule only removes goals; it never adds one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

from libpolis.align._finnish import find_phrases
from libpolis.align._text import STOPWORDS, _fold, normalize, split_sentences, word_spans
from libpolis.align.abstain import _languages
from libpolis.align.frameworks import load_framework
from libpolis.align.match import default_threshold, match_texts
from libpolis.errors import DataError

__all__ = [
    "FRAMEWORKS",
    "admin_sentence",
    "align_programme_texts",
    "goal_evidence",
    "keep_rights_supported",
    "substantive_text",
]

#: The frameworks the rule applies to (their goals have descriptions to find phrases in).
FRAMEWORKS = ("udhr", "culture21")


# Contact and booking instructions and what to bring (an ID, a proof of address) (en, fr, es, pt,
# fi, sv). Phrases, not single words, so that "help to set up email" or "voter registration"
# stay content.
_ADMIN = re.compile(
    r"""
    [\w.+-]+@[\w-]+\.[\w.]+                                   # an e-mail address
    | \+?\d[\d ()-]{6,}\d                                     # a phone number
    | \b(?:by|via|per|par|por)\s+(?:e-?mail|courriel|correo|(?:tele)?phone|t[eé]l[eé]phone
         |tel[eé]fono|telefone|sms)\b
    | \b(?:tel|puh|p)\.\s*\d
    | \bsign(?:ing)?[ -]?up\s+(?:for|at|by|via|in|on|here|online|through|to)\b
    | \b(?:please|you\s+can|you\s+may)\s+(?:register|sign\s+up|enrol+|book|reserve)\b
    | \bregistration\s+(?:is\s+)?(?:required|needed|recommended|opens|closes|at|via|by)\b
    | \b(?:book|reserve)\s+(?:your|a|the)\s+(?:own\s+)?(?:place|seat|spot|turn|time|ticket)
    | \b(?:take|takes)\s+appointments\b
    | \binscri(?:vez|s|re|be|bete|ção|cao|pción|pcion)\b
    | \binscription\b | \binscripci[oó]n\b | \binscri[cç][aã]o\b
    | \br[eé]serv(?:ez|ation|ar|a\s+tu|e\s+(?:sua|tua))\b | \bsur\s+r[eé]servation\b
    | \bmarca\s+a\s+tua\s+vez\b
    | \bilmoittau\w* | \bvarau\w* | \banm[aä]l\w*
    | \b(?:more|further)\s+information\s+(?:at|from|on|by|about)\b
    | \bcontact\s+(?:us|the|our)\b
    | \b(?:bring|apportez|apporter|munissez-vous|trae|traiga|traer|leve|traga|levar|trazer)\b
      [^.]{0,40}\b(?:id|identity|pi[eè]ce\s+d.identit[eé]|justificatif|documento|dni
      |identificaci[oó]n|c[eé]dula|comprovante|comprobante)\b
    | \bproof\s+of\s+address\b | \bjustificatif\s+de\s+domicile\b
    | \bcomprobante\s+de\s+domicilio\b | \bcomprovante\s+de\s+(?:resid[eê]ncia|endere[cç]o)\b
    """,
    re.IGNORECASE | re.VERBOSE,
)

# The language an event is held in ("the presentation language is Finnish", "the storytime is in
# Finnish", "l'heure du conte se déroule en finnois"), and subtitles.
_LANG_NAMES = r"""(?:finnish|swedish|english|italian|russian|ukrainian|estonian|arabic|somali|spanish
    |french|german|finnois|su[eé]dois|anglais|italien|russe|ukrainien|fin[eé]s|sueco|ingl[eé]s
    |italiano|ruso|ucraniano|finland[eê]s|ingl[eê]s|russo)"""
_LANGUAGE_OF_EVENT = re.compile(
    rf"""
    \b(?:languages?|langues?|idiomas?|l[ií]nguas?|lenguas?)\b[^.]{{0,40}}
      \b(?:is|are|est|sont|es|son|[eé]|s[aã]o)\s+(?:in\s+|en\s+|em\s+)?{_LANG_NAMES}\b
    | \b(?:is|are|held|takes\s+place|est|se\s+d[eé]roule|es|se\s+realiza|[eé])\s+
      (?:in|en|em)\s+{_LANG_NAMES}\b
    | \b(?:subtitle[sd]?|sous-titr\w*|subt[ií]tulo\w*|legendas?)\b
    | \bsuomeksi\b | \bruotsiksi\b | \benglanniksi\b | \bp[aå]\s+(?:svenska|finska|engelska)\b
    """,
    re.IGNORECASE | re.VERBOSE,
)

# Words of a line that only gives a schedule ("Wednesdays: 8.1, 29.1, 19.2 from 6.00 to 7.05 pm").
_SCHEDULE_WORDS = """
    monday tuesday wednesday thursday friday saturday sunday mondays tuesdays wednesdays
    thursdays fridays saturdays sundays january february march april may june july august
    september october november december jan feb mar apr jun jul aug sep sept oct nov dec
    am pm from to at on every each and the a an of until till h klo kello lundi mardi mercredi
    jeudi vendredi samedi dimanche lunes martes miercoles jueves viernes sabado domingo de a
    las los le les el la du des y et e em da do das dos segunda terca quarta quinta sexta
    sabados domingos maanantai tiistai keskiviikko torstai perjantai lauantai sunnuntai"""
_SCHEDULE = frozenset(_SCHEDULE_WORDS.split())


@lru_cache(maxsize=1)
def _spec() -> dict[str, Any]:
    path = resources.files("libpolis") / "data" / "frameworks" / "rights_evidence.json"
    spec: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return spec


def _key(word: str) -> str:
    """A word without its plural, unless that makes a stop word ("news" is not "new")."""
    folded = _fold(word)
    return word if folded in STOPWORDS else folded


def _words(text: str) -> list[str]:
    return [_key(w) for w in normalize(text).split()]


@lru_cache(maxsize=1)
def _generic() -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(_words(p)) for p in _spec().get("generic", {}))


@lru_cache(maxsize=4)
def _phrases(framework: str) -> dict[str, list[tuple[str, str, tuple[str, ...]]]]:
    """Every evidence phrase of ``framework``, by first word: ``{word: [(code, lang, words)]}``."""
    fw = load_framework(framework)
    generic = _generic()
    index: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {}
    for g in fw.goals:
        for lang, desc in sorted(g.descriptions.items()):
            # Finnish phrases keep their words unfolded: they are read inside compounds
            # (:func:`libpolis.align._finnish.find_phrases`), not as whole folded words
            form = (lambda p: normalize(p).split()) if lang == "fi" else _words
            found = {tuple(form(p)) for p in re.split(r"[,;]", desc)}
            for words in sorted(found):
                if (tuple(_key(w) for w in words) if lang == "fi" else words) in generic:
                    continue
                if words and not all(w.isdigit() for w in words):
                    index.setdefault(words[0], []).append((g.code, lang, words))
    return index


def admin_sentence(sentence: str) -> bool:
    """Whether ``sentence`` is practical information that carries no rights claim.

    Contact and booking instructions, the language the event is held in, subtitles, and lines
    made only of days, dates and times.

    Examples
    --------
    >>> admin_sentence("The language of the storytime is Finnish.")
    True
    >>> admin_sentence("You can sign up for the studio by e-mail at studio@example.org")
    True
    >>> admin_sentence("Our volunteers help you set up email and get online.")
    False
    """
    if _ADMIN.search(sentence) or _LANGUAGE_OF_EVENT.search(sentence):
        return True
    words = [w for w in normalize(sentence).split() if not w.isdigit()]
    return bool(words) and all(w in _SCHEDULE for w in words)


def substantive_text(text: str) -> str:
    """``text`` without its practical sentences (:func:`admin_sentence`), sentences kept
    verbatim and separated by blank lines; ``""`` when nothing is left."""
    return "\n\n".join(s for s in split_sentences(text) if not admin_sentence(s))


def _spans(text: str) -> list[tuple[str, int, int, str]]:
    """Folded words of ``text`` with their character spans in ``text`` (and the word before
    plural folding, which Finnish compounds are read from)."""
    return [(_key(w), start, end, w) for w, start, end in word_spans(text)]


def _text_languages(text: str, framework: str) -> set[str]:
    """The description languages to read ``text`` with (every one when none is recognised)."""
    langs = set(_languages(normalize(text).split()))
    all_langs = {lang for entries in _phrases(framework).values() for _, lang, _ in entries}
    return langs & all_langs or all_langs


def _scan(text: str, framework: str, langs: set[str] | None = None) -> dict[str, list[str]]:
    """``{goal code: phrases of the text}`` for every goal with a phrase in ``text``."""
    spans = _spans(text)
    if not spans:
        return {}
    words = [w for w, _, _, _ in spans]
    langs = _text_languages(text, framework) if langs is None else langs
    found: dict[str, dict[str, None]] = {}
    for i, w in enumerate(words):
        for code, lang, phrase in _phrases(framework).get(w, ()):
            n = len(phrase)
            if lang in langs and lang != "fi" and tuple(words[i : i + n]) == phrase:
                found.setdefault(code, {})[text[spans[i][1] : spans[i + n - 1][2]]] = None
    if "fi" in langs:  # Finnish phrases also inside compounds ("iltasatutuokio")
        index = _phrases(framework)

        def finnish(first: str) -> list[tuple[str, tuple[str, ...]]]:
            return [(code, p) for code, lang, p in index.get(first, ()) if lang == "fi"]

        raw = [r for _, _, _, r in spans]
        for i, code, phrase in find_phrases(raw, finnish):
            found.setdefault(code, {})[text[spans[i][1] : spans[i + len(phrase) - 1][2]]] = None
    return {c: _distinct(list(v)) for c, v in found.items()}


def _distinct(phrases: list[str]) -> list[str]:
    """``phrases`` without repeats that differ only in case, nor ones inside a longer one
    ("Inclusion" beside "Social Inclusion"), in the order found."""
    folded = [normalize(p) for p in phrases]
    out: list[str] = []
    seen: set[str] = set()
    for p, f in zip(phrases, folded, strict=True):
        inside = any(f != g and f" {f} " in f" {g} " for g in folded)
        if f not in seen and not inside:
            out.append(p)
        seen.add(f)
    return out


def goal_evidence(text: str, framework: str, code: str) -> list[str]:
    """Phrases of goal ``code`` found in ``text``, as written in the text.

    Parameters
    ----------
    text : str
        A programme text (its practical sentences are not read).
    framework : str
        ``"udhr"`` or ``"culture21"``.
    code : str
        Goal code (``"26"``).

    Returns
    -------
    list of str
        The phrases in the order found; empty when the text gives none.

    Examples
    --------
    >>> goal_evidence("Open Storytime. We read stories to children.", "udhr", "26")
    ['Storytime']
    >>> goal_evidence("The club is for players who already know the basics.", "udhr", "7")
    []
    """
    return _scan(substantive_text(text), framework).get(str(code), [])


def _distinct_terms(terms: Sequence[str]) -> int:
    generic = _generic()
    return len({t for t in terms if " " not in t and (t,) not in generic})


def _strong(framework: str) -> float | None:
    margin = (_spec().get("strong") or {}).get(framework)
    return None if margin is None else default_threshold(framework)[0] + float(margin)


def _rescore(sentences: list[str], framework: str, code: str) -> dict[str, Any] | None:
    """The match of goal ``code`` on ``sentences`` alone, when it reaches the threshold."""
    if not sentences:
        return None
    (matches,) = match_texts(["\n\n".join(sentences)], framework, threshold=0.0, relative=0.0)
    for m in matches:
        if m.code == code and m.score >= default_threshold(framework)[0]:
            return {k: v for k, v in m.to_dict().items() if k != "code"}
    return None


def _supported(
    text: str, goals: list[str], res: dict[str, Any], framework: str
) -> dict[str, dict[str, Any]]:
    """``{code: explanation}`` of the goals of ``goals`` the text gives evidence for."""
    min_terms = int(_spec().get("min_terms") or 0)
    strong = _strong(framework)
    expl = res.get("explanations") or {}
    scores = res.get("scores") or {}
    langs = _text_languages(text, framework)
    per_sentence: list[tuple[str, dict[str, list[str]]]] = []  # scanned when first needed
    kept: dict[str, dict[str, Any]] = {}
    for g in goals:
        ex = {**dict(expl.get(g) or {}), "score": scores.get(g)}
        phrases = _scan(str(ex.get("sentence", "")), framework, langs).get(g, [])
        if (
            phrases
            or (min_terms and _distinct_terms(ex.get("terms") or []) >= min_terms)
            or (strong is not None and float(scores.get(g, 0.0)) >= strong)
        ):
            kept[g] = {**ex, "evidence": phrases}
            continue
        # the best sentence holds no evidence: the goal may still rest on the sentences that
        # hold its phrases, if they reach the threshold on their own
        if not per_sentence:
            per_sentence = [(s, _scan(s, framework, langs)) for s in split_sentences(text)]
        own = [s for s, found in per_sentence if found.get(g)]
        again = _rescore(own, framework, g)
        if again is not None:
            kept[g] = {**again, "evidence": _scan(again["sentence"], framework, langs).get(g, [])}
    return kept


def keep_rights_supported(
    texts: Sequence[str], results: Sequence[dict[str, Any]], framework: str
) -> list[dict[str, Any]]:
    """Drop the UDHR / Culture 21 suggestions the text gives no evidence for.

    A goal is kept when the sentence that drove it holds a phrase of the goal or shares
    ``min_terms`` distinct content words with it (or scores ``strong`` above the threshold);
    otherwise, when the sentences of the text that hold a phrase of the goal reach the
    threshold on their own, the goal is kept with their match as the explanation.

    Parameters
    ----------
    texts : sequence of str
        The texts the results were computed on (give :func:`substantive_text` of each
        programme text to the matcher, and the same here).
    results : sequence of dict
        ``align_texts(texts, framework)``, one per text.
    framework : str
        ``"udhr"`` or ``"culture21"``; results of any other framework are returned unchanged.

    Returns
    -------
    list of dict
        New dictionaries: ``goals``, ``scores`` and ``explanations`` keep the supported goals,
        best score first (each explanation gains ``"evidence"``: the goal phrases of its
        sentence, as written there); ``raw_goals`` holds the matcher's list.
    """
    if len(texts) != len(results):
        raise DataError(f"{len(texts)} texts but {len(results)} results")
    if framework not in FRAMEWORKS:
        return [dict(r) for r in results]
    out = []
    for text, res in zip(texts, results, strict=True):
        goals = [str(g) for g in res.get("goals", [])]
        kept = _supported(text, goals, res, framework) if goals else {}
        order = sorted(kept, key=lambda g: (-float(kept[g]["score"]), goals.index(g)))
        new = dict(res)
        new["raw_goals"] = goals
        new["goals"] = order
        new["scores"] = {g: round(float(kept[g]["score"]), 4) for g in order}
        new["explanations"] = {g: dict(kept[g]) for g in order}
        out.append(new)
    return out


def align_programme_texts(texts: Sequence[str], framework: str) -> list[dict[str, Any]]:
    """UDHR or Culture 21 suggestions for programme texts, as the workspace stores them.

    The matcher (:func:`libpolis.align.api.align_texts`) reads each text without its practical
    sentences (:func:`substantive_text`), then :func:`keep_rights_supported` keeps the goals
    with evidence. Explanations quote the programme's own sentences and phrases.

    Parameters
    ----------
    texts : sequence of str
        Programme texts (title and description, :func:`libpolis.pipeline.align.programme_text`).
    framework : str
        ``"udhr"`` or ``"culture21"``.

    Returns
    -------
    list of dict
        One result per text, as :func:`keep_rights_supported` returns them.
    """
    from libpolis.align.api import align_texts

    if framework not in FRAMEWORKS:
        raise DataError(f"the evidence rule covers {', '.join(FRAMEWORKS)}, not {framework!r}")
    kept = [substantive_text(t) for t in texts]
    return keep_rights_supported(kept, align_texts(kept, framework), framework)
