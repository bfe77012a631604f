"""Who answers the Tasks of the server's executions: mocks (SFN_MOCK_CONFIG), the project's
functions run in the server (RegisterFunctions), and the real services (LAMBDA_ENDPOINT, the
local stack). `TaskSetups(config).setup(arn, test_case)` gives the Engine's arguments."""

from sfn_flows.server.tasks.setups import TaskSetup, TaskSetups

__all__ = ["TaskSetup", "TaskSetups"]
