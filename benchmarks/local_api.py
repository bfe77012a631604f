"""What the benchmarks of the HTTP API share: a project deployed into a local stack of its own.

`deployed_api(folders, stack)` copies the given workflows/ and lambdas/ folders into a
temporary project, starts a local stack (MiniStack) there, builds and deploys the project,
and yields the API's base URL and the target; the stack stops when the block ends.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sfn_flows.aws import Target
from sfn_flows.deploy.outputs import reachable_api_url
from sfn_flows.deploy.stack import deploy_project
from sfn_flows.local import start_local_stack, stop_local_stack
from sfn_flows.project.build import compile_project, write_build


@contextmanager
def deployed_api(project_root: Path, stack: str) -> Iterator[tuple[str, Target]]:
    """The API of `project_root`'s workflows/ and lambdas/, deployed as `stack`."""
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder)
        for name in ("workflows", "lambdas"):
            shutil.copytree(
                project_root / name, project / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        local = start_local_stack(project)
        try:
            result = compile_project(project / "workflows")
            assert result.ok, [p.render() for _, f in result.failures for p in f.problems]
            write_build(result, project / "build", project)
            target = Target(endpoint_url=local.endpoint_url)
            deployed = deploy_project(
                target, stack=stack, build_dir=project / "build", lambdas_dir=project / "lambdas"
            )
            api = reachable_api_url(target, deployed.outputs)
            assert api
            yield api, target
        finally:
            stop_local_stack(project)
