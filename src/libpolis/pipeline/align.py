"""The alignment step: programmes aligned to the SDGs, human rights, Culture 21 Actions and
the city's own strategies; suggestions stored until a person confirms or rejects them.

One text per programme (:func:`programme_text`) and one set of frameworks
(:func:`default_frameworks`) serve every face: ``libpolis align run`` over the workspace,
and the web register when a programme is saved (:func:`suggest_for_programme`), so both
suggest the same goals for the same programme. Programme suggestions rest on evidence in the
text: SDGs through :func:`libpolis.align.abstain.keep_supported`, UDHR articles and Culture 21
commitments through :func:`libpolis.align.rights_evidence.align_programme_texts` (practical
sentences removed, a goal phrase or two shared terms required). A decided alignment (confirmed
or rejected) is never changed by a new run; a suggestion that no longer applies is removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from libpolis.align.abstain import keep_supported
from libpolis.align.api import align_texts, method_of
from libpolis.align.frameworks import BUILTIN_FRAMEWORKS, framework_from_dict, load_framework
from libpolis.align.frameworks import Framework as FrameworkDef
from libpolis.align.rights_evidence import FRAMEWORKS as EVIDENCE_FRAMEWORKS
from libpolis.align.rights_evidence import align_programme_texts
from libpolis.align.strategy import import_strategy
from libpolis.align.terms import CITY_METHOD, city_goal_matches
from libpolis.errors import DataError, NotFoundError
from libpolis.model import CITY_FRAMEWORK, Framework
from libpolis.pipeline.requests import AlignRequest, AlignResult
from libpolis.sources.texts import read_texts_csv
from libpolis.store import session_scope, upsert_records
from libpolis.store.tables import Alignment, Goal, Programme, Run
from libpolis.store.tables import Framework as FrameworkRow

__all__ = [
    "align_text_file",
    "default_frameworks",
    "framework_goals",
    "list_frameworks",
    "programme_text",
    "run_align",
    "store_strategy",
    "suggest_for_programme",
    "train_sdg",
]

_SOURCE = "libpolis:frameworks"
_BUILTIN = tuple(f.value for f in Framework)


def programme_text(title: str | None, description: str | None) -> str:
    """The one text a programme is aligned by: its title as a sentence, then its description."""
    title = (title or "").strip()
    sep = "" if not title or title.endswith((".", "!", "?", ":")) else "."
    return f"{title}{sep}\n\n{description or ''}".strip()


def _records(fw: FrameworkDef, source: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    meta = {k: v for k, v in fw.to_dict().items() if k != "goals"}
    frame = {
        "source": source,
        "source_id": fw.name,
        "key": fw.name,
        "name": fw.title[:300],
        "version": fw.version or None,
        "attrs": meta,
    }
    goals = [
        {
            "source": source,
            "source_id": f"{fw.name}:{g.code}",
            "code": g.code,
            "title": g.label_in("en"),
            "text": g.text,
            "parent_code": g.parent,
            "attrs": g.to_dict(),
        }
        for g in fw.goals
    ]
    return frame, goals


def _store_framework(session: Session, fw: FrameworkDef, *, source: str) -> int:
    """Insert or update a framework and all its goals; the framework's id."""
    frame, goals = _records(fw, source)
    existing = session.scalar(select(FrameworkRow).where(FrameworkRow.key == fw.name))
    if existing is not None and existing.source != source:
        frame["source"] = existing.source
        for g in goals:
            g["source"] = existing.source
    upsert_records(session, FrameworkRow, [frame])
    fid = session.scalar(select(FrameworkRow.id).where(FrameworkRow.key == fw.name))
    for g in goals:
        g["framework_id"] = fid
    upsert_records(session, Goal, goals)
    return int(fid)


def _stored_strategies(session: Session) -> dict[str, FrameworkDef]:
    out = {}
    for row in session.scalars(select(FrameworkRow).order_by(FrameworkRow.id)):
        meta = dict(row.attrs or {})
        if meta.get("kind") != "strategy":
            continue
        goals = session.scalars(select(Goal).where(Goal.framework_id == row.id).order_by(Goal.id))
        data = {**meta, "name": row.key, "goals": [dict(g.attrs or {}) for g in goals]}
        out[row.key] = framework_from_dict(data)
    return out


def default_frameworks(session: Session) -> list[str]:
    """Every built-in framework, every stored strategy, and the register's city goals."""
    names = [*_BUILTIN, *_stored_strategies(session)]
    has_city = session.scalar(select(FrameworkRow.id).where(FrameworkRow.key == CITY_FRAMEWORK))
    return [*names, CITY_FRAMEWORK] if has_city is not None else names


def _city_results(session: Session, texts: list[str]) -> tuple[int | None, list[dict[str, Any]]]:
    fid = session.scalar(select(FrameworkRow.id).where(FrameworkRow.key == CITY_FRAMEWORK))
    goals = session.scalars(select(Goal).where(Goal.framework_id == fid)).all() if fid else []
    pairs = [(g.code, f"{g.title}. {g.text}") for g in goals]
    title = {g.code: g.title for g in goals}
    out = []
    for text in texts:
        found = city_goal_matches(text, pairs)
        out.append(
            {
                "goals": [m["code"] for m in found],
                "scores": {m["code"]: m["score"] for m in found},
                "explanations": {
                    m["code"]: {"terms": m["terms"], "goal_text": title[m["code"]]} for m in found
                },
            }
        )
    return fid, out


def programme_suggestions(texts: list[str], framework: str | FrameworkDef) -> list[dict[str, Any]]:
    """Suggestions for programme texts as the register makes them (``align run``, the web).

    The SDGs: the aligner's goals kept only with evidence in the text, and goals the text names
    strongly added (:func:`libpolis.align.abstain.keep_supported`). Human rights and Culture 21
    (shipped frameworks): practical sentences removed, then the evidence rule
    (:func:`libpolis.align.rights_evidence.align_programme_texts`). A city strategy: the
    matcher's goals as they are.

    Parameters
    ----------
    texts : list of str
        Programme texts (:func:`programme_text`: title and description).
    framework : str or Framework
        ``"sdg"``, a shipped framework's name, a strategy file or a framework definition.
    """
    if not texts:
        return []
    name = framework if isinstance(framework, str) else framework.name
    kind = "builtin" if isinstance(framework, str) else framework.kind
    if name in EVIDENCE_FRAMEWORKS and kind != "strategy":
        # practical sentences removed, then no evidence in the text, no goal
        return align_programme_texts(texts, name)
    results = align_texts(texts, framework)
    if name == Framework.SDG:
        results = keep_supported(texts, results)  # no evidence in the text, no goal
    return results


def _align_in(
    session: Session, prog_ids: list[int], texts: list[str], names: Sequence[str]
) -> dict[str, Any]:
    """Align ``texts`` (programme ``prog_ids``) to each framework in ``names`` and replace
    their suggested alignments; the per-framework summary."""
    strategies = _stored_strategies(session)
    out: dict[str, Any] = {}
    for name in names:
        if name == CITY_FRAMEWORK:
            fid, results = _city_results(session, texts)
            if fid is None:
                out[name] = {"skipped": "the register has no city goals"}
                continue
            method, version = CITY_METHOD
        else:
            fw = strategies.get(name) or load_framework(name)
            try:
                method, version = method_of("sdg" if name == Framework.SDG else fw)
            except NotFoundError as exc:
                out[name] = {"skipped": str(exc)}
                continue
            source = f"strategy:{fw.name}" if fw.kind == "strategy" else _SOURCE
            fid = _store_framework(session, fw, source=source)
            results = programme_suggestions(texts, "sdg" if name == Framework.SDG else fw)
        goal_ids = {
            str(c): int(i)
            for c, i in session.execute(select(Goal.code, Goal.id).where(Goal.framework_id == fid))
        }
        gids = list(goal_ids.values())
        decided = {
            (p, g): st
            for p, g, st in session.execute(
                select(Alignment.programme_id, Alignment.goal_id, Alignment.status).where(
                    Alignment.goal_id.in_(gids), Alignment.programme_id.in_(prog_ids)
                )
            )
        }
        session.execute(
            delete(Alignment).where(
                Alignment.goal_id.in_(gids),
                Alignment.programme_id.in_(prog_ids),
                Alignment.status == "suggested",
            )
        )
        n = 0
        for pid, res in zip(prog_ids, results, strict=True):
            for code in [str(c) for c in res.get("sdgs", res.get("goals", []))]:
                gid = goal_ids[code]
                if decided.get((pid, gid), "suggested") != "suggested":
                    continue  # a person already confirmed or rejected it
                session.add(
                    Alignment(
                        programme_id=pid,
                        goal_id=gid,
                        score=float(res["scores"][code]),
                        method=method,
                        method_version=version,
                        explanation=res["explanations"].get(code, {}),
                        status="suggested",
                    )
                )
                n += 1
        out[name] = {
            "suggestions": n,
            "programmes_with_a_suggestion": sum(
                1 for r in results if r.get("sdgs", r.get("goals"))
            ),
            "method": method,
            "version": version,
        }
    session.flush()
    return out


def run_align(engine: Engine, request: AlignRequest | None = None) -> AlignResult:
    """Align the workspace's programmes (or those of ``request.programme_ids``), store the
    suggestions and the run, in one transaction."""
    req = request or AlignRequest()
    with session_scope(engine) as s:
        stmt = select(Programme.id, Programme.title, Programme.description).order_by(Programme.id)
        if req.programme_ids is not None:
            stmt = stmt.where(Programme.id.in_(list(req.programme_ids)))
        rows = s.execute(stmt).all()
        ids = [int(r[0]) for r in rows]
        texts = [programme_text(r[1], r[2]) for r in rows]
        names = list(req.frameworks) or default_frameworks(s)
        summary = {"programmes": len(ids), "frameworks": _align_in(s, ids, texts, names)}
        run = Run(step="align", params={"frameworks": names}, summary=summary, command=req.command)
        s.add(run)
        s.flush()
        return AlignResult(run.id, summary)


def suggest_for_programme(session: Session, programme: Programme) -> list[Alignment]:
    """Refresh the suggestions of one programme inside the caller's transaction (the web app
    does this when a programme is saved); all its alignments, decided ones included."""
    if programme.id is None:
        session.flush()
    text = programme_text(programme.title, programme.description)
    _align_in(session, [int(programme.id)], [text], default_frameworks(session))
    return list(
        session.scalars(select(Alignment).where(Alignment.programme_id == programme.id)).all()
    )


def align_text_file(
    path: Path,
    framework: str,
    *,
    threshold: float | None = None,
    encoding: str = "utf-8",
    programmes: bool = False,
) -> list[dict[str, Any]]:
    """Align the ``id,text`` rows of a CSV file; one result per row with its ``id``.

    With ``programmes`` the texts are taken for programme descriptions and get what the
    register would suggest for them (:func:`programme_suggestions`), not the aligner's
    reading of any text; a forced ``threshold`` cannot be combined with it.
    """
    if programmes and threshold is not None:
        raise DataError(
            "--programmes gives the register's suggestions, which have no single threshold: "
            "leave out --threshold"
        )
    ids, texts = read_texts_csv(path, encoding=encoding)
    if programmes:
        results = programme_suggestions(texts, framework)
    else:
        results = align_texts(texts, framework, threshold=threshold)
    return [{"id": rid, **res} for rid, res in zip(ids, results, strict=True)]


def list_frameworks(engine: Engine | None) -> list[dict[str, Any]]:
    """The shipped frameworks and (with a workspace) the strategies stored in it."""
    items = []
    for name in BUILTIN_FRAMEWORKS:
        fw = load_framework(name)
        items.append({"name": name, "title": fw.title, "goals": len(fw), "kind": fw.kind})
    if engine is not None:
        with session_scope(engine) as s:
            for fw in _stored_strategies(s).values():
                items.append({"name": fw.name, "title": fw.title, "goals": len(fw),
                              "kind": fw.kind})  # fmt: skip
    return items


def framework_goals(engine: Engine | None, name: str, language: str = "en") -> dict[str, Any]:
    """A framework's goals in ``language``: a stored strategy, a shipped name or a file."""
    fw = None
    if engine is not None:
        with session_scope(engine) as s:
            fw = _stored_strategies(s).get(name)
    fw = fw or load_framework(name)
    goals = [
        {
            "code": g.code,
            "title": g.label_in(language),
            "official_title": g.title_in(language),
            "text": g.text_in(language),
        }
        for g in fw.goals
    ]
    return {"name": fw.name, "title": fw.title, "source": fw.source, "goals": goals}


def store_strategy(
    engine: Engine, path: Path, *, name: str | None = None, language: str | None = None
) -> dict[str, Any]:
    """Split a city strategy (txt, md or pdf) into goals and store it."""
    fw = import_strategy(path, name=name, language=language)
    with session_scope(engine) as s:
        fid = _store_framework(s, fw, source=f"strategy:{fw.name}")
    return {
        "name": fw.name,
        "title": fw.title,
        "language": fw.languages[0],
        "goals": [{"code": g.code, "title": g.title} for g in fw.goals],
        "framework_id": fid,
    }


def train_sdg(
    out: Path | None, *, seed: int = 0, data_dir: Path | None = None
) -> tuple[Path, dict[str, Any]]:
    """Rebuild the SDG model from the labelled data (fixed, documented split and seed) into
    ``out`` (default: the model folder shipped with libpolis); the folder and its metadata."""
    from importlib import resources

    try:
        from libpolis.align.train import train_sdg_model
    except ImportError as exc:
        raise NotFoundError(f"SDG training is not available ({exc})") from None
    folder = out or Path(str(resources.files("libpolis") / "data" / "models" / "sdg"))
    meta = train_sdg_model(folder, seed, data_dir=data_dir)
    return folder, meta if isinstance(meta, dict) else {}
