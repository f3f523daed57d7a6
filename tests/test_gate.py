"""The code-health gate that `make test` runs first (issue 14 §5): it must fail on what it is there to stop.

Each check runs the gate's own tools with the project's configuration (pyproject.toml) on a probe file written
outside the tree, as if it sat at the path named, so no file in app/ is ever touched.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _ruff(as_path: str, source: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--stdin-filename", as_path, "-"],
                          input=source, capture_output=True, text=True, cwd=ROOT)


def _make_dry_run(target: str) -> list[str]:
    out = subprocess.run(["make", "-n", target], capture_output=True, text=True, cwd=ROOT,
                         check=True).stdout
    return [line for line in out.splitlines() if "ruff" in line or "mypy" in line or "pytest" in line]


def test_a_qt_import_in_app_fails_the_gate_and_is_allowed_in_ui():
    """app/ is Qt-free: the banned-import rule names the import; ui/ may import PySide6."""
    probe = "from __future__ import annotations\n\nfrom PySide6.QtCore import QObject\n\nBASE = QObject\n"
    refused = _ruff("app/probe.py", probe)
    assert refused.returncode != 0 and "TID251" in refused.stdout and "app/ is Qt-free" in refused.stdout
    assert _ruff("ui/probe.py", probe).returncode == 0
    assert _ruff("app/probe.py", "import PySide6\n\nQT = PySide6\n").returncode != 0


def test_a_line_over_120_characters_fails_the_gate():
    assert _ruff("app/probe.py", f"TEXT = \"{'x' * 120}\"\n").returncode != 0
    assert _ruff("app/probe.py", f"TEXT = \"{'x' * 100}\"\n").returncode == 0


def test_a_type_error_in_app_fails_mypy_with_the_projects_configuration(tmp_path):
    """check_untyped_defs: an error inside a function without annotations is still found."""
    probe = tmp_path / "probe.py"
    probe.write_text("def count():\n    total: int = 0\n    total = 'none'\n    return total\n")
    found = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
                            "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(probe)],
                           capture_output=True, text=True, cwd=ROOT)
    assert found.returncode != 0 and "[assignment]" in found.stdout, found.stdout + found.stderr


def test_make_test_and_make_test_fast_run_the_gate_before_any_test():
    for target in ("test", "test-fast"):
        steps = _make_dry_run(target)
        tools = ["ruff" if "ruff" in s else "mypy" if "mypy" in s else "pytest" for s in steps]
        assert tools[:3] == ["ruff", "mypy", "pytest"], steps
        assert "app ui tests main.py packaging" in steps[0]
