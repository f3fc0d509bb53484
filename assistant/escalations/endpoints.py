"""Where each routing target's webhooks go, and the secrets they are signed with.

The webhook targets file (``VHA_ESCALATION_WEBHOOK_TARGETS_FILE``) maps routing target ids to
endpoints; ``default`` (or ``VHA_ESCALATION_WEBHOOK_URL``) serves every target without its own::

    default:
      - url: https://clinic.example/hooks/escalations
    targets:
      mental-health-crisis-team:
        - url: https://crisis.example/hooks
          secrets: ["whsec_..."]   # optional; else VHA_ESCALATION_SIGNING_SECRETS

URLs and secrets stay in configuration; the database keeps only the URL of each job.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistant.config import Settings
from connectors.webhooks import WebhookSigner

#: Used only when nothing is configured in the local environment, so `make run` works out of the box.
LOCAL_DEV_SIGNING_SECRET = "whsec_dmhhLWxvY2FsLWRldi1zaWduaW5nLWtleS0wMDAwMDA="
LOCAL_DEV_CALLBACK_SECRET = "whsec_dmhhLWxvY2FsLWRldi1jYWxsYmFjay1rZXktMDAwMDA="


class EndpointConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Endpoint:
    url: str
    secrets: tuple[str, ...] = ()


class EndpointDirectory:
    def __init__(
        self,
        by_target: dict[str, list[Endpoint]] | None = None,
        default: list[Endpoint] | None = None,
        signing_secrets: list[str] | None = None,
    ) -> None:
        self.by_target = by_target or {}
        self.default = default or []
        self.signing_secrets = list(signing_secrets or [])
        self._signers: dict[tuple[str, ...], WebhookSigner] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> EndpointDirectory:
        by_target: dict[str, list[Endpoint]] = {}
        default: list[Endpoint] = []
        if settings.escalation_webhook_targets_file:
            by_target, default = _read_targets_file(Path(settings.escalation_webhook_targets_file))
        if settings.escalation_webhook_url and not default:
            default = [Endpoint(settings.escalation_webhook_url)]
        return cls(by_target, default, signing_secrets(settings))

    @property
    def configured(self) -> bool:
        return bool(self.default or any(self.by_target.values()))

    def for_target(self, target: str) -> list[Endpoint]:
        return list(self.by_target.get(target) or self.default)

    def signer_for(self, url: str) -> WebhookSigner:
        """The signer for an endpoint URL (its own secrets, else the global ones)."""
        secrets: tuple[str, ...] = ()
        for endpoint in [*self.default, *(e for group in self.by_target.values() for e in group)]:
            if endpoint.url == url and endpoint.secrets:
                secrets = endpoint.secrets
                break
        key = secrets or tuple(self.signing_secrets)
        if key not in self._signers:
            self._signers[key] = WebhookSigner(list(key))
        return self._signers[key]


def signing_secrets(settings: Settings) -> list[str]:
    if settings.escalation_signing_secrets:
        return list(settings.escalation_signing_secrets)
    return [LOCAL_DEV_SIGNING_SECRET] if settings.environment == "local" else []


def callback_secrets(settings: Settings) -> list[str]:
    if settings.escalation_callback_secrets:
        return list(settings.escalation_callback_secrets)
    return [LOCAL_DEV_CALLBACK_SECRET] if settings.environment == "local" else []


def _endpoints(value: Any, where: str) -> list[Endpoint]:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, str):
            item = {"url": item}
        if not isinstance(item, dict) or not str(item.get("url", "")).startswith(("http://", "https://")):
            raise EndpointConfigError(f"{where}: each endpoint needs an http(s) 'url'")
        out.append(Endpoint(str(item["url"]), tuple(str(s) for s in item.get("secrets") or ())))
    return out


def _read_targets_file(path: Path) -> tuple[dict[str, list[Endpoint]], list[Endpoint]]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise EndpointConfigError(f"cannot read webhook targets file {path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise EndpointConfigError(f"{path}: expected a mapping with 'default' and/or 'targets'")
    default = _endpoints(raw["default"], f"{path}: default") if raw.get("default") else []
    targets = {
        str(name): _endpoints(value, f"{path}: targets.{name}")
        for name, value in (raw.get("targets") or {}).items()
    }
    return targets, default
