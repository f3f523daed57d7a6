"""A change's idempotency key is made once, by the session's outbox, and is the key the directory receives
(issue 14 §5; R-LOCAL-1: the outbox keeps the key before the first send, so a re-send after a restart is the
same change). The screens make none of their own to be thrown away on the way."""
from __future__ import annotations

import uuid
from concurrent.futures import Future

from app import outbox
from app.directory.work import operations as ops
from app.directory.work import types as t
from tests.ui.test_main_window import FakeDirectory
from ui.bridge import Relay
from ui.main_window import _Routed
from ui.screens.base import ScreenContext


def test_a_change_from_a_screen_gets_one_key_the_outboxs_and_the_directory_receives_it(qtbot, monkeypatch):
    made: list[str] = []
    real_uuid4 = uuid.uuid4

    def counted():
        value = real_uuid4()
        made.append(value.hex)
        return value

    monkeypatch.setattr(uuid, "uuid4", counted)
    directory = FakeDirectory()
    kept: list[str] = []

    def work(op, viewer, request, *_older_key) -> Future:  # as Sessions.perform does a change: the outbox key
        key = outbox.new_key()
        kept.append(key)
        return directory.perform(op, viewer, request, key=key)

    ctx = ScreenContext(_Routed(directory, work), lambda: None, Relay())
    answered: list[object] = []
    ctx.perform(ops.MARK_READ, t.NoticeRef(7), answered.append, answered.append)
    qtbot.waitUntil(lambda: bool(answered), timeout=5000)
    assert [name for name, _ in directory.calls] == ["mark_read"]
    (_viewer, _request, sent_key), = [args for _, args in directory.calls]
    assert made == kept == [sent_key], "one key per change: the outbox's, sent as it was kept"
