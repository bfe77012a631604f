"""API status Lambda: GET /executions/{id} -> DescribeExecution -> 200, or 202 while running.

Only the standard library at import time (see sfn_flows.runtime).
"""

from sfn_flows.runtime.status import make_status_handler

handler = make_status_handler()
