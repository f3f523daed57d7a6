"""The organisation's policy file (issue 18 item 3): each key wins over the user's setting and the
environment, a bad file stops the app with a message naming the file and the key (no fallback to the user's
settings), and the location is overridable (SIGNPOST_POLICY_FILE)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from app import policy
from app.paths import Paths
from app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
OPENSC = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"


@pytest.fixture
def paths(tmp_path) -> Paths:
    p = Paths(tmp_path / "data", tmp_path / "config")
    p.config.mkdir(parents=True)
    (p.settings_file).write_text(json.dumps({"directory_url": "https://mine.example.org", "ca_bundle": "/home/ca.pem",
                                             "pkcs11_module": "/usr/lib/softhsm/libsofthsm2.so",
                                             "idle_lock_minutes": 30}))
    return p


def with_policy(tmp_path, data, **env) -> dict[str, str]:
    file = tmp_path / "policy.json"
    file.write_text(data if isinstance(data, str) else json.dumps(data))
    return {policy.ENVIRONMENT: str(file), **env}


@pytest.mark.parametrize("data, name, value", [
    ({"directory_urls": ["https://directory.la.example.gov.uk"]}, "directory_url", "https://directory.la.example.gov.uk"),
    ({"ca_bundle": "/etc/signpost/ca.pem"}, "ca_bundle", "/etc/signpost/ca.pem"),
    ({"pkcs11_module": OPENSC}, "pkcs11_module", OPENSC),
    ({"idle_lock_minutes": 5}, "idle_lock_minutes", 5),
    ({"training_allowed": False}, "training_allowed", False),
])
def test_each_policy_key_wins_over_the_users_setting(tmp_path, paths, data, name, value):
    before = policy.load_settings(paths, {policy.ENVIRONMENT: str(tmp_path / "none.json")})
    assert getattr(before, name) != value and policy.source(before, name) == "your settings"
    after = policy.load_settings(paths, with_policy(tmp_path, data))
    assert getattr(after, name) == value
    assert policy.source(after, name) == policy.ORGANISATION == "set by your organisation"
    assert after.pinned == {name}  # nothing else is touched
    for other in ("directory_url", "ca_bundle", "pkcs11_module", "idle_lock_minutes"):
        if other != name:
            assert getattr(after, other) == getattr(before, other)


def test_the_policy_wins_over_the_environment_too(tmp_path, paths):
    env = with_policy(tmp_path, {"directory_urls": ["https://pinned.example.org"], "ca_bundle": "/etc/signpost/ca.pem"},
                      SIGNPOST_DIRECTORY_URL="https://elsewhere.example.org", SIGNPOST_CA_BUNDLE="/tmp/other.pem")
    s = policy.load_settings(paths, env)
    assert (s.directory_url, s.ca_bundle) == ("https://pinned.example.org", "/etc/signpost/ca.pem")


def test_the_users_directory_is_kept_when_the_policy_lists_it(tmp_path, paths):
    urls = ["https://first.example.org", "https://mine.example.org"]
    assert policy.load_settings(paths, with_policy(tmp_path, {"directory_urls": urls})).directory_url == urls[1]


def test_saving_settings_never_writes_the_policy_into_the_users_file(tmp_path, paths):
    s = policy.load_settings(paths, with_policy(tmp_path, {"idle_lock_minutes": 2, "pkcs11_module": OPENSC}))
    s.record_cache_hours = 12
    s.save(paths.settings_file)
    saved = json.loads(paths.settings_file.read_text())
    assert saved["idle_lock_minutes"] == 30 and saved["pkcs11_module"] == "/usr/lib/softhsm/libsofthsm2.so"
    assert saved["record_cache_hours"] == 12 and "pinned" not in saved and "problem" not in saved


@pytest.mark.parametrize("data, named", [
    ({"idle_lock": 5}, "'idle_lock'"),  # a key it does not know (a typo): named, with the ones it knows
    ({"idle_lock_minutes": 0}, "'idle_lock_minutes'"),
    ({"idle_lock_minutes": "5"}, "'idle_lock_minutes'"),
    ({"idle_lock_minutes": True}, "'idle_lock_minutes'"),
    ({"directory_urls": "https://one.example.org"}, "'directory_urls'"),
    ({"directory_urls": []}, "'directory_urls'"),
    ({"directory_urls": ["http://plain.example.org"]}, "'directory_urls'"),
    ({"ca_bundle": "ca.pem"}, "'ca_bundle'"),
    ({"pkcs11_module": 7}, "'pkcs11_module'"),
    ({"training_allowed": "no"}, "'training_allowed'"),
    ("{not json", "not valid JSON"),
    ("[1, 2]", "one JSON object"),
])
def test_a_bad_policy_file_gives_a_message_naming_the_key(tmp_path, paths, data, named):
    env = with_policy(tmp_path, data)
    with pytest.raises(policy.PolicyError) as raised:
        policy.Policy.load(env)
    message = str(raised.value)
    assert named in message and str(tmp_path / "policy.json") in message and "IT team" in message
    s = policy.load_settings(paths, env)  # the app is told, and goes no further
    assert s.problem == message and policy.start_problem(s) == message


def test_the_default_location_is_etc_signpost(monkeypatch):
    assert Path("/etc/signpost/policy.json") == policy.DEFAULT_FILE
    assert policy.Policy.load({policy.ENVIRONMENT: "/nonexistent/policy.json"}) == policy.Policy()


def test_training_not_allowed_and_no_directory_is_refused_at_start(tmp_path, paths):
    paths.settings_file.write_text("{}")
    s = policy.load_settings(paths, with_policy(tmp_path, {"training_allowed": False}))
    assert "does not allow the training directory" in policy.start_problem(s)
    s = policy.load_settings(paths, with_policy(tmp_path, {"training_allowed": False,
                                                           "directory_urls": ["https://d.example.org"]}))
    assert policy.start_problem(s) == ""


def test_the_example_policy_file_is_valid():
    example = ROOT / "packaging" / "policy.example.json"
    found = policy.Policy.parse(json.loads(example.read_text()), example)
    assert found.pinned == set(policy.KEYS)


def test_a_bad_policy_stops_the_app_at_the_sign_in_window(qtbot, tmp_path, paths):
    """Checked at start: the message names the key; no directory, token module or keyring is opened."""
    from ui.app import SignpostApp
    settings = policy.load_settings(paths, with_policy(tmp_path, {"idle_lock_minutes": 90}))
    app = SignpostApp(paths, settings)
    qtbot.addWidget(app.signin)
    app.start()
    qtbot.waitUntil(lambda: "'idle_lock_minutes'" in app.signin.status.text())
    assert not app.signin.button.isEnabled() and app.service is None and app.tokens is None
    app.shutdown()


def test_the_policys_idle_lock_is_the_one_the_app_uses(qtbot, tmp_path, paths):
    from ui.app import SignpostApp
    app = SignpostApp(paths, policy.load_settings(paths, with_policy(tmp_path, {"idle_lock_minutes": 3})))
    qtbot.addWidget(app.signin)
    assert app.idle.interval_ms == 3 * 60_000
    app.shutdown()


def test_settings_load_alone_ignores_the_policy_fields_in_a_users_file(tmp_path):
    file = tmp_path / "settings.json"
    file.write_text(json.dumps({"pinned": ["idle_lock_minutes"], "training_allowed": False, "problem": "x"}))
    s = Settings.load(file, environ={})
    assert s.pinned == frozenset() and s.training_allowed and s.problem == ""
