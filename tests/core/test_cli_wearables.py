"""`vha wearables FILE` summarises an export for a person at a terminal."""

from __future__ import annotations

from datetime import date

from typer.testing import CliRunner

from assistant.cli import app


def test_summarises_a_generated_apple_health_export_and_rejects_a_bad_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from connectors.wearables.synthetic import SyntheticConfig, generate, write_apple_health

    export = tmp_path / "export.xml"
    write_apple_health(export, generate(SyntheticConfig(days=40, end=date(2025, 1, 31))))
    runner = CliRunner()
    patient = runner.invoke(app, ["wearables", str(export), "--tz", "Europe/London"])
    assert patient.exit_code == 0 and "resting heart rate" in patient.output.lower()
    clinician = runner.invoke(app, ["wearables", str(export), "--view", "clinician"])
    assert clinician.exit_code == 0 and "RHR" in clinician.output
    bad = tmp_path / "nonsense.json"
    bad.write_text("{not json")
    failed = runner.invoke(app, ["wearables", str(bad)])
    assert failed.exit_code == 2 and "error:" in failed.output
