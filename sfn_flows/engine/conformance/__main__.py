"""`python -m sfn_flows.engine.conformance --cases PATH`: see `cli.py`."""

import sys

from sfn_flows.engine.conformance.cli import main

# Guarded so importing the module (as tests that import every module do) runs nothing.
if __name__ == "__main__":
    sys.exit(main())
