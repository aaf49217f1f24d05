"""The container files, read as CI cannot run them (there is no Docker engine): `compose.yaml` is
validated against the Compose specification by a strict parser (compose-spec, which refuses unknown
keys and bad values, as `docker compose config` would), and both files are held to the shape README
promises: a multi-stage image with only runtime dependencies, run as a non-root user with a health
check; PostgreSQL, a one-off migration, two `serve` replicas without schedules and one scheduler."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from compose_spec import PyCompose
from dockerfile_parse import DockerfileParser

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    parsed = PyCompose.from_yaml((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    parsed.validate()  # every named volume, network, config and secret a service uses is declared
    return parsed.to_dict()


@pytest.fixture(scope="module")
def stages() -> list[list[dict[str, Any]]]:
    """The Dockerfile's instructions, stage by stage."""
    parser = DockerfileParser(fileobj=(ROOT / "Dockerfile").open("rb"))
    found: list[list[dict[str, Any]]] = []
    for instruction in parser.structure:
        if instruction["instruction"] == "COMMENT":
            continue
        if instruction["instruction"] == "FROM":
            found.append([])
        assert found, "an instruction before the first FROM"
        found[-1].append(instruction)
    return found


def _values(stage: list[dict[str, Any]], name: str) -> list[str]:
    return [i["value"] for i in stage if i["instruction"] == name]


def test_a_strict_compose_parser_refuses_what_docker_would() -> None:
    # The check can fail: an unknown key and a bad restart policy are refused.
    with pytest.raises(ValueError, match="x-"):
        PyCompose.from_yaml("services:\n  web:\n    image: nginx\n    replica: 2\n")
    with pytest.raises(ValueError):
        PyCompose.from_yaml("services:\n  web:\n    image: nginx\n    restart: sometimes\n")


def test_compose_runs_postgres_a_migration_two_replicas_and_one_scheduler(compose: dict[str, Any]) -> None:
    services = compose["services"]
    commands = {name: service.get("command") for name, service in services.items()}
    serving = [name for name, command in commands.items() if command == ["pyramid-bot", "serve"]]
    scheduling = [name for name, command in commands.items() if command == ["pyramid-bot", "scheduler"]]
    [migrating] = [name for name, command in commands.items() if command == ["pyramid-bot", "db", "upgrade"]]
    assert len(serving) == 2 and len(scheduling) == 1
    assert services["postgres"]["image"].startswith("postgres:") and "healthcheck" in services["postgres"]
    assert services[migrating]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in (*serving, *scheduling):
        service = services[name]
        # Nobody serves on a schema the migration has not reached yet.
        assert service["depends_on"][migrating]["condition"] == "service_completed_successfully"
        assert service["environment"]["DATABASE_URL"].startswith("postgresql://")
    for name in serving:
        # The schedules run in the scheduler only (the advisory lock would elect one leader anyway).
        assert services[name]["environment"]["PYRAMID_RUN_SCHEDULER"] == "false"
        assert services[name]["ports"]
    # Two replicas published on one host port would not start.
    published = [port for name in serving for port in services[name]["ports"]]
    assert len(set(published)) == len(published)


def test_compose_sets_only_variables_pyramid_reads(compose: dict[str, Any]) -> None:
    known = {name.upper() for name in Settings.model_fields}
    for name, service in compose["services"].items():
        if service.get("image", "").startswith("pyramid-bot"):
            unknown = set(service.get("environment", {})) - known
            assert not unknown, f"{name} sets {unknown}: a misspelt variable is silently ignored"


def test_the_image_is_built_in_one_stage_and_run_from_wheels_in_another(
    stages: list[list[dict[str, Any]]],
) -> None:
    assert len(stages) == 2
    build, runtime = stages
    assert re.fullmatch(r"python:3\.11-slim AS build", _values(build, "FROM")[0])
    assert any("pip wheel" in run for run in _values(build, "RUN"))
    # The image that runs copies no source and installs nothing from the network: only the wheels.
    assert _values(runtime, "COPY") == [] and _values(runtime, "ADD") == []
    [install] = [run for run in _values(runtime, "RUN") if "pip install" in run]
    assert "from=build" in install and "--no-index" in install and "pyramid-bot" in install
    assert not any("[dev]" in run for run in _values(runtime, "RUN"))


def test_the_image_runs_serve_as_a_non_root_user_with_a_health_check(
    stages: list[list[dict[str, Any]]],
) -> None:
    runtime = stages[-1]
    [user] = _values(runtime, "USER")
    assert user not in ("root", "0")
    [healthcheck] = _values(runtime, "HEALTHCHECK")
    assert "/healthz" in healthcheck
    [command] = _values(runtime, "CMD")
    assert shlex.split(command.strip("[]").replace(",", " ")) == ["pyramid-bot", "serve"]


def test_the_ci_install_check_copies_what_the_image_copies(stages: list[list[dict[str, Any]]]) -> None:
    """scripts/check-image-install stands in for `docker build`: it must install the same files."""
    copied = {part for value in _values(stages[0], "COPY") for part in value.split()[:-1]}
    script = (ROOT / "scripts" / "check-image-install").read_text(encoding="utf-8")
    assert copied == {"pyproject.toml", "README.md", "bot"}
    for name in copied:
        assert f'"$repo_root/{name}"' in script
    assert "--no-index" in script and 'pip" wheel' in script
