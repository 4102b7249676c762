"""A built wheel carries the rules and runs from outside the repository."""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_rules_and_runs_outside_the_repo(tmp_path):
    dist, target, elsewhere = tmp_path / "dist", tmp_path / "site", tmp_path / "elsewhere"
    elsewhere.mkdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), str(ROOT)],
                   check=True, timeout=300)
    wheel = next(dist.glob("screener-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "screener/_rules/ruleset.yaml" in names
    assert "screener/_rules/dvt.yaml" in names and "screener/routine/routines.yaml" in names
    assert "screener/rules/parsed_rules.json" in names  # the bundled rules, already parsed
    subprocess.run([*pip, "install", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, timeout=300)

    env = {**os.environ, "PYTHONPATH": str(target)}
    where = subprocess.run(
        [sys.executable, "-c", "import screener, screener.rules as r; "
         "print(screener.__file__); print(r.default_rules_path())"],
        capture_output=True, text=True, cwd=elsewhere, env=env, check=True)
    module_file, rules_path = where.stdout.split("\n")[:2]
    assert module_file.startswith(str(target)) and rules_path.startswith(str(target))
    # the wheel's rule files are the snapshot's very bytes: read without parsing YAML
    subprocess.run([sys.executable, "-c", "import sys; sys.modules['yaml'] = None; "
                    "from screener.loading import default_rules; default_rules()"],
                   cwd=elsewhere, env=env, check=True)

    out = subprocess.run(
        [sys.executable, "-m", "screener", "screen", "--answers", "-", "--format", "json"],
        input=(ROOT / "examples" / "intake.json").read_text(), capture_output=True, text=True,
        cwd=elsewhere, env=env)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["decision"] == "adjust"


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_ci_runs_the_readmes_test_command_as_written():
    """CI and a new user run the same line, so the README's promise is what CI checks."""
    first, second = _readme_commands()
    assert "screener screen --answers examples/intake.json" in first
    ci = [ln for ln in (ROOT / ".ci" / "run").read_text().splitlines()
          if ln and not ln.startswith(("#", "set ", "cd ", "export "))]
    assert ci == [second]


def test_the_install_script_is_executable_valid_bash_and_installs_every_extra():
    script = ROOT / "scripts" / "install-test-deps"
    assert os.access(script, os.X_OK) and os.access(ROOT / ".ci" / "run", os.X_OK)
    for path in (script, ROOT / ".ci" / "run"):
        subprocess.run(["bash", "-n", str(path)], check=True)
    text = script.read_text()
    extras = {name for name in tomllib.loads((ROOT / "pyproject.toml").read_text())
              ["project"]["optional-dependencies"]}
    assert f"'.[{','.join(sorted(extras, key=['test', 'pdf', 'fhir', 'web'].index))}]'" in text
    for package in ("chromium", "poppler-utils", "libpango-1.0-0"):
        assert package in text
