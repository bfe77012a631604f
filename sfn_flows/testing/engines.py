"""The engines a flow runs on in tests, behind one interface (`Engine`):

- `sfn-flows-local` (default): the sfn-flows engine server (`sfn-flows engine serve`) runs the
  state machines in its container, with the project's own Lambda handlers; the Lambdas and
  the API stay in a local-stack container on the same Docker network
  (`sfn_flows.testing.engine_server`).
- `local-stack`: the local stack (MiniStack) in a Docker container, started with
  testcontainers from the locally built image; it runs the state machines, the Lambdas and
  the API.
- `stepfunctions-local`: AWS's Step Functions Local runs the state machines; the Lambdas and
  the API stay in a local-stack container on the same Docker network
  (`sfn_flows.testing.stepfunctions_local`).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import socket
import threading
import time
import traceback
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sfn_flows.aws import Target
from sfn_flows.errors import SfnFlowsError
from sfn_flows.local.processes import process_alive

SFN_FLOWS_LOCAL = "sfn-flows-local"
LOCAL_STACK = "local-stack"
STEPFUNCTIONS_LOCAL = "stepfunctions-local"
ENGINES = (SFN_FLOWS_LOCAL, LOCAL_STACK, STEPFUNCTIONS_LOCAL)  # the first is the default
CONTAINER_PORT = 4566
LABEL = "sfn-flows.engine"
# The pid of the test session that started the container: another session (a nested pytest,
# a parallel run) must not remove it while that process lives.
OWNER_LABEL = "sfn-flows.owner-pid"
# Whoever starts engines can tag them: the value of RUN_ENV (inherited by subprocesses, e.g. a
# pytest session run by a test) goes on every container and network, so that caller finds
# exactly what it started, whatever else comes and goes on a shared Docker.
RUN_LABEL = "sfn-flows.run"
RUN_ENV = "SFN_FLOWS_RUN"
# Where an engine started with a mock config finds it (mounted read-only before start: both
# engines read SFN_MOCK_CONFIG once, at boot).
MOCK_CONFIG_PATH = "/mock/config.json"
# Set on every local-stack container, also a published image's: the gateway on the port we
# map, and MiniStack's listeners on fixed ports (MQTT over TLS, SFTP) off.
# From `docker run` to the first answer: 2-3 s on an idle machine; bounded, but generous for
# the first start on a fresh machine under heavy load (cold page cache, an image build or
# other test sessions beside it).
READY_DEADLINE = 180.0
LOCAL_STACK_ENV = {
    "GATEWAY_PORT": str(CONTAINER_PORT),
    "IOT_MTLS_ENABLED": "0",
    "SFTP_ENABLED": "0",
}
# testcontainers is configured for the containers started here only, never through the
# environment: this module is imported in every pytest session of every project that installs
# sfn-flows, whose own testcontainers must keep their settings. Ryuk (testcontainers' reaper)
# cannot be pulled on these machines (../shared/notes/containers.md) and the plugin removes its
# own containers (remove_leftover_containers), so it is off while ours start, unless the user
# chose (the variable or the ~/.testcontainers.properties key below).
RYUK_ENV = "TESTCONTAINERS_RYUK_DISABLED"
RYUK_PROPERTY = "ryuk.disabled"
_RYUK_SWITCH = threading.Lock()


class EngineError(SfnFlowsError):
    """The engine could not be had (started, made ready, the project deployed into it).

    str(): the cause and the fix on the first line, which pytest shows on the short summary
    line of every test that needed the engine; details (log lines, a traceback) after it.
    """


# Why any failure not of our own making is reported with this fix: under load or with a
# daemon in trouble, Docker's and the HTTP clients' errors are what surfaces.
DOCKER_FIX = (
    "check that Docker answers (`docker info`) and has free memory and CPU, then run the "
    "tests again"
)


def engine_error(exc: Exception, doing: str = "start the engine") -> EngineError:
    """`exc`, raised while trying to `doing`, as one EngineError: ours as they are (their
    message already names the cause and the fix), any other (Docker's, testcontainers', a
    timeout) with its type and first line, then the fix, and its traceback after."""
    if isinstance(exc, EngineError):
        return exc
    if isinstance(exc, SfnFlowsError):
        return EngineError(str(exc))
    lines = str(exc).strip().splitlines()
    first = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
    details = "".join(traceback.format_exception(exc)).rstrip()
    return EngineError(f"could not {doing}: {first}; {DOCKER_FIX}\n{details}")


def engine_labels(kind: str) -> dict[str, str]:
    """The labels of an engine's containers and networks: its kind, the process that owns
    them and, when RUN_ENV is set, the caller's run tag."""
    labels = {LABEL: kind, OWNER_LABEL: str(os.getpid())}
    run = os.environ.get(RUN_ENV)
    if run:
        labels[RUN_LABEL] = run
    return labels


class Engine(Protocol):
    """What the plugin needs of an engine, whichever runs the state machines and wherever
    (in containers or not): where to deploy, the clients, publishing, stopping."""

    name: str
    ready_seconds: float

    @property
    def endpoint_url(self) -> str:
        """The local stack: CloudFormation, Lambda, API Gateway (where the project deploys)."""
        ...

    def target(self) -> Target:
        """Clients for the deployed project; `stepfunctions` reaches the state machines."""
        ...

    def publish(self, build_dir: Path, stack: str, outputs: dict[str, str]) -> dict[str, str]:
        """After `deploy_project`: make the workflows runnable; the stack's outputs with
        each `<Workflow>StateMachineArn` naming the state machine to start."""
        ...

    def stop(self) -> None: ...


@dataclass
class ContainerEngine:
    """The local stack in one container: it runs everything."""

    name: str
    image: str
    endpoint_url: str
    container: Any
    ready_seconds: float

    @property
    def stack_image(self) -> str:
        return self.image

    def target(self) -> Target:
        return self._target

    @functools.cached_property
    def _target(self) -> Target:
        return Target(endpoint_url=self.endpoint_url)

    def publish(self, build_dir: Path, stack: str, outputs: dict[str, str]) -> dict[str, str]:
        return outputs  # CloudFormation created the state machines in this container

    def stop(self) -> None:
        remove_container(self.container)


def start_engine(
    name: str,
    stack_image: str,
    *,
    mock_config: Path | None = None,
    host_port: int | None = None,
    deadline: float = READY_DEADLINE,
    lambdas_dir: Path | None = None,
    status_events: bool = False,
) -> Engine:
    """Start engine `name` (`stack_image`: the local-stack image) -> a ready engine.

    `mock_config`: a SFN_MOCK_CONFIG file for the engine that runs the state machines.
    `host_port`: publish the local stack on this host port instead of a free one.
    `lambdas_dir`: the project's lambdas/, whose handlers sfn-flows-local runs itself.
    `status_events`: sfn-flows-local sends EventBridge "Step Functions Execution Status
    Change" events to the local stack (no other engine can).
    """
    if status_events and name != SFN_FLOWS_LOCAL:
        raise EngineError(
            f"the {name} engine sends no execution status events; choose {SFN_FLOWS_LOCAL} "
            "(--sfn-engine / SFN_FLOWS_ENGINE) or turn status events off "
            "(--sfn-status-events / SFN_FLOWS_STATUS_EVENTS)"
        )
    if name == SFN_FLOWS_LOCAL:
        from sfn_flows.testing import engine_server

        return engine_server.start_engine(
            stack_image,
            mock_config=mock_config,
            host_port=host_port,
            deadline=deadline,
            lambdas_dir=lambdas_dir,
            status_events=status_events,
        )
    if name == LOCAL_STACK:
        env, volumes = {}, {}
        if mock_config is not None:
            env["SFN_MOCK_CONFIG"] = MOCK_CONFIG_PATH
            volumes[str(mock_config)] = MOCK_CONFIG_PATH
        return start_local_stack(
            stack_image, env=env, volumes=volumes, host_port=host_port, deadline=deadline
        )
    if name == STEPFUNCTIONS_LOCAL:
        from sfn_flows.testing import stepfunctions_local

        return stepfunctions_local.start_engine(
            stack_image, mock_config=mock_config, host_port=host_port, deadline=deadline
        )
    raise EngineError(
        f"unknown engine {name!r}; choose one of {', '.join(ENGINES)} "
        "(option --sfn-engine or environment variable SFN_FLOWS_ENGINE)"
    )


def start_local_stack(
    image: str,
    *,
    env: dict[str, str] | None = None,
    volumes: dict[str, str] | None = None,
    host_port: int | None = None,
    network: Any = None,
    alias: str | None = None,
    command: str | None = None,
    deadline: float = READY_DEADLINE,
) -> ContainerEngine:
    """Start the local stack from `image`; `volumes` maps host paths to read-only container
    paths. The container is removed again when it does not become ready by `deadline`."""
    from testcontainers.core.container import DockerContainer

    container = DockerContainer(image).with_kwargs(init=True, labels=engine_labels(LOCAL_STACK))
    if host_port is None:
        container = container.with_exposed_ports(CONTAINER_PORT)
    else:
        container = container.with_bind_ports(CONTAINER_PORT, host_port)
    for key, value in {**LOCAL_STACK_ENV, **(env or {})}.items():
        container = container.with_env(key, value)
    for host_path, container_path in (volumes or {}).items():
        container = container.with_volume_mapping(host_path, container_path, "ro")
    if network is not None:
        container = container.with_network(network)
        if alias:
            container = container.with_network_aliases(alias)
    if command is not None:
        container = container.with_command(command)
    started = time.monotonic()
    what = f"the {LOCAL_STACK} container"
    start_container(container, what, host_port)
    try:
        endpoint = published_endpoint(container, CONTAINER_PORT, what, started + deadline)
        wait_until_ready(endpoint, container, started + deadline, deadline)
    except BaseException:
        remove_container(container)
        raise
    return ContainerEngine(LOCAL_STACK, image, endpoint, container, time.monotonic() - started)


@contextlib.contextmanager
def ryuk_off() -> Iterator[None]:
    """Ryuk disabled for the containers started inside, restored after; left as the user set
    it (RYUK_ENV or RYUK_PROPERTY). testcontainers reads the setting from one process-wide
    object when a container starts, so the switch is held under a lock."""
    from testcontainers.core.config import testcontainers_config as config

    if RYUK_ENV in os.environ or RYUK_PROPERTY in config.tc_properties:
        yield
        return
    with _RYUK_SWITCH:
        before = config.ryuk_disabled
        config.ryuk_disabled = True
        try:
            yield
        finally:
            config.ryuk_disabled = before


def published_host(container: Any) -> str:
    """The Docker host's address, where the ports of a started container are published.

    testcontainers' own choice takes the stray /.dockerenv on these machines for "running in a
    container" and answers with a bridge or gateway address; the Docker host (localhost for a
    local socket, else DOCKER_HOST's or TC_HOST's host) is where `docker run -p` publishes. A
    connection mode the user chose (TESTCONTAINERS_CONNECTION_MODE) is followed.
    """
    from testcontainers.core.config import testcontainers_config as config

    if config.connection_mode_override is not None:
        return str(container.get_container_host_ip())
    return str(container.get_docker_client().host())


def start_container(container: Any, what: str, host_port: int | None) -> None:
    """`container.start()` (Ryuk off) with docker's errors turned into an EngineError with the
    fix.

    The container gets a unique name first, so that one created but not started (docker's
    error, or Ctrl-C/SIGTERM arriving during the start) is found and removed.
    """
    container.with_name(f"sfn-flows-{os.getpid()}-{uuid.uuid4().hex[:12]}")
    try:
        with ryuk_off():
            container.start()
    except BaseException as exc:
        remove_container(container)
        if not isinstance(exc, Exception):
            raise  # an interrupt: the container is gone, the session ends
        # docker's own errors: port clash, missing image, daemon gone
        text = str(exc)
        if host_port is not None and (
            "port is already allocated" in text or "address already in use" in text
        ):
            raise port_in_use(
                host_port, f"Docker could not start {what} ({container.image}): {text}"
            ) from None
        lines = text.strip().splitlines() or [type(exc).__name__]
        raise EngineError(
            f"Docker could not start {what}: {lines[0]}; {DOCKER_FIX}\n"
            f"image: {container.image}\n{text}"
        ) from None


def port_in_use(port: int, details: str) -> EngineError:
    return EngineError(
        f"host port {port} is already in use; choose a free port (--sfn-engine-port / "
        f"SFN_FLOWS_ENGINE_PORT) or leave it unset to get a free one\n{details}"
    )


def check_host_port_free(port: int) -> None:
    """An EngineError when something listens on `port` of this machine, found before any
    container or network is made (Docker would refuse the port only after both of a pair's
    containers were on their way: 1.4 s here). Docker publishes on all interfaces with
    SO_REUSEADDR, as probed here, so a port held only by closing connections is free. Any
    other error (a privileged port) is left for Docker to judge. Only for a Docker on this
    machine: a remote one publishes on its own host."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("0.0.0.0", port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise port_in_use(
                    port, f"something on this machine listens on it ({exc.strerror})"
                ) from None


def remove_container(container: Any) -> None:
    """Remove a testcontainers container whatever state it reached (also created by the
    daemon before testcontainers saw it: found by its name); never raises."""
    inner = getattr(container, "_container", None)
    # already gone, or the daemon went away: nothing left to clean
    with contextlib.suppress(Exception):
        if inner is None:
            import docker

            name = getattr(container, "_name", None)
            if not name:
                return
            inner = docker.from_env().containers.get(name)
        inner.remove(force=True, v=True)


def published_endpoint(container: Any, port: int, what: str, limit: float) -> str:
    """`http://host:port` where Docker publishes the started container's `port`; an
    EngineError as soon as the container has exited, or when no mapping appears by `limit`."""
    host = published_host(container)
    while True:
        state = container_state(container)
        check_not_exited(container, what, state)
        bindings = (state.get("Ports") or {}).get(f"{port}/tcp") or []
        if bindings:
            return f"http://{host}:{bindings[0]['HostPort']}"
        if time.monotonic() > limit:
            raise EngineError(f"Docker never published port {port} of {what}; {DOCKER_FIX}")
        time.sleep(0.05)


def container_state(container: Any) -> dict[str, Any]:
    """Docker's `State` of the container plus its published `Ports`; {} if unknown."""
    try:
        inner = container.get_wrapped_container()
        inner.reload()
    except Exception:  # gone, or the daemon went away: the caller's deadline decides
        return {}
    return {**inner.attrs.get("State", {}), "Ports": inner.attrs["NetworkSettings"]["Ports"]}


def check_not_exited(container: Any, what: str, state: dict[str, Any]) -> None:
    if state.get("Status") in ("exited", "dead"):
        raise EngineError(
            f"{what} exited with code {state.get('ExitCode')} before it answered; check that "
            "the image runs its server (`sfn-flows local image` rebuilds the local stack's). "
            f"The container was removed.\nimage: {container.image}\n"
            f"last log lines: {last_log_lines(container)}"
        )


def check_not_abandoned(abandoned: Callable[[], bool], what: str) -> None:
    """An EngineError once the start `what` belongs to has failed elsewhere (its caller then
    removes the container)."""
    if abandoned():
        raise EngineError(f"the start of {what} was abandoned: the engine's other part failed")


def wait_until_ready(
    endpoint: str,
    container: Any,
    limit: float,
    deadline: float,
    *,
    kind: str = LOCAL_STACK,
    health_path: str = "/_ministack/health",
    poll: float = 0.05,
    abandoned: Callable[[], bool] | None = None,
) -> None:
    """Poll the container's health route every `poll` seconds until it answers 200, or give
    up at `limit` (monotonic) with the container's last log lines; at once if it exits, or
    when `abandoned()` (the start failed elsewhere)."""
    what = f"the {kind} container"
    health = endpoint + health_path
    checked = time.monotonic()
    while True:
        try:
            with urllib.request.urlopen(health, timeout=1) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if abandoned is not None:
            check_not_abandoned(abandoned, what)
        if time.monotonic() - checked >= 0.2:  # Docker is asked every 200 ms at most
            checked = time.monotonic()
            check_not_exited(container, what, container_state(container))
        if time.monotonic() > limit:
            raise EngineError(
                f"the {kind} engine did not become ready within {deadline:g} s "
                f"({_state_description(container)}); check that the image runs "
                "(`sfn-flows local image` rebuilds it) and that Docker has free memory and "
                f"CPU. The container was removed.\nimage: {container.image}; health route: "
                f"{health}\nlast log lines: {last_log_lines(container)}"
            )
        time.sleep(poll)


def _state_description(container: Any) -> str:
    state = container_state(container)
    if not state:
        return "state unknown"
    if state.get("Running"):
        return "still running"
    return f"exited with code {state.get('ExitCode')}"


def container_logs(container: Any) -> str:
    """Both streams of the container's log; "" when they cannot be read (yet)."""
    try:
        stdout, stderr = container.get_logs()
    except Exception:  # gone, or not readable yet: callers poll or report "(none)"
        return ""
    return str((stdout + stderr).decode(errors="replace"))


def last_log_lines(container: Any, count: int = 5) -> str:
    lines = container_logs(container).strip().splitlines()[-count:]
    return " / ".join(lines) or "(none)"


def remove_leftover_containers() -> int:
    """Remove engine containers (and the networks of paired engines) whose session is gone:
    a crashed or killed run. Ryuk, which would do this, cannot be pulled here. Those of
    living sessions stay. Returns how many containers were removed."""
    import docker

    client = docker.from_env()
    gone = 0
    listed = client.containers.list(all=True, filters={"label": LABEL}, ignore_removed=True)
    for container in listed:
        if not _owner_alive(container.labels):
            # removed meanwhile by its own session's teardown: nothing to do
            with contextlib.suppress(Exception):
                container.remove(force=True)
            gone += 1
    for network in client.networks.list(filters={"label": LABEL}):
        if not _owner_alive(network.attrs.get("Labels") or {}):
            # still in use by a container of another engine: keep it
            with contextlib.suppress(Exception):
                network.remove()
    return gone


def _owner_alive(labels: dict[str, str]) -> bool:
    owner = labels.get(OWNER_LABEL, "")
    return owner.isdigit() and process_alive(int(owner))
