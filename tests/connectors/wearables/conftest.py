"""The synthetic person written once per test session in every format."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.wearables import synthetic


@pytest.fixture(scope="session")
def config() -> synthetic.SyntheticConfig:
    # 60 days ending 2025-01-31 in Europe/London: a missing week 30-24 days before the end, a
    # week of raised resting heart rate (with high temperatures) in the last 7 days and a night
    # of low SpO2 three days before the end.
    return synthetic.SyntheticConfig()


@pytest.fixture(scope="session")
def files(tmp_path_factory: pytest.TempPathFactory, config: synthetic.SyntheticConfig) -> dict[str, Path]:
    return synthetic.write_all(tmp_path_factory.mktemp("wearables"), config, patient_ref="Patient/p1")
