"""``libpolis align ...`` and ``libpolis frameworks ...``: alignment on the command line.

``register(app)`` adds two sub-apps:

* ``align texts --framework sdg --input FILE.csv``: any texts (CSV with ``id,text``), one JSON
  object per line on stdout; needs no workspace;
* ``align run``: aligns the workspace's programmes with the SDGs, the UDHR, Culture 21 Actions
  and every stored city strategy, and stores the suggestions (method and version recorded;
  people confirm or reject them later). Suggestions already confirmed or rejected are kept;
* ``align train``: rebuilds the shipped SDG model (``libpolis.align.train.train_sdg_model``);
* ``frameworks list``, ``frameworks show NAME``, ``frameworks import-strategy FILE``:
  strategies are stored in the workspace and aligned by ``align run``.
"""

from __future__ import annotations

import csv
import io
import json
import shlex
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from libpolis._cli_common import DbOpt, JsonOpt, WorkspaceOpt, cli_errors, emit, engine_for
from libpolis.errors import DataError, MissingColumnError, NotFoundError

__all__ = ["read_texts_csv", "register"]

_SOURCE = "libpolis:frameworks"
_DEFAULT_RUN = ("sdg", "udhr", "culture21")


def read_texts_csv(path: str | Path, *, encoding: str = "utf-8") -> tuple[list[str], list[str]]:
    """Read ``id,text`` rows from a CSV file.

    Returns
    -------
    tuple of list
        Ids and texts, in file order.

    Raises
    ------
    NotFoundError
        No such file.
    MissingColumnError
        The header lacks ``id`` or ``text`` (the message lists the columns found).
    DataError
        A row has an empty or duplicate id, or too few fields; the file is not text. The
        message names the file, the row (1 = header) and the column.
    """
    p = Path(path)
    if not p.is_file():
        raise NotFoundError(f"no input file at {p}")
    try:
        raw = p.read_bytes().decode(encoding.replace("utf-8", "utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise DataError(
            f"not {encoding} text ({exc.reason} at byte {exc.start})", where=str(p)
        ) from None
    except LookupError:
        raise DataError(f"unknown encoding {encoding!r}", where=str(p)) from None
    if "\x00" in raw:
        raise DataError("the file is binary, not CSV text (found NUL bytes)", where=str(p))
    reader = csv.reader(io.StringIO(raw, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise DataError(
            "the CSV file is empty: expected a header with id,text", where=str(p)
        ) from None
    except csv.Error as exc:
        raise DataError(f"row 1: {exc}", where=str(p)) from None
    missing = [c for c in ("id", "text") if c not in header]
    if missing:
        raise MissingColumnError(
            f"column(s) {', '.join(missing)} missing; found columns {header}", where=str(p)
        )
    i_id, i_text = header.index("id"), header.index("text")
    ids: list[str] = []
    texts: list[str] = []
    seen: dict[str, int] = {}
    row_no = 1
    try:
        for row_no, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) <= max(i_id, i_text):
                col = "text" if len(row) > i_id else "id"
                raise DataError(
                    f"row {row_no}, column {col}: missing (row has {len(row)} fields)", where=str(p)
                )
            rid = row[i_id].strip()
            if not rid:
                raise DataError(f"row {row_no}, column id: empty id", where=str(p))
            if rid in seen:
                raise DataError(
                    f"row {row_no}, column id: duplicate id {rid!r} (first on row {seen[rid]})",
                    where=str(p),
                )
            seen[rid] = row_no
            ids.append(rid)
            texts.append(row[i_text])
    except csv.Error as exc:
        raise DataError(f"row {row_no + 1}: {exc}", where=str(p)) from None
    return ids, texts


def _framework_records(fw: Any, source: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
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
            "title": g.title,
            "text": g.text,
            "parent_code": g.parent,
            "attrs": g.to_dict(),
        }
        for g in fw.goals
    ]
    return frame, goals


def store_framework(engine: Any, fw: Any, *, source: str = _SOURCE) -> dict[str, int]:
    """Insert or update a framework and its goals in the workspace store.

    Returns
    -------
    dict
        ``{"framework_id", "goals"}``.
    """
    from sqlalchemy import select

    from libpolis.store import session_scope, upsert_records
    from libpolis.store.tables import Framework as FrameworkRow
    from libpolis.store.tables import Goal as GoalRow

    frame, goals = _framework_records(fw, source)
    with session_scope(engine) as s:
        existing = s.scalar(select(FrameworkRow).where(FrameworkRow.key == fw.name))
        if existing is not None and existing.source != source:
            frame["source"] = existing.source
            for g in goals:
                g["source"] = existing.source
        upsert_records(s, FrameworkRow, [frame])
        fid = s.scalar(select(FrameworkRow.id).where(FrameworkRow.key == fw.name))
        for g in goals:
            g["framework_id"] = fid
        upsert_records(s, GoalRow, goals)
    return {"framework_id": int(fid), "goals": len(goals)}


def _stored_frameworks(engine: Any) -> list[Any]:
    from sqlalchemy import select

    from libpolis.align.frameworks import framework_from_dict
    from libpolis.store import session_scope
    from libpolis.store.tables import Framework as FrameworkRow
    from libpolis.store.tables import Goal as GoalRow

    out = []
    with session_scope(engine) as s:
        for row in s.scalars(select(FrameworkRow).order_by(FrameworkRow.id)):
            meta = dict(row.attrs or {})
            if meta.get("kind") != "strategy":
                continue
            goals = s.scalars(
                select(GoalRow).where(GoalRow.framework_id == row.id).order_by(GoalRow.id)
            )
            data = {**meta, "name": row.key, "goals": [dict(g.attrs or {}) for g in goals]}
            out.append(framework_from_dict(data))
    return out


def _programme_texts(engine: Any) -> tuple[list[int], list[str]]:
    from sqlalchemy import select

    from libpolis.store import session_scope
    from libpolis.store.tables import Programme

    with session_scope(engine) as s:
        rows = s.execute(
            select(Programme.id, Programme.title, Programme.description).order_by(Programme.id)
        ).all()
    texts = []
    for _, title, desc in rows:
        title = (title or "").strip()
        sep = "" if not title or title.endswith((".", "!", "?", ":")) else "."
        texts.append(f"{title}{sep}\n\n{desc or ''}".strip())
    return [int(r[0]) for r in rows], texts


def run_alignment(
    engine: Any, frameworks: Iterable[str] | None = None, *, command: str = "libpolis align run"
) -> dict[str, Any]:
    """Align every programme of the workspace and store the suggestions.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The workspace store.
    frameworks : iterable of str, optional
        Framework names; default ``sdg``, ``udhr``, ``culture21`` and every stored strategy.
        ``sdg`` is skipped with a note when the SDG classifier is not installed.

    Returns
    -------
    dict
        Per framework: programmes aligned, suggestions stored, method and version.
    """
    from sqlalchemy import delete, select

    from libpolis.align.api import align_texts, method_of
    from libpolis.align.frameworks import load_framework
    from libpolis.store import session_scope
    from libpolis.store.tables import Alignment, Goal, Run

    strategies = {fw.name: fw for fw in _stored_frameworks(engine)}
    names = list(frameworks) if frameworks else [*_DEFAULT_RUN, *strategies]
    prog_ids, texts = _programme_texts(engine)
    summary: dict[str, Any] = {"programmes": len(prog_ids), "frameworks": {}}
    for name in names:
        fw = strategies.get(name) or load_framework(name)
        if name == "sdg":
            try:
                method, version = method_of("sdg")
            except NotFoundError as exc:
                summary["frameworks"][name] = {"skipped": str(exc)}
                continue
        else:
            method, version = method_of(fw)
        ids = store_framework(
            engine, fw, source=_SOURCE if fw.kind != "strategy" else f"strategy:{fw.name}"
        )
        results = align_texts(texts, "sdg" if name == "sdg" else fw) if texts else []
        n_sugg = 0
        with session_scope(engine) as s:
            goal_ids = dict(
                s.execute(
                    select(Goal.code, Goal.id).where(Goal.framework_id == ids["framework_id"])
                ).all()
            )
            gids = list(goal_ids.values())
            decided = {
                (p, g): st
                for p, g, st in s.execute(
                    select(Alignment.programme_id, Alignment.goal_id, Alignment.status).where(
                        Alignment.goal_id.in_(gids)
                    )
                ).all()
            }
            s.execute(
                delete(Alignment).where(
                    Alignment.goal_id.in_(gids), Alignment.status == "suggested"
                )
            )
            for pid, res in zip(prog_ids, results, strict=True):
                codes = [str(c) for c in res.get("sdgs", res.get("goals", []))]
                for code in codes:
                    gid = goal_ids[code]
                    if decided.get((pid, gid), "suggested") != "suggested":
                        continue  # a person already confirmed or rejected it
                    s.add(
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
                    n_sugg += 1
        summary["frameworks"][name] = {
            "suggestions": n_sugg,
            "programmes_with_a_suggestion": sum(
                1 for r in results if r.get("sdgs", r.get("goals"))
            ),
            "method": method,
            "version": version,
        }
    with session_scope(engine) as s:
        s.add(Run(step="align", params={"frameworks": names}, summary=summary, command=command))
    return summary


def register(app: typer.Typer) -> None:
    """Add the ``align`` and ``frameworks`` sub-apps to the libpolis CLI."""
    align_app = typer.Typer(no_args_is_help=True, help="Align programmes with goal frameworks.")
    fw_app = typer.Typer(no_args_is_help=True, help="Goal frameworks and city strategies.")
    app.add_typer(align_app, name="align")
    app.add_typer(fw_app, name="frameworks")

    @align_app.command("texts")
    @cli_errors
    def align_texts_cmd(
        input: Annotated[Path, typer.Option("--input", "-i", help="CSV with columns id,text.")],
        framework: Annotated[
            str,
            typer.Option(
                "--framework", "-f", help="sdg, udhr, culture21, sdg_targets or a strategy file."
            ),
        ] = "sdg",
        threshold: Annotated[
            float | None, typer.Option(help="Override the calibrated threshold.")
        ] = None,
        explain: Annotated[bool, typer.Option("--explain", help="Add the explanations.")] = False,
        encoding: Annotated[str, typer.Option("--encoding")] = "utf-8",
    ) -> None:
        """Align any texts: one JSON object per line {"id", "sdgs" or "goals", "scores"}."""
        from libpolis.align.api import align_texts

        ids, texts = read_texts_csv(input, encoding=encoding)
        results = align_texts(texts, framework, threshold=threshold)
        for rid, res in zip(ids, results, strict=True):
            key = "sdgs" if framework == "sdg" else "goals"
            line: dict[str, Any] = {"id": rid, key: res[key], "scores": res["scores"]}
            if explain:
                line["explanations"] = res["explanations"]
            typer.echo(json.dumps(line, ensure_ascii=False))

    @align_app.command("run")
    @cli_errors
    def align_run_cmd(
        framework: Annotated[
            list[str] | None, typer.Option("--framework", "-f", help="Repeatable; default all.")
        ] = None,
        workspace: WorkspaceOpt = None,
        db: DbOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Align the workspace's programmes and store the suggestions."""
        engine = engine_for(workspace, db, create=False)
        command = "libpolis align run" + "".join(f" -f {shlex.quote(f)}" for f in framework or [])
        try:
            summary = run_alignment(engine, framework, command=command)
        finally:
            engine.dispose()

        def human() -> None:
            typer.echo(f"{summary['programmes']} programmes")
            for name, info in summary["frameworks"].items():
                if "skipped" in info:
                    typer.echo(f"  {name:12s} skipped: {info['skipped']}")
                else:
                    typer.echo(
                        f"  {name:12s} {info['suggestions']:>6d} suggestions "
                        f"({info['method']} v{info['version']})"
                    )

        emit(summary, json_out, human)

    @align_app.command("train")
    @cli_errors
    def align_train_cmd(
        out: Annotated[
            Path | None,
            typer.Option("--out", help="Model folder (default: the one shipped with libpolis)."),
        ] = None,
        seed: Annotated[int, typer.Option("--seed", help="Seed of the shipped model.")] = 0,
        data_dir: Annotated[
            Path | None,
            typer.Option(
                "--data-dir", help="Folder with sdg-labelled-texts (default shared/data)."
            ),
        ] = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Rebuild the SDG model from the labelled data (fixed, documented split and seed)."""
        from importlib import resources

        try:
            from libpolis.align.train import train_sdg_model
        except ImportError as exc:
            raise NotFoundError(f"SDG training is not available ({exc})") from None
        folder = out or Path(str(resources.files("libpolis") / "data" / "models" / "sdg"))
        meta = train_sdg_model(folder, seed, data_dir=data_dir)
        payload = {"out": str(folder), **(meta if isinstance(meta, dict) else {})}
        emit(
            payload,
            json_out,
            f"SDG model written to {folder}"
            + (
                f" (validation micro-F1 {payload['val_micro_f1']:.3f})"
                if "val_micro_f1" in payload
                else ""
            ),
        )

    @fw_app.command("list")
    @cli_errors
    def frameworks_list_cmd(
        workspace: WorkspaceOpt = None, db: DbOpt = None, json_out: JsonOpt = False
    ) -> None:
        """Shipped frameworks and the strategies stored in the workspace."""
        from libpolis.align.frameworks import BUILTIN_FRAMEWORKS, load_framework

        items = []
        for name in BUILTIN_FRAMEWORKS:
            fw = load_framework(name)
            items.append({"name": name, "title": fw.title, "goals": len(fw), "kind": fw.kind})
        ws = workspace is not None or db is not None
        if ws:
            engine = engine_for(workspace, db, create=False)
            try:
                stored = _stored_frameworks(engine)
            finally:
                engine.dispose()
            for fw in stored:
                items.append(
                    {"name": fw.name, "title": fw.title, "goals": len(fw), "kind": fw.kind}
                )
        emit(
            {"frameworks": items},
            json_out,
            "\n".join(f"{i['name']:24s} {i['goals']:>4d}  {i['title']}" for i in items),
        )

    @fw_app.command("show")
    @cli_errors
    def frameworks_show_cmd(
        name: str,
        language: Annotated[str, typer.Option("--language", help="en, fr, es, ...")] = "en",
        workspace: WorkspaceOpt = None,
        db: DbOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """The goals of a framework (shipped name, strategy file, or stored strategy)."""
        from libpolis.align.frameworks import load_framework

        fw = None
        if workspace is not None or db is not None:
            engine = engine_for(workspace, db, create=False)
            try:
                fw = next((f for f in _stored_frameworks(engine) if f.name == name), None)
            finally:
                engine.dispose()
        fw = fw or load_framework(name)
        goals = [
            {"code": g.code, "title": g.title_in(language), "text": g.text_in(language)}
            for g in fw.goals
        ]
        emit(
            {"name": fw.name, "title": fw.title, "source": fw.source, "goals": goals},
            json_out,
            "\n".join([fw.title, *(f"{g['code']:>5s}  {g['title']}" for g in goals)]),
        )

    @fw_app.command("import-strategy")
    @cli_errors
    def import_strategy_cmd(
        path: Path,
        name: Annotated[
            str | None, typer.Option("--name", help="Framework name (default: file name).")
        ] = None,
        language: Annotated[
            str | None, typer.Option("--language", help="en, fr, es, fi, sv...")
        ] = None,
        workspace: WorkspaceOpt = None,
        db: DbOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Split a city strategy (txt, md or pdf) into goals and store it in the workspace."""
        from libpolis.align.strategy import import_strategy

        fw = import_strategy(path, name=name, language=language)
        engine = engine_for(workspace, db)
        try:
            ids = store_framework(engine, fw, source=f"strategy:{fw.name}")
        finally:
            engine.dispose()
        payload = {
            "name": fw.name,
            "title": fw.title,
            "language": fw.languages[0],
            "goals": [{"code": g.code, "title": g.title} for g in fw.goals],
            "stored_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "framework_id": ids["framework_id"],
        }
        emit(
            payload,
            json_out,
            f"stored strategy {fw.name!r} with {len(fw)} goals: "
            + "; ".join(f"{g.code}. {g.title}" for g in fw.goals),
        )
