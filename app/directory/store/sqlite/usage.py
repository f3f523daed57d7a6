"""The usage store on the embedded directory's SQLCipher file (``app.directory.store.usage``)."""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ....audit import Entry
from ..usage import Activity, AlertRow

_CHUNK = 500  # ids per statement (SQLite's bound on parameters)


class SqliteUsage:
    def __init__(self, conn) -> None:
        self.conn = conn

    def users_of(self, la: str, but_role: str) -> dict[str, tuple[str, str]]:
        return {u: (name, role) for u, name, role in self.conn.execute(
            "SELECT username, display_name, role FROM users WHERE la_code = ? AND role != ?", (la, but_role))}

    def user_of(self, username: str, la: str, but_role: str) -> tuple[str, str] | None:
        row = self.conn.execute("SELECT display_name, role FROM users WHERE username = ? AND la_code = ? "
                                "AND role != ?", (username, la, but_role)).fetchone()
        return None if row is None else (row[0], row[1])

    def activity(self, first: int, last: int, since: str, until: str, actors: list[str],
                 la: str) -> Iterator[Activity]:
        # SQLite reads the few detail fields the patterns need (json_extract, in C): no whole detail is decoded.
        marks = ",".join("?" * len(actors))
        yield from self.conn.execute(
            "SELECT seq, at, actor, action, "
            "CASE WHEN action = 'search' THEN json_extract(detail, '$.returned') END, "
            "CASE WHEN action = 'search' THEN json_extract(detail, '$.criteria.family_name') END, "
            "CASE WHEN action IN ('view_record', 'open_archived', 'shield_override') "
            "THEN json_extract(detail, '$.directory_id') END, "
            "CASE WHEN action LIKE '%\\_refused' ESCAPE '\\' OR action LIKE '%\\_failed' ESCAPE '\\' "
            "THEN json_extract(detail, '$.why') END "
            f"FROM audit WHERE seq BETWEEN ? AND ? AND at >= ? AND at < ? AND actor IN ({marks}) "
            "AND instr(',' || las || ',', ?) > 0 ORDER BY seq", (first, last, since, until, *actors, f",{la},"))

    def family_names(self, directory_ids: list[int]) -> list[tuple[int, str]]:
        out: list[tuple[int, str]] = []
        for i in range(0, len(directory_ids), _CHUNK):
            chunk = directory_ids[i:i + _CHUNK]
            marks = ",".join("?" * len(chunk))
            out.extend((number, fam) for number, fam in self.conn.execute(
                f"SELECT c.directory_id, c.family_name FROM children c WHERE c.directory_id IN ({marks}) "
                f"UNION ALL SELECT c.directory_id, o.family_name FROM children c JOIN other_names o "
                f"ON o.child_id = c.id WHERE c.directory_id IN ({marks})", chunk + chunk))
        return out

    def entries(self, seqs: list[int], la: str) -> tuple[Entry, ...]:
        out: list[Entry] = []
        for i in range(0, len(seqs), _CHUNK):
            chunk = seqs[i:i + _CHUNK]
            for seq, at, actor, obo, action, why, detail, las in self.conn.execute(
                    "SELECT seq, at, actor, on_behalf_of, action, reason, detail, las FROM audit "
                    f"WHERE seq IN ({','.join('?' * len(chunk))}) AND instr(',' || las || ',', ?) > 0 ORDER BY seq",
                    (*chunk, f",{la},")):
                out.append(Entry(seq, at, actor, obo, action, why, json.loads(detail), tuple(las.split(",")) if las
                                 else ()))
        return tuple(out)

    def entry_time(self, seq: int) -> str | None:
        row = self.conn.execute("SELECT at FROM audit WHERE seq = ?", (seq,)).fetchone()
        return None if row is None else row[0]

    def actor_before(self, seq: int, actor: str, since: str, limit: int) -> list[int]:
        return [s for (s,) in self.conn.execute(
            "SELECT seq FROM audit WHERE seq < ? AND seq > ? AND actor = ? AND at >= ? ORDER BY seq DESC LIMIT ?",
            (seq, seq - 100_000, actor, since, limit))][::-1]

    def actor_after(self, seq: int, actor: str, until: str) -> list[int]:
        return [s for (s,) in self.conn.execute(
            "SELECT seq FROM audit WHERE seq > ? AND seq < ? AND actor = ? AND at <= ? ORDER BY seq LIMIT 20",
            (seq, seq + 100_000, actor, until))]

    def unknown_sign_ins(self, first: int, last: int, since: str, until: str) -> Iterator[tuple[int, str, Any]]:
        yield from self.conn.execute(
            "SELECT seq, at, coalesce(json_extract(detail, '$.count'), 1) FROM audit WHERE seq BETWEEN ? AND ? "
            "AND at >= ? AND at < ? AND action = 'sign_in_failed' AND las = '' ORDER BY seq",
            (first, last, since, until))

    def alerts(self, la: str, limit: int) -> list[AlertRow]:
        return [tuple(r) for r in self.conn.execute(
            "SELECT a.id, a.kind, a.at, a.actor, c.directory_id, a.audit_seq, a.acknowledged_by, u.display_name, "
            "b.display_name, c.given_names, c.family_name FROM alerts a LEFT JOIN children c ON c.id = a.child_id "
            "LEFT JOIN users u ON u.username = a.actor LEFT JOIN users b ON b.username = a.acknowledged_by "
            "WHERE a.la_code = ? ORDER BY a.id DESC LIMIT ?", (la, limit))]

    def alert_about(self, alert_id: int) -> tuple[str, str, int] | None:
        row = self.conn.execute("SELECT la_code, actor, audit_seq FROM alerts WHERE id = ?", (alert_id,)).fetchone()
        return None if row is None else (row[0], row[1], row[2])

    def alert_acknowledged(self, alert_id: int) -> tuple[str, str | None] | None:
        row = self.conn.execute("SELECT la_code, acknowledged_by FROM alerts WHERE id = ?", (alert_id,)).fetchone()
        return None if row is None else (row[0], row[1])

    def acknowledge(self, alert_id: int, by: str, at: str) -> None:
        self.conn.execute("UPDATE alerts SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ?",
                          (by, at, alert_id))
