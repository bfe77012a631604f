"""`python -m sfn_flows` is the `sfn-flows` command.

`engine serve` is answered before the command line's libraries load: a container's readiness
waits on it (typer and rich take longer to import than the server takes to start).
"""

import sys

if sys.argv[1:3] == ["engine", "serve"]:
    from sfn_flows.cli.engine_serve import main as serve

    sys.exit(serve(sys.argv[3:]))

from sfn_flows.cli.app import main

main()
