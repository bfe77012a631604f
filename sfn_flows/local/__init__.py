"""The local AWS stack (MiniStack), run as a background process without Docker."""

from sfn_flows.local.stack import LocalStack, find_local_stack, start_local_stack, stop_local_stack

__all__ = ["LocalStack", "find_local_stack", "start_local_stack", "stop_local_stack"]
