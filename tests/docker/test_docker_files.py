"""No Docker engine runs here: lint the Dockerfile with hadolint and check the compose file."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

DOCKER = Path(__file__).resolve().parents[2] / "docker"


def test_dockerfile_passes_hadolint() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    result = subprocess.run(
        [hadolint, "--failure-threshold", "warning", str(DOCKER / "Dockerfile")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_is_multi_stage_non_root_with_healthcheck_and_cpu_torch() -> None:
    text = (DOCKER / "Dockerfile").read_text()
    assert text.count("\nFROM ") + text.startswith("FROM ") >= 2
    assert "USER vha" in text and "HEALTHCHECK" in text
    assert "torch==2.13.0" in text and "whl/cpu" in text


def test_compose_file_parses_and_wires_postgres_and_redis() -> None:
    compose = yaml.safe_load((DOCKER / "compose.yml").read_text())
    services = compose["services"]
    assert {"assistant", "postgres", "redis"} <= set(services)
    env = services["assistant"]["environment"]
    assert env["VHA_TRACKER_STORE_URL"].startswith("postgresql://")
    assert env["VHA_LOCK_STORE_URL"].startswith("redis://")
    assert set(services["assistant"]["depends_on"]) == {"postgres", "redis"}
