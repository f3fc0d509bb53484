"""Training data in Rasa NLU YAML (``version: "3.1"``), so Rasa users can bring theirs."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

# [text](entity) | [text](entity:value) | [text]{"entity": "...", "value": "..."}
_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<short>[^)]+)\)|(?P<json>\{[^}]*\}))")


@dataclass(frozen=True)
class EntitySpan:
    entity: str
    value: str
    start: int
    end: int


@dataclass(frozen=True)
class TrainingExample:
    text: str
    intent: str
    entities: tuple[EntitySpan, ...] = field(default_factory=tuple)


class NLUDataError(ValueError):
    pass


def parse_annotated(line: str) -> tuple[str, tuple[EntitySpan, ...]]:
    """Strip Rasa entity annotations from one example, returning plain text and entity spans."""
    out: list[str] = []
    spans: list[EntitySpan] = []
    cursor = 0
    length = 0
    for match in _ANNOTATION.finditer(line):
        before = line[cursor : match.start()]
        out.append(before)
        length += len(before)
        text = match.group("text")
        if match.group("json"):
            try:
                meta = json.loads(match.group("json"))
            except json.JSONDecodeError as exc:
                raise NLUDataError(f"bad entity annotation in {line!r}: {exc}") from exc
            entity, value = meta.get("entity", ""), meta.get("value", text)
        else:
            entity, _, value = match.group("short").partition(":")
            value = value or text
        spans.append(EntitySpan(entity=entity, value=str(value), start=length, end=length + len(text)))
        out.append(text)
        length += len(text)
        cursor = match.end()
    out.append(line[cursor:])
    return "".join(out), tuple(spans)


def load_nlu_yaml(path: Path) -> list[TrainingExample]:
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise NLUDataError(f"{path}: not valid YAML: {exc}") from exc
    examples: list[TrainingExample] = []
    for item in document.get("nlu", []) or []:
        intent = item.get("intent")
        if not intent:
            continue  # synonyms, regexes and lookups are not intents
        block = item.get("examples", "")
        lines = block.splitlines() if isinstance(block, str) else [str(x) for x in block]
        for raw in lines:
            raw = raw.strip()
            if not raw:
                continue
            if raw.startswith("- "):
                raw = raw[2:]
            elif raw.startswith("-"):
                raw = raw[1:]
            text, entities = parse_annotated(raw.strip())
            if text:
                examples.append(TrainingExample(text=text, intent=str(intent), entities=entities))
    if not examples:
        raise NLUDataError(f"{path}: no intent examples found (expected Rasa 'nlu: - intent: …')")
    return examples


def load_examples(paths: list[Path]) -> list[TrainingExample]:
    examples: list[TrainingExample] = []
    for path in paths:
        examples.extend(load_nlu_yaml(path))
    return examples
