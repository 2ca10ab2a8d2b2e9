"""The import ledger and undo."""

from __future__ import annotations

import datetime as dt

from crm_metrics import db
from crm_metrics.access import LOCAL_ADMIN, Principal, require

# --------------------------------------------------------------------------------------------------
# Ledger and undo


def ledger(con):
    """The import history, newest first (DataFrame, one row per import)."""
    cur = con.cursor()
    try:
        return db.query_df(cur, "import_ledger")
    finally:
        cur.close()


class UndoRefused(RuntimeError):
    """The import cannot be undone (unknown, already undone, or later imports build on it)."""


def undo_import(con, import_id: int, actor: Principal = LOCAL_ADMIN) -> str:
    """Undo one import: remove the rows it wrote and restore the rows it replaced. Returns a summary.

    An admin may undo any import, an editor only their own (the ledger's ``imported_by``); otherwise
    :class:`~crm_metrics.access.AccessDenied` is raised and nothing changes."""
    require(actor, "undo_own_import")
    with db.transaction(con) as cur:
        rows = db.run(cur, "ledger_entry", {"import_id": import_id}).fetchall()
        if not rows:
            raise UndoRefused(f"there is no import #{import_id}")
        _, table, created, undone_at, imported_by = rows[0]
        if imported_by != actor.user:
            require(actor, "undo_any_import")
        if undone_at is not None:
            raise UndoRefused(f"import #{import_id} was already undone on {undone_at:%Y-%m-%d %H:%M}")
        tables = [table] + (["customers"] if created else [])
        later = db.run(cur, "later_imports", {"import_id": import_id, "tables": tables}).fetchall()
        if later:
            raise UndoRefused("later imports changed the same table(s); undo them first, newest first: "
                              + ", ".join(f"#{i} ({t})" for i, t in later))
        before = _orphans(cur)
        for t in tables:
            db.execute(cur, "undo_table", {"import_id": import_id}, idents={"table": t, "history": f"{t}_history"})
        left = [(t, names, n, imports) for (t, names), (n, imports) in _orphans(cur).items()
                if n > before.get((t, names), (0, []))[0]]
        if left:  # raising rolls the transaction back: nothing was undone
            raise UndoRefused(f"undoing import #{import_id} ({table}) would leave "
                              + "; ".join(f"{n:,} {t} naming a {names} no longer stored (written by import"
                                          f"{'s' if len(imports) > 1 else ''} "
                                          + ", ".join(f"#{i}" for i in imports) + ")"
                                          for t, names, n, imports in left)
                              + ": undo those first, newest first")
        db.execute(cur, "mark_undone", {"import_id": import_id,
                                        "undone_at": dt.datetime.now(dt.UTC).replace(tzinfo=None)})
    db.checkpoint(con)
    return f"Import #{import_id} ({table}) undone."


def _orphans(cur) -> dict[tuple[str, str], tuple[int, list[int]]]:
    """(table, what it names) -> rows naming a customer or campaign not stored, and the imports that wrote them."""
    return {(t, names): (n, [i for i in imports if i is not None])
            for t, names, n, imports in db.run(cur, "orphan_rows").fetchall()}
