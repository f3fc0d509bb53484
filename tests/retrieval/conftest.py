from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def encoder():  # type: ignore[no-untyped-def]
    from retrieval.encoder import SentenceEncoder

    return SentenceEncoder()


@pytest.fixture
def index(encoder):  # type: ignore[no-untyped-def]
    from retrieval.documents import load_path
    from retrieval.index import HybridIndex

    built = HybridIndex(encoder)
    built.upsert(load_path(FIXTURES))
    return built
