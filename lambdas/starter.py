"""API starter Lambda: POST /{workflow}/executions -> StartExecution -> 202 + status URL.

Only the standard library at import time (see sfn_flows.runtime); the configuration and the
Step Functions client are made on the first request and kept for the container's life.
"""

from sfn_flows.runtime.starter import make_starter_handler

handler = make_starter_handler()
