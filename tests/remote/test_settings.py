"""The settings that choose the directory (issue 7): the service address, its CA bundle and how long
offline copies last (R-LOCAL-2). A bad value of a setting that only tunes the app falls back with a
warning; a bad directory setting never falls back to the training directory: it is a problem that stops
the app, naming the setting and what to write (issue 15 2.1)."""
from __future__ import annotations

import json
import logging

import pytest

from app.settings import Settings


def load(tmp_path, data, env=None) -> Settings:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return Settings.load(path, environ=env or {})


def test_defaults_are_the_training_directory_and_a_day_of_offline_copies(tmp_path):
    s = Settings.load(tmp_path / "missing.json", environ={})
    assert (s.directory_url, s.ca_bundle, s.record_cache_hours) == ("", "", 24)


def test_a_service_address_and_ca_bundle_are_read(tmp_path):
    s = load(tmp_path, {"directory_url": "https://directory.example.org:8443", "ca_bundle": "/etc/la/ca.pem",
                        "record_cache_hours": 48})
    assert (s.directory_url, s.ca_bundle, s.record_cache_hours) == ("https://directory.example.org:8443",
                                                                    "/etc/la/ca.pem", 48)


@pytest.mark.parametrize("data, field, default", [
    ({"record_cache_hours": 0}, "record_cache_hours", 24),
    ({"record_cache_hours": 169}, "record_cache_hours", 24),
    ({"record_cache_hours": True}, "record_cache_hours", 24),
    ({"record_cache_hours": "48"}, "record_cache_hours", 24),
    ({"idle_lock_minutes": 0}, "idle_lock_minutes", 10),
])
def test_a_bad_tuning_value_falls_back_with_a_warning(tmp_path, caplog, data, field, default):
    with caplog.at_level(logging.WARNING, logger="app.settings"):
        s = load(tmp_path, data)
    assert getattr(s, field) == default and s.problems == ()
    assert field in caplog.text


@pytest.mark.parametrize("value, why", [
    ("http://directory.example.org", "plain http:// address, which is not encrypted"),  # never plain HTTP
    ("directory.example.org", "not an https:// address"),
    (8443, "not text in double quotes"),
    ("https://directory.example.org/?x=1", "has a ? or # part"),
])
def test_a_bad_directory_address_is_a_problem_never_the_training_directory(tmp_path, value, why):
    s = load(tmp_path, {"directory_url": value, "ca_bundle": str(tmp_path)})
    [problem] = s.problems
    assert (problem.setting, problem.source, problem.value) == ("directory_url", str(tmp_path / "settings.json"),
                                                                repr(value))
    assert why in problem.why


def test_a_service_without_a_ca_file_it_can_read_is_a_problem(tmp_path):
    [empty] = load(tmp_path, {"directory_url": "https://directory.example.org"}).problems
    assert (empty.setting, empty.value) == ("ca_bundle", "''")
    [missing] = load(tmp_path, {"directory_url": "https://directory.example.org",
                                "ca_bundle": str(tmp_path / "nowhere.pem")}).problems
    assert missing.setting == "ca_bundle" and missing.why == "there is no such file"


def test_a_settings_file_that_cannot_be_read_is_a_problem(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text('{"directory_url": "https://directory.example.org",')  # cut short
    [problem] = Settings.load(path, environ={}).problems
    assert problem.setting == "" and problem.source == str(path) and "cannot be read" in problem.why


def test_the_environment_overrides_the_file_and_is_not_saved_into_it(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"directory_url": "https://file.example.org", "idle_lock_minutes": 5}))
    env = {"SIGNPOST_DIRECTORY_URL": "https://127.0.0.1:8443", "SIGNPOST_CA_BUNDLE": str(tmp_path / "ca.pem")}
    s = Settings.load(path, environ=env)
    assert s.directory_url == "https://127.0.0.1:8443" and s.ca_bundle == str(tmp_path / "ca.pem")
    s.idle_lock_minutes = 7
    s.save(path)
    saved = json.loads(path.read_text())
    assert saved["directory_url"] == "https://file.example.org" and saved["ca_bundle"] == ""
    assert saved["idle_lock_minutes"] == 7
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_bad_environment_value_is_a_problem_naming_the_variable(tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("-")
    s = load(tmp_path, {"directory_url": "https://file.example.org", "ca_bundle": str(ca)},
             {"SIGNPOST_DIRECTORY_URL": "http://plain.example.org"})
    [problem] = s.problems
    assert (problem.setting, problem.source, problem.value) == ("directory_url", "SIGNPOST_DIRECTORY_URL",
                                                                "'http://plain.example.org'")
