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
    from assistant.nlu.training import cached_model_dir, is_trained, train_intent_model

    settings = get_settings()
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


@app.command()
def worker() -> None:
    """Deliver clinician escalations from the outbox (run any number beside `vha serve`)."""
    from assistant.escalations.worker import run_worker

    run_worker(get_settings())


def main() -> None:  # pragma: no cover - console entry point
    app(prog_name="vha")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
