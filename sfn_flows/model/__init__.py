"""The authoring API: states, conditions, integrations and the Workflow. No I/O here."""

from sfn_flows.model import conditions
from sfn_flows.model.base import OMIT, Chain, CompileContext, Flow, Omit, State
from sfn_flows.model.choice import Choice, ChoiceRule
from sfn_flows.model.conditions import Condition
from sfn_flows.model.flow import Fail, Pass, Succeed, Wait
from sfn_flows.model.function import LambdaFunction
from sfn_flows.model.integrations import AwsSdkCall, LambdaInvoke, ServiceTask, integration_arn
from sfn_flows.model.map import ItemBatcher, ItemReader, Map, ResultWriter
from sfn_flows.model.parallel import Parallel
from sfn_flows.model.retry import Catch, Retry
from sfn_flows.model.task import Task
from sfn_flows.model.until_done import MAX_ITERATIONS_EXCEEDED, ContinueUntilDone
from sfn_flows.model.workflow import Workflow

__all__ = [
    "MAX_ITERATIONS_EXCEEDED",
    "OMIT",
    "AwsSdkCall",
    "Catch",
    "Chain",
    "Choice",
    "ChoiceRule",
    "CompileContext",
    "Condition",
    "ContinueUntilDone",
    "Fail",
    "Flow",
    "ItemBatcher",
    "ItemReader",
    "LambdaFunction",
    "LambdaInvoke",
    "Map",
    "Omit",
    "Parallel",
    "Pass",
    "ResultWriter",
    "Retry",
    "ServiceTask",
    "State",
    "Succeed",
    "Task",
    "Wait",
    "Workflow",
    "conditions",
    "integration_arn",
]
