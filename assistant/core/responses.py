"""Response templates from domain-style YAML, one file per language."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

DEFAULT_DIR = Path(__file__).parent.parent / "data" / "responses"


class _Defaulting(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class ResponseTemplates:
    def __init__(self, by_language: Mapping[str, Mapping[str, list[dict[str, Any]]]], default_language: str):
        if default_language not in by_language:
            raise ValueError(f"no response templates for the default language {default_language!r}")
        self.by_language = by_language
        self.default_language = default_language

    @classmethod
    def load(cls, directory: Path | None = None, default_language: str = "en") -> ResponseTemplates:
        directory = directory or DEFAULT_DIR
        by_language = {}
        for path in sorted(Path(directory).glob("*.yml")):
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            by_language[path.stem] = document.get("responses", {})
        return cls(by_language, default_language)

    @property
    def languages(self) -> list[str]:
        return sorted(self.by_language)

    def has(self, name: str) -> bool:
        return name in self.by_language[self.default_language]

    def render(self, name: str, language: str | None = None, seed: str = "", **values: Any) -> str:
        """Fill a template; the variant is chosen by ``seed`` so replays are reproducible."""
        templates = self.by_language.get(language or "", {}).get(name) or self.by_language[
            self.default_language
        ].get(name)
        if not templates:
            raise KeyError(f"no response template {name!r}")
        index = int(hashlib.sha1(seed.encode()).hexdigest(), 16) % len(templates) if seed else 0
        text = str(templates[index].get("text", ""))
        return text.format_map(_Defaulting(values)).strip()
