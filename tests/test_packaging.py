"""Packaged the way Python projects are: pyproject.toml declares the dependencies (requirements.txt is their lock),
the console scripts and py.typed; the Dockerfile and compose file follow the rules of a team server. The install
itself, the container's command and the command line reading while the app runs: tests/browser/test_installed_app.py."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def _locked() -> dict[str, str]:
    pins = {}
    for name in ("requirements.txt", "requirements-spark.txt"):
        for line in (ROOT / name).read_text().splitlines():
            line = line.split("#")[0].strip()
            if "==" in line:
                package, version = line.split("==")
                pins[package.strip().lower()] = version.strip()
    return pins


def test_every_declared_dependency_is_locked_inside_its_range():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    locked = _locked()
    declared = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["spark"]]
    for requirement in declared:
        name = requirement.name.lower()
        assert name in locked, f"{name} is not pinned in the requirements files"
        assert requirement.specifier.contains(locked[name]), (name, str(requirement.specifier), locked[name])
    runtime = {r.name.lower() for r in declared}
    assert set(_locked()) - runtime <= {"py4j"} | runtime  # nothing pinned that the package does not declare


def test_console_scripts_and_typed_package():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"] == {"crm-dashboard": "ui.serve:main", "crm-metrics": "crm_metrics.__main__:run"}
    assert (ROOT / "crm_metrics" / "py.typed").exists()


def _instructions(text: str) -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n\s*", " ", text)
    return [(line.split(" ", 1)[0].upper(), line.split(" ", 1)[1].strip()) for line in joined.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_the_dockerfile_follows_the_rules_of_a_team_server():
    steps = _instructions((ROOT / "Dockerfile").read_text())
    kinds = [k for k, _ in steps]
    assert steps[0] == ("FROM", "python:3.11-slim")
    user = [v for k, v in steps if k == "USER"]
    assert user and user[-1] not in ("root", "0") and kinds.index("USER") < kinds.index("CMD")
    assert ("VOLUME", '["/data"]') in steps
    health = next(v for k, v in steps if k == "HEALTHCHECK")
    assert "/_stcore/health" in health
    command = json.loads(next(v for k, v in steps if k == "CMD"))
    assert command[0] == "crm-dashboard" and "0.0.0.0" in command
    env = " ".join(v for k, v in steps if k == "ENV")
    assert "CRM_DB=/data/" in env and "CRM_AUTH=local" in env
    for kind, value in steps:
        assert kind != "ADD", "COPY, not ADD"
        if kind == "RUN" and "apt-get install" in value:
            assert "--no-install-recommends" in value and "rm -rf /var/lib/apt/lists" in value
        if kind == "RUN" and "pip install" in value:
            assert "--no-cache-dir" in value


def test_compose_runs_one_replica_with_its_data_on_a_volume_and_sign_in():
    text = (ROOT / "compose.yaml").read_text()
    assert re.search(r"^\s+replicas: 1$", text, re.M)
    assert re.search(r"^\s+- crm-data:/data$", text, re.M) and re.search(r"^volumes:\n\s+crm-data:", text, re.M)
    assert "CRM_AUTH: local" in text and "CRM_SECRET: ${CRM_SECRET:?" in text
