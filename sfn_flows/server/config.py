"""The engine server's settings: Step Functions Local's environment variables, and ours.

`ServerConfig.from_env(os.environ, port=0, ...)`: options given on the command line override the
environment; a bad value raises ConfigError naming the variable, what is wrong and the fix.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Final

from sfn_flows.errors import SfnFlowsError

DEFAULT_PORT: Final = 8083
# Larger than any request AWS accepts (a 1 MB definition, escaped as a JSON string, with room
# to spare) and small enough that a client cannot make the server hold much memory.
DEFAULT_MAX_REQUEST_BYTES: Final = 2 * 1024 * 1024
# How long a connection may take to send its request (or stay idle between two requests).
DEFAULT_READ_TIMEOUT_SECONDS: Final = 60.0

_REGION: Final = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
_ACCOUNT: Final = re.compile(r"^\d{12}$")
_TRUE: Final = frozenset({"1", "true", "yes", "on"})
_FALSE: Final = frozenset({"", "0", "false", "no", "off"})


class ConfigError(SfnFlowsError):
    """A setting of the engine server (environment variable or option) is wrong."""


@dataclass(frozen=True)
class ServerConfig:
    """Everything the server reads at start; nothing else reads the environment."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    region: str = "us-east-1"
    account: str = "123456789012"
    # As Step Functions Local's WAIT_TIME_SCALE: waits and retry intervals are multiplied by it.
    wait_time_scale: float = 1.0
    # Waits and retry intervals take no real time: the execution's clock jumps.
    virtual_time: bool = False
    lambda_endpoint: str | None = None
    mock_config: Path | None = None
    lambdas_dir: Path | None = None
    functions: Path | None = None
    aws_endpoint: str | None = None
    status_events: bool = False
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    read_timeout_seconds: float = DEFAULT_READ_TIMEOUT_SECONDS
    log_requests: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str], **overrides: Any) -> ServerConfig:
        """The settings in `environ`, then `overrides` (an override of None is not given)."""
        read = _Reader(environ)
        config = cls(
            region=read.text("AWS_DEFAULT_REGION", "us-east-1", _REGION, "like us-east-1"),
            account=read.text("AWS_ACCOUNT_ID", "123456789012", _ACCOUNT, "of 12 digits"),
            wait_time_scale=read.scale("WAIT_TIME_SCALE"),
            virtual_time=read.flag("SFN_FLOWS_VIRTUAL_TIME"),
            lambda_endpoint=read.url("LAMBDA_ENDPOINT"),
            mock_config=read.path("SFN_MOCK_CONFIG"),
            lambdas_dir=read.path("SFN_FLOWS_LAMBDAS_DIR"),
            functions=read.path("SFN_FLOWS_FUNCTIONS"),
            aws_endpoint=read.url("SFN_FLOWS_AWS_ENDPOINT"),
            status_events=read.flag("SFN_FLOWS_STATUS_EVENTS"),
        )
        given = {name: value for name, value in overrides.items() if value is not None}
        unknown = sorted(set(given) - {f.name for f in fields(cls)})
        if unknown:
            raise TypeError(f"ServerConfig has no setting {', '.join(unknown)}")
        return replace(config, **given).checked()

    def checked(self) -> ServerConfig:
        """This configuration, when its values can serve; else ConfigError."""
        if isinstance(self.port, bool) or not isinstance(self.port, int):
            raise ConfigError(f"the port is {self.port!r}; give a number from 0 to 65535.")
        if not 0 <= self.port <= 65535:
            raise ConfigError(
                f"the port is {self.port}; give a number from 0 to 65535 (0: a free port)."
            )
        if not self.host or any(c.isspace() for c in self.host):
            raise ConfigError(
                f"the host is {self.host!r}; give an address to listen on, such as 127.0.0.1 "
                "(this machine only) or 0.0.0.0 (every interface, in a container)."
            )
        if self.max_request_bytes < 1024:
            raise ConfigError(
                f"max_request_bytes is {self.max_request_bytes}; give at least 1024 bytes."
            )
        if not self.read_timeout_seconds > 0:
            raise ConfigError(
                f"read_timeout_seconds is {self.read_timeout_seconds}; give a positive number."
            )
        for name, (variable, option, directory) in _PATHS.items():
            path = getattr(self, name)
            if path is None:
                continue
            path = Path(path).expanduser()
            object.__setattr__(self, name, path)
            if path.is_dir() if directory else path.is_file():
                continue
            kind = "folder" if directory else "file"
            where = f"{option} or {variable}" if option else variable
            raise ConfigError(
                f"{name} ({where}) is {str(path)!r}, which is not a {kind}; give an existing one."
            )
        return self


# Path settings: (environment variable, command-line option, whether it is a folder).
_PATHS: Final = {
    "mock_config": ("SFN_MOCK_CONFIG", "", False),
    "lambdas_dir": ("SFN_FLOWS_LAMBDAS_DIR", "--lambdas-dir", True),
    "functions": ("SFN_FLOWS_FUNCTIONS", "--functions", False),
}


class _Reader:
    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ

    def _get(self, name: str) -> str | None:
        value = self.environ.get(name)
        return None if value is None or value.strip() == "" else value.strip()

    def text(self, name: str, default: str, pattern: re.Pattern[str], shape: str) -> str:
        value = self._get(name)
        if value is None:
            return default
        if not pattern.match(value):
            raise ConfigError(f"{name} is {value!r}; give a value {shape} (or unset it).")
        return value

    def scale(self, name: str) -> float:
        value = self._get(name)
        if value is None:
            return 1.0
        try:
            scale = float(value)
        except ValueError:
            scale = math.nan
        if not (math.isfinite(scale) and scale >= 0):
            raise ConfigError(
                f"{name} is {value!r}; give a number 0 or more (0.5 halves every wait and "
                "retry interval, 0 skips them), or unset it for real time."
            )
        return scale

    def flag(self, name: str) -> bool:
        value = (self._get(name) or "").lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise ConfigError(f"{name} is {value!r}; give 1 (on) or 0 (off).")

    def url(self, name: str) -> str | None:
        value = self._get(name)
        if value is None:
            return None
        scheme, _, rest = value.partition("://")
        if scheme not in ("http", "https") or not rest or rest.startswith("/"):
            raise ConfigError(
                f"{name} is {value!r}; give an http(s) URL with a host, such as "
                "http://localhost:4566."
            )
        return value.rstrip("/")

    def path(self, name: str) -> Path | None:
        """Checked with the options in ServerConfig.checked."""
        value = self._get(name)
        return None if value is None else Path(value)
