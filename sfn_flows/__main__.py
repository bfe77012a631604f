"""`python -m sfn_flows` is the `sfn-flows` command."""

from sfn_flows.cli.app import main

main()
