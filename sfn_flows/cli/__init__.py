"""The `sfn-flows` command: parses arguments, calls the layers below, renders with rich."""
