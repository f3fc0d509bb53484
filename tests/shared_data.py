"""Where the shared test data lives (MedQuAD, LiveQA, symptom utterances, Synthea, Open mHealth).

It is public data the project may read but never commit, so the tests find it by path:
``VHA_SHARED_DIR`` if set, else ``shared/`` beside the checkout, else the project machines'
``/work/shared``. When none exists, tests that need it fail with this module's message.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def _locate() -> Path:
    if os.environ.get("VHA_SHARED_DIR"):
        return Path(os.environ["VHA_SHARED_DIR"]).resolve()
    for candidate in (REPO_ROOT.parent / "shared", Path("/work/shared")):
        if (candidate / "data").is_dir():
            return candidate.resolve()
    return (REPO_ROOT.parent / "shared").resolve()


SHARED_DIR = _locate()
MISSING_HINT = (
    f"the shared test data was not found at {SHARED_DIR}: set VHA_SHARED_DIR to the folder that "
    "holds data/ (medquad, liveqa, symptom_utterances, fhir, wearables)"
)
