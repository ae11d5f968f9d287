"""The labelled set of real library programmes (``tests/data/align/programmes_labelled.csv``).

Rows whose text has no licence to be copied (Jersey City / Hoboken listings, Barnet event-type
names) keep only a key in the file; their text is read here from the shared data folder
(``../shared/data/library-programmes-and-events``), so it is never committed or shipped. The
other rows (City of Helsinki events and Annantalo courses, CC BY 4.0; Timberland Regional
Library categories, public domain; translations of those into fr/es/pt) carry their text.

Keys: ``sha1:`` + the first 16 hex digits of the SHA-1 of
``"<source>|<lower-cased title>|<first 400 characters of the normalised body>"`` for Jersey City
and Hoboken (one row per distinct listing: the same title and text on several dates is one
programme), and of the lower-cased name for Barnet (as in the earlier
``calibration/sdg_library_real.csv``, now folded into this set) and for the Finnish service and
programme names of the Helmet libraries (``helmet_services``: NFC, whitespace runs as one
space, lower-cased; ``../shared/data/helsinki/helmet-libraries-2025/libraries.csv``, column
``services_fi``; no licence stated, so only keys are committed).

Split of the Finnish rows added for the Finnish vocabulary (:func:`split_of`): a
``helmet_services`` row is **test** when the integer value of the first 8 hex digits of its key
is divisible by 3, else **dev**; the vocabulary was chosen looking at dev rows only. Every other
row is ``all`` (not part of that split).
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

__all__ = [
    "BLIND_LISTINGS",
    "LABELLED",
    "barnet_names",
    "blind_listings",
    "helmet_services",
    "jc_hoboken_listings",
    "labelled_programmes",
    "split_of",
]

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "tests" / "data" / "align" / "programmes_labelled.csv"
#: 100 listings in Brazilian Portuguese, French and Spanish, labelled blind to the vocabulary.
BLIND_LISTINGS = ROOT / "benchmarks" / "data" / "programmes_listings_2.csv"
_EVENTS = "library-programmes-and-events"


def _text(s: str | None) -> str:
    s = re.sub(r"<[^>]+>", " ", s or "")
    return re.sub(r"\s+", " ", html.unescape(s)).strip()


def _key(s: str) -> str:
    return "sha1:" + hashlib.sha1(s.encode("utf-8")).hexdigest()[:16]


def jc_hoboken_listings(data_root: Path) -> dict[str, dict[str, str]]:
    """Distinct Jersey City / Hoboken listings: key -> ``{source, title, body, link, n}``.

    The body is the description without its date/time/location header (Jersey City) or the
    ``full_description`` (Hoboken). Empty when the files are not there.
    """
    base = data_root / _EVENTS / "jersey_city_hoboken_nj_us"
    out: dict[str, dict[str, Any]] = {}
    if not base.is_dir():
        return {}
    recs = [
        ("jersey_city", e, _text(e.get("description")))
        for e in json.loads((base / "jersey_city_storytimes.json").read_text(encoding="utf-8"))
    ] + [
        ("hoboken", e, _text(e.get("full_description") or e.get("description")))
        for e in json.loads((base / "hoboken_storytimes.json").read_text(encoding="utf-8"))
    ]
    for src, e, d in recs:
        title = str(e.get("title") or "").strip()
        body = re.sub(r"^Date:.*?Location:\s*", "", d) if d.startswith("Date:") else d
        body = re.sub(r"^(\w+day, \w+ \d+ \d{4} [\d:apm -]+)", "", body).strip()
        norm = re.sub(r"\W+", " ", body.lower())[:400]
        k = _key(f"{src}|{title.lower()}|{norm}")
        if k in out:
            out[k]["n"] += 1
            continue
        out[k] = {"source": src, "title": title, "body": body, "link": e.get("link", ""), "n": 1}
    return out


def barnet_names(data_root: Path) -> dict[str, str]:
    """Barnet event-type names by key (empty when the file is not there)."""
    path = data_root / _EVENTS / "barnet_uk" / "events_barnet.csv"
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        names = sorted({r["Name"].strip() for r in csv.DictReader(fh)})
    out: dict[str, str] = {}
    for n in names:
        out.setdefault(_key(n.lower()), n)
    return out


def helmet_services(data_root: Path) -> dict[str, str]:
    """Finnish service and programme names of the Helmet libraries by key (empty when the file
    is not there)."""
    path = data_root / "helsinki" / "helmet-libraries-2025" / "libraries.csv"
    if not path.is_file():
        return {}
    out: dict[str, str] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            for name in (r.get("services_fi") or "").split(" | "):
                name = " ".join(unicodedata.normalize("NFC", name).split())
                if name:
                    out.setdefault(_key(name.lower()), name)
    return out


def split_of(row: dict[str, Any]) -> str:
    """``"test"`` / ``"dev"`` for the ``helmet_services`` rows (see the module docstring),
    ``"all"`` for every other row."""
    if row["source"] != "helmet_services":
        return "all"
    return "test" if int(row["source_id"][5:13], 16) % 3 == 0 else "dev"


def _goals(s: str) -> list[int]:
    return sorted({int(x) for x in s.split(";") if x.strip()})


def labelled_programmes(data_root: Path | None) -> list[dict[str, Any]]:
    """Every labelled programme whose text is at hand, with ``text``, ``sdgs`` and ``also_ok``.

    ``sdgs``: the goals a careful reader assigns (empty: the text gives no evidence for any);
    ``also_ok``: goals that would be defensible but were not assigned (a suggestion of one of
    them is not counted as wrong).
    """
    with open(LABELLED, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    jc = jc_hoboken_listings(data_root) if data_root else {}
    barnet = barnet_names(data_root) if data_root else {}
    helmet = helmet_services(data_root) if data_root else {}
    out = []
    for r in rows:
        src = r["source"]
        if src in ("jersey_city", "hoboken"):
            e = jc.get(r["source_id"])
            if e is None:
                continue
            title, desc = e["title"], e["body"]
        elif src == "barnet":
            name = barnet.get(r["source_id"])
            if name is None:
                continue
            title, desc = name, ""
        elif src == "helmet_services":
            name = helmet.get(r["source_id"])
            if name is None:
                continue
            title, desc = name, ""
        else:
            title, desc = r["title"], r["description"]
        text = f"{title}.\n\n{desc}" if desc else title
        out.append(
            {
                **r,
                "title": title,
                "text": text,
                "sdgs": _goals(r["sdgs"]),
                "also_ok": _goals(r["also_ok"]),
                "split": split_of(r),
            }
        )
    return out


def blind_listings() -> list[dict[str, Any]]:
    """The rows of :data:`BLIND_LISTINGS` with ``text`` (the pipeline's programme text), ``sdgs``
    and ``also_ok`` as lists of goals; empty when the file is absent."""
    from libpolis.pipeline import programme_text

    if not BLIND_LISTINGS.is_file():
        return []
    with open(BLIND_LISTINGS, encoding="utf-8", newline="") as fh:
        return [
            {
                **r,
                "text": programme_text(r["title"], r["description"]),
                "sdgs": _goals(r["sdgs"]),
                "also_ok": _goals(r["also_ok"]),
            }
            for r in csv.DictReader(fh)
        ]
