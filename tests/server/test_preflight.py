"""signpost --check's directory check against the real service over HTTPS (issue 18 item 4): it passes
when the service answers with a certificate valid for the configured CA file, and fails, saying what to
do, with another CA's file or when nothing answers."""
from __future__ import annotations

from app import preflight
from app.server import tls
from app.settings import Settings

from .conftest import running_https


def test_the_directory_answers_with_a_valid_certificate(make_service, tmp_path):
    service = make_service()
    files = tls.ensure(tmp_path / "service")
    stranger = tls.ensure(tmp_path / "another")
    url, stop = running_https(service.app, files)
    try:
        good = preflight.check_directory(Settings(directory_url=url, ca_bundle=str(files.ca)))
        bad = preflight.check_directory(Settings(directory_url=url, ca_bundle=str(stranger.ca)))
    finally:
        stop()
    gone = preflight.check_directory(Settings(directory_url=url, ca_bundle=str(files.ca)))
    assert good.ok and "valid certificate" in good.detail
    assert not bad.ok and "certificate is not valid" in bad.detail and bad.todo
    assert not gone.ok and "does not answer" in gone.detail and gone.todo
