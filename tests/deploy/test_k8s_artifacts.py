"""The Kubernetes artifacts, checked as far as this machine allows: no container engine and no
`helm` here, so the Dockerfile is read (its COPY sources exist, its locked install resolves, its
command parses and its module imports) and the Helm values are checked against the value types
of Dagster's chart (dagster/dagster, values.schema.json) for the keys they set.
"""

from __future__ import annotations

import importlib
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import click
import jsonschema
import pytest
import yaml
from dagster._cli.code_server import start_command

from datapact_dagster.pipeline.dagster_home import WAREHOUSE_POOL_LIMIT

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
VALUES = ROOT / "deploy" / "helm" / "values.yaml"


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def _args() -> dict[str, str]:
    return {
        name: default
        for kind, rest in _instructions()
        if kind == "ARG"
        for name, _, default in [rest.partition("=")]
    }


def _env() -> dict[str, str]:
    found: dict[str, str] = {}
    for kind, rest in _instructions():
        if kind == "ENV":
            found.update(pair.split("=", 1) for pair in shlex.split(rest))
    return found


def _cmd() -> list[str]:
    [cmd] = [rest for kind, rest in _instructions() if kind == "CMD"]
    return yaml.safe_load(cmd)


def test_every_copy_source_exists_in_the_build_context() -> None:
    args = _args()
    sources = []
    for kind, rest in _instructions():
        if kind != "COPY" or rest.startswith("--from"):
            continue
        *copied, _destination = rest.split()
        sources += [re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], s) for s in copied]
    assert sources, "the Dockerfile copies nothing"
    missing = [s for s in sources if not (ROOT / s).exists()]
    assert missing == [], f"COPY sources missing from the repository: {missing}"


def test_the_locked_install_resolves_with_the_celery_extra(tmp_path: Path) -> None:
    [export] = [rest for kind, rest in _instructions() if kind == "RUN" and "uv export" in rest]
    command = shlex.split(export.split("&&")[0].replace("-o /tmp/requirements.txt", ""))
    assert command[:2] == ["uv", "export"] and "--frozen" in command
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    pinned = {line.split("==")[0] for line in result.stdout.splitlines() if "==" in line}
    assert {"dagster", "dagster-postgres", "dagster-celery", "redis"} <= pinned


def test_the_command_parses_and_its_module_loads() -> None:
    cmd = _cmd()
    assert cmd[:3] == ["dagster", "code-server", "start"]
    context = start_command.make_context("start", cmd[3:])
    assert context.params["port"] == 3030
    module = context.params["module_name"]
    assert module == "datapact_dagster.definitions"
    importlib.import_module(module)
    assert int(re.search(r"EXPOSE (\d+)", DOCKERFILE.read_text()).group(1)) == 3030  # type: ignore[union-attr]


def test_the_image_runs_as_a_user_with_its_stores_outside_the_image() -> None:
    kinds = [kind for kind, _ in _instructions()]
    assert "USER" in kinds and kinds.index("USER") > kinds.index("COPY")
    env = _env()
    assert env["DATAPACT_PROJECT_DIR"] == "/opt/datapact/project"
    assert not any("URL" in name for name in env), "store URLs come from Secrets, never the image"


# The value types of Dagster's chart for the keys these values set, from its values.schema.json
# (object nesting, types, enums, required keys, and additionalProperties where the chart
# closes an object). Values are overrides merged over the chart's defaults, so only the keys
# set here are checked.
_IMAGE = {
    "type": "object",
    "properties": {
        "repository": {"type": "string"},
        "tag": {"type": ["string", "integer", "null"]},
        "pullPolicy": {"enum": ["Always", "IfNotPresent", "Never"]},
    },
    "required": ["repository", "pullPolicy"],
}
_SECRETS = {"type": "array", "items": {"type": "object", "required": ["name"]}}
_VOLUMES = {"type": "array", "items": {"type": "object", "required": ["name"]}}
CHART_TYPES: dict[str, Any] = {
    "type": "object",
    "properties": {
        "global": {
            "type": "object",
            "properties": {"postgresqlSecretName": {"type": "string"}},
        },
        "telemetry": {
            "type": "object",
            "properties": {"enabled": {"type": "boolean"}},
            "additionalProperties": False,
        },
        "generatePostgresqlPasswordSecret": {"type": "boolean"},
        "postgresql": {
            "type": "object",
            "properties": {
                "enabled": {"type": "boolean"},
                "postgresqlHost": {"type": "string"},
                "postgresqlUsername": {"type": "string"},
                "postgresqlDatabase": {"type": "string"},
                "postgresqlParams": {"type": "object"},
                "service": {
                    "type": "object",
                    "properties": {"port": {"type": "integer"}},
                    "required": ["port"],
                },
            },
        },
        "dagster-user-deployments": {
            "type": "object",
            "properties": {
                "enabled": {"type": "boolean"},
                "enableSubchart": {"type": "boolean"},
                "deployments": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "name": {"type": "string"},
                            "image": _IMAGE,
                            "codeServerArgs": {"type": "array", "items": {"type": "string"}},
                            "port": {"type": "integer"},
                            "includeConfigInLaunchedRuns": {
                                "type": "object",
                                "properties": {"enabled": {"type": "boolean"}},
                                "required": ["enabled"],
                            },
                            "env": {"type": "object", "additionalProperties": {"type": "string"}},
                            "envSecrets": _SECRETS,
                            "volumes": _VOLUMES,
                            "volumeMounts": _VOLUMES,
                            "resources": {"type": "object"},
                        },
                        "required": ["name", "image", "port"],
                    },
                },
            },
        },
        "runLauncher": {
            "type": "object",
            "properties": {
                "type": {"enum": ["CeleryK8sRunLauncher", "K8sRunLauncher", "CustomRunLauncher"]},
                "config": {
                    "type": "object",
                    "properties": {
                        "k8sRunLauncher": {
                            "type": "object",
                            "properties": {
                                "imagePullPolicy": {"enum": ["Always", "IfNotPresent", "Never"]},
                                "loadInclusterConfig": {"type": "boolean"},
                                "envConfigMaps": {"type": "array"},
                                "envSecrets": _SECRETS,
                                "envVars": {"type": "array", "items": {"type": "string"}},
                                "volumes": _VOLUMES,
                                "volumeMounts": _VOLUMES,
                            },
                            "additionalProperties": False,
                        }
                    },
                },
            },
            "required": ["type", "config"],
            "additionalProperties": False,
        },
        "dagsterDaemon": {
            "type": "object",
            "properties": {
                "enabled": {"type": "boolean"},
                "runCoordinator": {
                    "type": "object",
                    "properties": {
                        "enabled": {"type": "boolean"},
                        "type": {"enum": ["QueuedRunCoordinator", "CustomRunCoordinator"]},
                    },
                    "additionalProperties": False,
                },
            },
        },
        "concurrency": {
            "type": "object",
            "properties": {
                "pools": {
                    "type": "object",
                    "properties": {"defaultLimit": {"type": "integer"}},
                    "additionalProperties": False,
                },
                "runs": {
                    "type": "object",
                    "properties": {"maxConcurrentRuns": {"type": "integer"}},
                    "additionalProperties": False,
                },
            },
            "additionalProperties": False,
        },
    },
    "additionalProperties": False,
}


@pytest.fixture(scope="module")
def values() -> dict[str, Any]:
    return yaml.safe_load(VALUES.read_text(encoding="utf-8"))


def test_values_have_the_chart_s_types(values: dict[str, Any]) -> None:
    jsonschema.validate(values, CHART_TYPES)


def test_a_wrong_key_is_caught(values: dict[str, Any]) -> None:
    broken = {**values, "runLauncher": {**values["runLauncher"], "typo": 1}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, CHART_TYPES)


def test_the_code_location_serves_the_image_s_definitions(values: dict[str, Any]) -> None:
    [deployment] = values["dagster-user-deployments"]["deployments"]
    context = start_command.make_context("start", [*deployment["codeServerArgs"], "-p", "1"])
    image_cmd = start_command.make_context("start", _cmd()[3:])
    assert context.params["module_name"] == image_cmd.params["module_name"]
    assert deployment["port"] == image_cmd.params["port"]


def test_code_server_and_run_pods_share_stores_and_landing_files(values: dict[str, Any]) -> None:
    [deployment] = values["dagster-user-deployments"]["deployments"]
    launcher = values["runLauncher"]["config"]["k8sRunLauncher"]
    assert deployment["envSecrets"] == launcher["envSecrets"]
    assert deployment["volumes"] == launcher["volumes"]
    assert deployment["volumeMounts"] == launcher["volumeMounts"]
    landing = _env()["DATAPACT_LANDING_DIR"]
    assert deployment["env"]["DATAPACT_LANDING_DIR"] == landing
    assert f"DATAPACT_LANDING_DIR={landing}" in launcher["envVars"]
    assert [m["mountPath"] for m in deployment["volumeMounts"]] == [landing]


def test_dagster_storage_is_the_external_postgresql_with_datapact_s_settings(
    values: dict[str, Any],
) -> None:
    assert values["postgresql"]["enabled"] is False
    assert values["telemetry"]["enabled"] is False
    assert values["dagsterDaemon"]["runCoordinator"]["type"] == "QueuedRunCoordinator"
    assert values["concurrency"]["pools"]["defaultLimit"] == WAREHOUSE_POOL_LIMIT


def test_click_is_what_parses_the_code_server_command() -> None:
    with pytest.raises(click.UsageError):
        start_command.make_context("start", ["--no-such-option"])
