"""Alerts to an LA management team (R-SHIELD-6, R-SENS-2, R-AUDIT-2): raised by the engine as things happen,
read and acknowledged in the LA team's alerts inbox (``usage.alerts``)."""
from __future__ import annotations

from .types import AlertKind


def raise_alert(d, kind: AlertKind, actor: str, la_code: str, child_id: int | None = None) -> int:
    """Alert ``la_code``'s LA team now, pointing at the latest audit entry (record that first). Returns its id."""
    return d.store.notices.add_alert(la_code, d._stamp(), kind.value, actor, child_id, d.audit.size)
