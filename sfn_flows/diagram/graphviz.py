"""SVG and PNG from DOT text through Graphviz's `dot`, the layout engine: a subprocess with a
deadline. Graphviz is not a Python package; where `dot` is missing, the error names the
package to install."""

from __future__ import annotations

import shutil
import subprocess
from typing import Final, Literal

from sfn_flows.errors import SfnFlowsError

ImageFormat = Literal["svg", "png"]
INSTALL: Final = "install Graphviz (`apt install graphviz`, or `brew install graphviz` on macOS)"
# Graphviz lays a hundred states out in about 2 s and 250 in about 30 s here; past this the
# picture is too large to be worth the wait (Mermaid draws 1,000 states in milliseconds).
DEFAULT_DEADLINE_SECONDS: Final = 120.0


class GraphvizError(SfnFlowsError):
    """Graphviz's `dot` is missing, failed or did not finish in time."""


def render_image(
    dot_source: str,
    image_format: ImageFormat,
    *,
    executable: str | None = None,
    deadline_seconds: float | None = None,
) -> bytes:
    """`dot_source` laid out by Graphviz as SVG or PNG. `executable`: the `dot` to run
    (default: the one on PATH); `deadline_seconds` default: DEFAULT_DEADLINE_SECONDS."""
    deadline_seconds = deadline_seconds or DEFAULT_DEADLINE_SECONDS
    dot = executable or shutil.which("dot")
    if dot is None:
        raise GraphvizError(
            f"{image_format.upper()} needs Graphviz's `dot`, which is not on PATH: {INSTALL}; "
            "or draw Mermaid or DOT text, which need nothing (--format mermaid|dot)."
        )
    try:
        done = subprocess.run(
            [dot, f"-T{image_format}"],
            input=dot_source.encode("utf-8"),
            capture_output=True,
            timeout=deadline_seconds,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise GraphvizError(
            f"Graphviz's `dot` did not lay the diagram out within {deadline_seconds:g} s and was "
            "stopped; give it longer (--layout-timeout SECONDS), or draw Mermaid or DOT text "
            "(--format mermaid|dot)."
        ) from None
    except OSError as exc:
        raise GraphvizError(f"Graphviz's `dot` ({dot}) could not run: {exc}; {INSTALL}.") from None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = said[-1] if said else "no message"
        raise GraphvizError(f"Graphviz's `dot` failed (exit status {done.returncode}): {reason}")
    return done.stdout
