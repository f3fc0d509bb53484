"""Guideline documents and their loaders: Markdown (with YAML front matter), HTML, PDF, text, JSONL."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

SUPPORTED_SUFFIXES = {".md", ".markdown", ".html", ".htm", ".pdf", ".txt", ".jsonl"}


@dataclass
class Document:
    id: str
    title: str
    text: str
    source_url: str = ""
    sources: list[str] = field(default_factory=list)
    publisher: str = ""
    version: str = ""
    region: str = ""
    audience: str = ""
    topics: list[str] = field(default_factory=list)
    format: str = "markdown"

    @property
    def content_hash(self) -> str:
        payload = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def metadata(self) -> dict[str, Any]:
        return {
            "doc_id": self.id,
            "title": self.title,
            "source_url": self.source_url,
            "sources": self.sources,
            "publisher": self.publisher,
            "version": self.version,
            "region": self.region,
            "audience": self.audience,
        }


class DocumentError(ValueError):
    pass


_FRONT_MATTER = re.compile(r"^---\s*\n(.*?)\n---\s*\n", re.DOTALL)


def _from_meta(doc_id: str, meta: dict[str, Any], text: str, fmt: str) -> Document:
    sources = meta.get("sources") or ([meta["source_url"]] if meta.get("source_url") else [])
    sources = [str(s) for s in sources]
    return Document(
        id=str(meta.get("id") or doc_id),
        title=str(meta.get("title") or doc_id),
        text=text,
        source_url=str(meta.get("source_url") or (sources[0] if sources else "")),
        sources=sources,
        publisher=str(meta.get("publisher", "")),
        version=str(meta.get("version", meta.get("date", ""))),
        region=str(meta.get("region", "")),
        audience=str(meta.get("audience", "")),
        topics=[str(t) for t in meta.get("topics", []) or []],
        format=fmt,
    )


def load_markdown(path: Path) -> Document:
    raw = path.read_text(encoding="utf-8")
    meta: dict[str, Any] = {}
    match = _FRONT_MATTER.match(raw)
    if match:
        try:
            meta = yaml.safe_load(match.group(1)) or {}
        except yaml.YAMLError as exc:
            raise DocumentError(f"{path}: bad front matter: {exc}") from exc
        raw = raw[match.end() :]
    if "title" not in meta:
        heading = re.search(r"^#\s+(.+)$", raw, re.MULTILINE)
        if heading:
            meta["title"] = heading.group(1).strip()
    return _from_meta(path.stem, meta, raw, "markdown")


def load_html(path: Path) -> Document:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_text(encoding="utf-8", errors="replace"), "html.parser")
    for tag in soup(["script", "style", "nav", "footer", "header"]):
        tag.decompose()
    meta: dict[str, Any] = {}
    if soup.title and soup.title.string:
        meta["title"] = soup.title.string.strip()
    for tag in soup.find_all("meta"):
        name = (tag.get("name") or tag.get("property") or "").lower()
        if name in ("publisher", "author", "og:site_name"):
            meta.setdefault("publisher", tag.get("content", ""))
        elif name in ("og:url", "source_url"):
            meta["source_url"] = tag.get("content", "")
    canonical = soup.find("link", rel="canonical")
    if canonical and canonical.get("href"):
        meta.setdefault("source_url", canonical["href"])
    # Keep headings as Markdown so the chunker can split on structure.
    lines: list[str] = []
    for element in soup.find_all(["h1", "h2", "h3", "h4", "p", "li"]):
        text = element.get_text(" ", strip=True)
        if not text:
            continue
        if element.name in ("h1", "h2", "h3", "h4"):
            lines.append("#" * int(element.name[1]) + " " + text)
        elif element.name == "li":
            lines.append("- " + text)
        else:
            lines.append(text)
    return _from_meta(path.stem, meta, "\n\n".join(lines), "html")


def load_pdf(path: Path) -> Document:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    info = reader.metadata or {}
    pages = [page.extract_text() or "" for page in reader.pages]
    meta = {"title": (info.get("/Title") or path.stem), "publisher": info.get("/Author") or ""}
    return _from_meta(path.stem, meta, "\n\n".join(pages), "pdf")


def load_text(path: Path) -> Document:
    text = path.read_text(encoding="utf-8", errors="replace")
    first = next((line.strip() for line in text.splitlines() if line.strip()), path.stem)
    return _from_meta(path.stem, {"title": first[:120]}, text, "text")


def iter_jsonl(path: Path) -> Iterator[Document]:
    """One document per line: ``id`` and ``text`` (or ``question``/``answer``) plus metadata."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DocumentError(f"{path}:{number}: not JSON: {exc}") from exc
            text = record.get("text") or " ".join(
                str(record[k]) for k in ("question", "answer") if record.get(k)
            )
            if "id" not in record or not text:
                raise DocumentError(f"{path}:{number}: needs 'id' and 'text' (or question/answer)")
            meta = dict(record)
            meta.setdefault("title", record.get("focus") or record.get("question") or record["id"])
            meta.setdefault("source_url", record.get("url", ""))
            meta.setdefault("publisher", record.get("source", ""))
            yield _from_meta(str(record["id"]), meta, str(text), "jsonl")


def load_path(path: Path) -> list[Document]:
    """Every document in a file or (recursively) a directory."""
    path = Path(path)
    if path.is_dir():
        documents: list[Document] = []
        for child in sorted(path.rglob("*")):
            if child.is_file() and child.suffix.lower() in SUPPORTED_SUFFIXES:
                documents.extend(load_path(child))
        return documents
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown"):
        return [load_markdown(path)]
    if suffix in (".html", ".htm"):
        return [load_html(path)]
    if suffix == ".pdf":
        return [load_pdf(path)]
    if suffix == ".txt":
        return [load_text(path)]
    if suffix == ".jsonl":
        return list(iter_jsonl(path))
    raise DocumentError(f"{path}: unsupported file type (use {', '.join(sorted(SUPPORTED_SUFFIXES))})")
