"""Static checks of the deployment files in infra/: the Prefect project file, the systemd units
and the environment examples agree with each other and with the code."""

from __future__ import annotations

import configparser
import importlib
import inspect
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from schemas.settings import Limits, OcrOptions, Settings

ROOT = Path(__file__).resolve().parents[1]
INFRA = ROOT / "infra"
PREFECT_YAML = INFRA / "prefect.yaml"
UNITS = sorted((INFRA / "systemd").glob("*.service"))
INSTALL_DIR = "/opt/hoso"
VENV_BIN = f"{INSTALL_DIR}/.venv/bin"
OWN_PROGRAMS = {"hoso", "prefect", "python", "python3", "uvicorn"}
EXPECTED_DEPLOYMENTS = {"nightly/nightly", "process/process"}  # `prefect deployment run <these>`


def load_project() -> dict[str, Any]:
    return yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8"))


def deployments() -> dict[str, dict[str, Any]]:
    return {d["name"]: d for d in load_project()["deployments"]}


def read_unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    return parser


def exec_start(unit: configparser.ConfigParser) -> list[str]:
    argv = shlex.split(unit["Service"]["ExecStart"])
    argv[0] = argv[0].lstrip("@-:+!|")  # systemd's ExecStart prefixes
    return argv


def option(argv: list[str], name: str) -> str:
    assert name in argv, f"{name} missing from {argv}"
    return argv[argv.index(name) + 1]


def worker_unit() -> configparser.ConfigParser:
    return read_unit(INFRA / "systemd" / "hoso-worker@.service")


def load_flow(entrypoint: str) -> Any:
    path, _, name = entrypoint.partition(":")
    assert path.endswith(".py") and name, f"entrypoint {entrypoint!r} is not path/to/file.py:function"
    assert (ROOT / path).is_file(), f"entrypoint file {path} does not exist"
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    return getattr(module, name)


# --- infra/prefect.yaml -------------------------------------------------------------------------

def test_prefect_yaml_parses_and_is_valid_for_prefect_deploy() -> None:
    from prefect.cli.deploy._models import PrefectYamlModel  # what `prefect deploy` validates with

    project = load_project()
    assert isinstance(project, dict)
    model = PrefectYamlModel.model_validate(project)
    assert {d.name for d in model.deployments} == {"nightly", "process"}
    assert all(d.entrypoint and d.work_pool and d.work_pool.name for d in model.deployments)


@pytest.mark.parametrize("name", ["nightly", "process"])
def test_entrypoint_is_a_prefect_flow(name: str) -> None:
    from prefect import Flow

    deployment = deployments()[name]
    flow = load_flow(deployment["entrypoint"])
    assert isinstance(flow, Flow), f"{deployment['entrypoint']} is not a Prefect flow"
    assert f"{flow.name}/{deployment['name']}" in EXPECTED_DEPLOYMENTS
    required = [p.name for p in inspect.signature(flow.fn).parameters.values()
                if p.default is inspect.Parameter.empty]
    assert not required, f"{name}: a scheduled or `deployment run` start passes no {required}"


def test_nightly_schedule_is_the_settings_default() -> None:
    from prefect.client.schemas.schedules import CronSchedule

    nightly = deployments()["nightly"]
    assert len(nightly["schedules"]) == 1
    schedule = nightly["schedules"][0]
    assert schedule["cron"] == Settings.model_fields["nightly_cron"].default
    assert schedule["timezone"] == Settings.model_fields["timezone"].default
    CronSchedule(cron=schedule["cron"], timezone=schedule["timezone"])  # valid for Prefect
    assert not deployments()["process"].get("schedules")


def test_nightly_runs_never_overlap() -> None:
    limit = deployments()["nightly"]["concurrency_limit"]
    assert (limit["limit"] if isinstance(limit, dict) else limit) == 1
    assert not deployments()["process"].get("concurrency_limit")


def test_code_is_taken_from_the_install_dir() -> None:
    steps = load_project()["pull"]
    assert steps == [{"prefect.deployments.steps.set_working_directory": {"directory": INSTALL_DIR}}]
    for deployment in deployments().values():
        assert "pull" not in deployment, "a deployment's own pull steps would replace the install dir"


def test_work_pool_is_the_one_the_workers_poll() -> None:
    argv = exec_start(worker_unit())
    assert argv[1:3] == ["worker", "start"]
    pool = option(argv, "--pool")
    assert {d["work_pool"]["name"] for d in deployments().values()} == {pool}
    assert option(argv, "--type") == "process"
    assert f"prefect work-pool create {pool} --type process" in (INFRA / "README.md").read_text()


# --- infra/systemd/*.service --------------------------------------------------------------------

def test_the_units_are_there() -> None:
    names = {p.name for p in UNITS}
    assert {"prefect-server.service", "hoso-worker@.service", "hoso-serve.service",
            "hoso-web.service"} <= names


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_unit_is_complete(path: Path) -> None:
    unit = read_unit(path)
    assert {"Unit", "Service", "Install"} <= set(unit.sections())
    assert unit["Service"].get("ExecStart"), "no ExecStart"
    assert unit["Install"].get("WantedBy"), "no WantedBy: `systemctl enable` would do nothing"
    assert unit["Service"].get("NoNewPrivileges") == "yes"
    assert unit["Service"].get("ProtectSystem") == "strict"
    assert unit["Service"].get("PrivateTmp") == "yes"
    state = unit["Service"].get("StateDirectory")
    assert state and f"/var/lib/{state}" in unit["Service"].get("ReadWritePaths", "").split()


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_unit_runs_an_installed_program(path: Path) -> None:
    program = exec_start(read_unit(path))[0]
    assert program.startswith("/"), f"ExecStart program {program!r} is not an absolute path"
    if Path(program).name in OWN_PROGRAMS:
        assert program.startswith(VENV_BIN + "/"), f"{program} is not the venv in {INSTALL_DIR}"


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_unit_environment_file_has_an_example(path: Path) -> None:
    env_file = read_unit(path)["Service"].get("EnvironmentFile", "").lstrip("-")
    assert env_file.startswith("/etc/hoso/"), "settings belong in /etc/hoso/*.env"
    assert (INFRA / "env" / (Path(env_file).name + ".example")).is_file()


def test_worker_runs_tesseract_single_threaded_and_restarts() -> None:
    service = worker_unit()["Service"]
    environment = [line.split("=", 1)[1] for line in (INFRA / "systemd" / "hoso-worker@.service")
                   .read_text().splitlines() if line.startswith("Environment=")]  # a repeated key
    assert "OMP_THREAD_LIMIT=1" in " ".join(environment).split()
    assert service["Restart"] == "always"
    assert service["User"] == "hoso"
    assert "%i" in option(exec_start(worker_unit()), "--name")


# --- infra/env/*.env.example --------------------------------------------------------------------

def env_keys(path: Path) -> list[str]:
    keys = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, sep, _ = line.partition("=")
            assert sep and re.fullmatch(r"[A-Z_][A-Z0-9_]*", key), f"{path.name}: bad line {line!r}"
            keys.append(key)
    return keys


def test_hoso_env_names_real_settings() -> None:
    fields = {*Settings.model_fields, *Limits.model_fields, *OcrOptions.model_fields}
    keys = env_keys(INFRA / "env" / "hoso.env.example")
    for key in keys:
        if key.startswith("HOSO_"):
            assert key.removeprefix("HOSO_").lower() in fields, f"{key} is not a hoso setting"
    assert "PREFECT_API_URL" in keys


@pytest.mark.parametrize("name", ["hoso.env.example", "prefect.env.example"])
def test_prefect_env_names_real_settings(name: str) -> None:
    from prefect.settings import Settings as PrefectSettings
    from prefect.settings.legacy import _get_valid_setting_names

    valid = _get_valid_setting_names(PrefectSettings)
    for key in env_keys(INFRA / "env" / name):
        if key.startswith("PREFECT_"):
            assert key in valid, f"{key} is not a Prefect setting"


def test_prefect_server_is_private() -> None:
    keys = dict(line.split("=", 1) for line in (INFRA / "env" / "prefect.env.example").read_text()
                .splitlines() if line and not line.startswith("#"))
    assert keys["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    assert keys["PREFECT_API_DATABASE_CONNECTION_URL"].startswith("postgresql+asyncpg://")
