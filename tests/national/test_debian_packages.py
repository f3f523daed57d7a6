"""`make test` installs PostgreSQL on a clean machine as root without leaving Debian's default "main" cluster
made and running (issue 16: tests start their own clusters, nothing else listens). The real script runs with
apt-get, dpkg-query and id replaced by stand-ins that record what they were asked and when."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "packaging" / "ensure-debian-packages.sh"
TEMPLATE = "# postgresql-common's own\nssl = on\n#create_main_cluster = true\n"

_SHIMS = {
    "id": '#!/bin/sh\n[ "$1" = "-u" ] && echo 0 || /usr/bin/id "$@"\n',
    "dpkg-query": '#!/bin/sh\nfor p; do :; done\n'
                  'grep -qx "$p" "$SHIM/installed" && printf "install ok installed" || exit 1\n',
    "apt-get": '#!/bin/sh\n'
               'echo "$* | $(grep create_main_cluster "$SIGNPOST_CREATECLUSTER_CONF" 2>/dev/null)" >> "$SHIM/calls"\n'
               'case " $* " in *" postgresql-common "*)\n'
               '    printf "%s" "$TEMPLATE" > "$SIGNPOST_CREATECLUSTER_CONF";; esac\n',
}


def _run(tmp_path: Path, installed: list[str], conf: str | None = None) -> list[str]:
    shims = tmp_path / "bin"
    shims.mkdir()
    for name, text in _SHIMS.items():
        (shims / name).write_text(text)
        (shims / name).chmod(0o755)
    (tmp_path / "installed").write_text("\n".join(installed) + "\n")
    createcluster = tmp_path / "createcluster.conf"
    if conf is not None:
        createcluster.write_text(conf)
    env = {"PATH": f"{shims}:/usr/bin:/bin", "SHIM": str(tmp_path), "TEMPLATE": TEMPLATE,
           "SIGNPOST_CREATECLUSTER_CONF": str(createcluster)}
    subprocess.run(["bash", str(SCRIPT)], env=env, check=True, capture_output=True, text=True, timeout=60)
    calls = tmp_path / "calls"
    return calls.read_text().splitlines() if calls.exists() else []


def _everything_but(*missing: str) -> list[str]:
    wanted = [p.strip() for p in (SCRIPT.parent / "debian-packages.txt").read_text().splitlines()
              if p.strip() and not p.lstrip().startswith("#")]
    return [p for p in wanted if p not in missing]


def test_on_a_clean_machine_no_main_cluster_is_made_when_postgresql_goes_in(tmp_path):
    calls = _run(tmp_path, _everything_but("postgresql", "postgresql-contrib"))
    assert calls[0].startswith("update")
    assert calls[1].startswith("install") and " postgresql-common " in f" {calls[1].split(' | ')[0]} "
    server = calls[2].split(" | ")
    assert "postgresql postgresql-contrib" in server[0]
    assert server[1] == "create_main_cluster = false"  # set before the server package is configured
    assert (tmp_path / "createcluster.conf").read_text() == TEMPLATE.replace("#create_main_cluster = true",
                                                                             "create_main_cluster = false")


def test_postgresql_common_already_there_is_told_too(tmp_path):
    calls = _run(tmp_path, [*_everything_but("postgresql"), "postgresql-common"],
                 conf="ssl = on\ncreate_main_cluster = true\n")
    assert [c.split(" | ") for c in calls][1:] == [["install -y -qq --no-install-recommends postgresql",
                                                    "create_main_cluster = false"]]


@pytest.mark.parametrize("missing", [(), ("xvfb",)])
def test_nothing_about_postgresql_changes_when_it_is_installed(tmp_path, missing):
    calls = _run(tmp_path, _everything_but(*missing), conf="create_main_cluster = true\n")
    assert not any("postgresql-common" in c for c in calls)
    assert (tmp_path / "createcluster.conf").read_text() == "create_main_cluster = true\n"
