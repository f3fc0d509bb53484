"""The ``vha`` command line: serve, train, parse, chat."""

from __future__ import annotations

import json
import sys
import uuid
from typing import Annotated

import typer

from assistant.config import get_settings

app = typer.Typer(
    help="Virtual health assistant backend.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default VHA_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default VHA_PORT).")] = None,
    workers: Annotated[int, typer.Option(help="API worker processes.")] = 1,
) -> None:
    """Serve the HTTP API and the web chat."""
    import uvicorn

    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    typer.echo(f"Serving on http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
    uvicorn.run(
        "assistant.api.main:app",
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,  # request lines can carry patient identifiers in paths
    )


@app.command()
def train(
    if_needed: Annotated[bool, typer.Option("--if-needed", help="Skip when a cached model matches.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Retrain even when cached.")] = False,
) -> None:
    """Fine-tune the intent model on the configured Rasa NLU data (cached by content hash)."""
    from assistant.nlu.findings.extractor import warm_up
    from assistant.nlu.training import cached_model_dir, is_trained, train_intent_model

    settings = get_settings()
    # The symptom matcher's example vectors are cached beside the exported encoder (seconds).
    warm_up()
    if is_trained(settings) and not force:
        typer.echo(f"Intent model up to date: {cached_model_dir(settings)}")
        return
    if if_needed:
        typer.echo("No cached intent model for this data and base model: training one now.")
    path = train_intent_model(settings, force=force)
    typer.echo(f"Intent model saved to {path}")


@app.command()
def parse(text: Annotated[str, typer.Argument(help="Text to parse.")]) -> None:
    """Print the NLU parse (intent ranking and entities) of one text as JSON."""
    from assistant.core.services import build_safety_policy, load_nlu
    from policies.safety import IntentSignal

    settings = get_settings()
    parser = load_nlu(settings)
    result = parser.parse(text)
    top = result.top_model_intent
    verdict = build_safety_policy().evaluate(text, IntentSignal(top.name, top.confidence))
    out = result.to_dict() | {"safety": verdict.to_dict() if verdict else None}
    typer.echo(json.dumps(out, indent=2))


@app.command()
def chat(
    conversation_id: Annotated[str | None, typer.Option(help="Resume a conversation.")] = None,
    patient_id: Annotated[str | None, typer.Option(help="FHIR patient id for record context.")] = None,
) -> None:
    """Talk to the assistant in the terminal (Ctrl-D or /quit to leave)."""
    from assistant.core.services import build_services
    from assistant.core.turn import InboundMessage

    services = build_services(get_settings())
    conversation_id = conversation_id or f"cli-{uuid.uuid4().hex[:12]}"
    typer.echo(f"Conversation {conversation_id}. Type /quit to leave.")
    metadata = {"patient_id": patient_id} if patient_id else {}
    try:
        while True:
            try:
                text = input("you> ").strip()
            except EOFError:
                break
            if text in ("/quit", "/exit"):
                break
            if not text:
                continue
            result = services.engine.handle(
                InboundMessage(conversation_id, text, sender="cli", channel="cli", metadata=metadata)
            )
            if result.safety:
                typer.secho(f"[safety: {result.safety.kind}]", fg=typer.colors.RED, err=True)
            for reply in result.replies:
                typer.echo(f"bot> {reply.text}")
    finally:
        services.close()


index_app = typer.Typer(help="Build and maintain the guideline index.", no_args_is_help=True)
app.add_typer(index_app, name="index")


def _open_index(settings, *, create: bool = False):  # type: ignore[no-untyped-def]
    from assistant.core.services import index_options, load_encoder
    from retrieval.index import MANIFEST, HybridIndex

    encoder = load_encoder(settings)
    directory = settings.resolved_index_dir
    if (directory / MANIFEST).exists():
        return HybridIndex.load(directory, encoder, **index_options(settings))
    if not create:
        typer.echo(f"No index at {directory}: run `vha index build` first.", err=True)
        raise typer.Exit(1)
    return HybridIndex(encoder, **index_options(settings))


def _progress_upsert(index, paths: list[str]):  # type: ignore[no-untyped-def]
    from pathlib import Path

    from tqdm import tqdm

    from retrieval.chunking import chunk_document
    from retrieval.documents import load_path

    documents = [d for p in paths for d in load_path(Path(p))]
    changed = [d for d in documents if index.documents.get(d.id, ("",))[0] != d.content_hash]
    total = sum(len(chunk_document(d, max_words=index.max_words)) for d in changed)
    with tqdm(total=total, desc="Embedding passages", unit="passage") as bar:
        return index.upsert(documents, progress=bar.update)


@index_app.command("build")
def index_build(
    paths: Annotated[list[str] | None, typer.Argument(help="Files or folders (default: the shipped corpus).")] = None,
    if_needed: Annotated[bool, typer.Option("--if-needed", help="Only bring a stale index up to date.")] = False,
) -> None:
    """Build the index from scratch (or, with --if-needed, refresh only what changed)."""
    from assistant.core.services import index_options, load_encoder
    from retrieval.index import HybridIndex

    settings = get_settings()
    sources = paths or [str(settings.resolved_corpus_dir)]
    index = _open_index(settings, create=True) if if_needed else HybridIndex(load_encoder(settings), **index_options(settings))
    changes = _progress_upsert(index, sources)
    if if_needed and paths is None:
        from retrieval.documents import load_path

        present = {d.id for d in load_path(settings.resolved_corpus_dir)}
        for doc_id in [d for d in index.documents if d not in present]:
            index.remove(doc_id)
    index.save(settings.resolved_index_dir)
    typer.echo(f"{changes} -> {settings.resolved_index_dir} ({len(index.documents)} documents, {len(index)} passages)")


@index_app.command("add")
def index_add(paths: Annotated[list[str], typer.Argument(help="Files or folders to add or replace.")]) -> None:
    """Add documents, or replace changed versions, without rebuilding the rest."""
    settings = get_settings()
    index = _open_index(settings, create=True)
    changes = _progress_upsert(index, paths)
    index.save(settings.resolved_index_dir)
    typer.echo(f"{changes}; {len(index.documents)} documents, {len(index)} passages")


@index_app.command("remove")
def index_remove(doc_ids: Annotated[list[str], typer.Argument(help="Document ids to remove.")]) -> None:
    """Remove documents by id."""
    settings = get_settings()
    index = _open_index(settings)
    missing = [d for d in doc_ids if not index.remove(d)]
    index.save(settings.resolved_index_dir)
    if missing:
        typer.echo(f"Not in the index: {', '.join(missing)}", err=True)
    typer.echo(f"{len(index.documents)} documents, {len(index)} passages")


@index_app.command("stats")
def index_stats() -> None:
    """Print the index manifest (model, dimension, corpus hash, sizes)."""
    settings = get_settings()
    typer.echo(json.dumps(_open_index(settings).manifest(), indent=2))


@app.command()
def wearables(
    path: Annotated[str, typer.Argument(help="Apple Health export.xml/.zip, Open mHealth JSON, or FHIR Observations (JSON, NDJSON, Bundle).")],
    format: Annotated[str | None, typer.Option("--format", help="fhir | omh | apple (detected if omitted).")] = None,
    tz: Annotated[str | None, typer.Option("--tz", help="The wearer's time zone, e.g. Europe/London.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Last day of the recent window (YYYY-MM-DD); default: the newest day with data.")] = None,
    view: Annotated[str, typer.Option("--view", help="patient | clinician | json")] = "patient",
) -> None:
    """Summarise a wearable export: recent days against the wearer's own baseline."""
    import json
    from datetime import date

    from connectors.wearables import WearableDataError, summarise_file

    settings = get_settings()
    try:
        summary = summarise_file(
            path,
            format=format,
            tz=tz,
            as_of=date.fromisoformat(as_of) if as_of else None,
            recent_days=settings.wearable_recent_days,
            baseline_days=settings.wearable_baseline_days,
        )
    except (WearableDataError, ValueError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if view == "json":
        typer.echo(json.dumps(summary.to_dict(), indent=2, default=str))
    elif view == "clinician":
        typer.echo(summary.for_clinician())
    else:
        typer.echo(summary.for_patient())


@app.command()
def worker() -> None:
    """Deliver clinician escalations from the outbox (run any number beside `vha serve`)."""
    from assistant.escalations.worker import run_worker

    run_worker(get_settings())


def main() -> None:  # pragma: no cover - console entry point
    app(prog_name="vha")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
