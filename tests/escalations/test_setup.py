"""Configuration edges: the webhook targets file, secrets by environment, the migration."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect
from standardwebhooks import Webhook

from assistant.escalations.endpoints import (
    LOCAL_DEV_SIGNING_SECRET,
    EndpointConfigError,
    EndpointDirectory,
    signing_secrets,
)
from assistant.stores.migrate import alembic_config, upgrade
from assistant.stores.sql import make_engine
from connectors.webhooks import new_secret
from tests.conftest import make_settings

TABLES = {"escalations", "escalation_outbox", "escalation_deliveries", "escalation_audit", "escalation_inbound_webhooks"}


def test_targets_file_routes_each_target_and_per_endpoint_secrets_sign(tmp_path) -> None:  # type: ignore[no-untyped-def]
    crisis_secret = new_secret()
    targets = tmp_path / "targets.yml"
    targets.write_text(
        "default:\n  - url: http://clinic.test/hooks\n"
        "targets:\n  mental-health-crisis-team:\n"
        f"    - url: http://crisis.test/hooks\n      secrets: ['{crisis_secret}']\n",
        encoding="utf-8",
    )
    directory = EndpointDirectory.from_settings(make_settings(tmp_path, escalation_webhook_targets_file=targets))

    assert [e.url for e in directory.for_target("mental-health-crisis-team")] == ["http://crisis.test/hooks"]
    assert [e.url for e in directory.for_target("gp-duty-team")] == ["http://clinic.test/hooks"]
    headers = directory.signer_for("http://crisis.test/hooks").headers("msg_1", "{}")
    Webhook(crisis_secret).verify("{}", headers)
    Webhook(LOCAL_DEV_SIGNING_SECRET).verify("{}", directory.signer_for("http://clinic.test/hooks").headers("msg_2", "{}"))


def test_a_bad_targets_file_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    targets = tmp_path / "targets.yml"
    targets.write_text("default:\n  - url: ftp://nope\n", encoding="utf-8")
    with pytest.raises(EndpointConfigError, match="http"):
        EndpointDirectory.from_settings(make_settings(tmp_path, escalation_webhook_targets_file=targets))


def test_development_secret_only_in_the_local_environment(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert signing_secrets(make_settings(tmp_path)) == [LOCAL_DEV_SIGNING_SECRET]
    assert signing_secrets(make_settings(tmp_path, environment="production")) == []
    mine = new_secret()
    assert signing_secrets(make_settings(tmp_path, environment="production", escalation_signing_secrets=mine)) == [mine]


def test_migration_creates_and_drops_the_escalation_tables(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine)
    assert TABLES <= set(inspect(engine).get_table_names())

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    assert not TABLES & set(inspect(engine).get_table_names())
    engine.dispose()
