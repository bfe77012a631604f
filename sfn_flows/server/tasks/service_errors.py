"""A failed call to a service, named as Step Functions names it for the Task's Error and Cause.

Step Functions calls the optimised integrations with AWS's Java SDK v1 and `aws-sdk:*` with
v2, and the two name errors differently (recorded on AWS, in the conformance corpus):

- optimised: `DynamoDB.ResourceNotFoundException`, or the service's generic exception for an
  error its model does not name (`DynamoDB.AmazonDynamoDBException` for a ValidationException);
  cause `<message> (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: <code>;
  Request ID: <id>; Proxy: null)`;
- aws-sdk: `DynamoDb.ResourceNotFoundException`, `DynamoDb.DynamoDbException`,
  `S3.NoSuchBucketException` (a modelled error always ends in Exception); cause
  `<message> (Service: DynamoDb, Status Code: 400, Request ID: <id>)`.

An endpoint that does not answer is the SDK's client-side failure, `<prefix>.SdkClientException`
with "Unable to execute HTTP request: ..." (as Step Functions Local reports an unreachable
LAMBDA_ENDPOINT). botocore is loaded by the time any of this runs: a client raised the error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

from sfn_flows.engine.errors import StatesError


@dataclass(frozen=True)
class ServiceNaming:
    """How one integration's errors are named: `prefix` before the dot, `generic` for an error
    the service's model does not name, `label` as the cause's "Service:"."""

    prefix: str
    generic: str
    label: str
    sdk_v1: bool  # the cause's form: v1 (optimised integrations) or v2 (aws-sdk)


# The optimised integrations, as the Java SDK v1 names their services.
OPTIMISED: Final = {
    "dynamodb": ServiceNaming("DynamoDB", "AmazonDynamoDBException", "AmazonDynamoDBv2", True),
    "sqs": ServiceNaming("SQS", "AmazonSQSException", "AmazonSQS", True),
    "sns": ServiceNaming("SNS", "AmazonSNSException", "AmazonSNS", True),
    "events": ServiceNaming("EventBridge", "AmazonEventBridgeException", "AmazonEventBridge", True),
    "states": ServiceNaming("StepFunctions", "AWSStepFunctionsException", "AWSStepFunctions", True),
    "lambda": ServiceNaming("Lambda", "AWSLambdaException", "AWSLambda", True),
}

_WORD: Final = re.compile(r"[A-Z]+(?![a-z])|[A-Z][a-z]*|[a-z]+|[0-9]+")


def sdk_v2_naming(service_id: str) -> ServiceNaming:
    """The aws-sdk naming of a service, from its model's serviceId ("DynamoDB" -> DynamoDb,
    "Secrets Manager" -> SecretsManager, "SFN" -> Sfn, "S3" -> S3), as SDK v2 names its
    clients: each word, and each run of capitals, capitalised."""
    name = "".join(word.capitalize() for word in _WORD.findall(service_id)) or "Service"
    return ServiceNaming(name, f"{name}Exception", name, False)


def client_failure(error: Any, naming: ServiceNaming) -> StatesError:
    """A botocore ClientError (or a modelled subclass) as the Task's failure."""
    response = getattr(error, "response", None) or {}
    details = response.get("Error") or {}
    code = str(details.get("Code") or "Unknown")
    metadata = response.get("ResponseMetadata") or {}
    modelled = type(error).__name__
    return service_failure(
        naming,
        code,
        str(details.get("Message") or details.get("message") or code),
        int(metadata.get("HTTPStatusCode") or 400),
        str(metadata.get("RequestId") or "unknown"),
        None if modelled == "ClientError" else modelled,
    )


def service_failure(
    naming: ServiceNaming,
    code: str,
    message: str,
    status: int,
    request_id: str,
    modelled: str | None,
) -> StatesError:
    """The service's answer `code` as the Task's failure: named by the error its model names
    (`modelled`), else by the service's generic exception."""
    if modelled is None:
        name = naming.generic
    else:
        name = modelled if modelled.endswith("Exception") else modelled + "Exception"
    if naming.sdk_v1:
        cause = (
            f"{message} (Service: {naming.label}; Status Code: {status}; Error Code: {code}; "
            f"Request ID: {request_id}; Proxy: null)"
        )
    else:
        cause = (
            f"{message} (Service: {naming.label}, Status Code: {status}, Request ID: {request_id})"
        )
    return StatesError(f"{naming.prefix}.{name}", cause)


def parameter_failure(message: str, naming: ServiceNaming) -> StatesError:
    """Parameters the API does not take (a missing, unknown or mistyped one): the service's
    generic exception, as AWS answers when its own validation refuses the request."""
    detail = message.replace("\n", " ").strip()
    if naming.sdk_v1:
        cause = (
            f"{detail} (Service: {naming.label}; Status Code: 400; Error Code: "
            "ValidationException; Request ID: none; Proxy: null)"
        )
    else:
        cause = f"{detail} (Service: {naming.label}, Status Code: 400, Request ID: none)"
    return StatesError(f"{naming.prefix}.{naming.generic}", cause)


def unreachable(error: BaseException, naming: ServiceNaming, endpoint: str) -> StatesError:
    """The endpoint did not answer (refused, unknown host, connect or read timeout)."""
    kind = type(error).__name__
    where = urlsplit(endpoint).netloc or endpoint
    if kind == "ReadTimeoutError":
        detail = f"Read timed out (from {where})"
    elif kind == "ConnectTimeoutError":
        detail = f"Connect to {where} failed: connect timed out"
    elif kind == "ConnectionClosedError":
        detail = f"The target server failed to respond ({where})"
    else:
        detail = f"Connect to {where} failed: Connection refused or host unknown"
    return StatesError(
        f"{naming.prefix}.SdkClientException", f"Unable to execute HTTP request: {detail}"
    )


def is_unreachable(error: BaseException) -> bool:
    from botocore.exceptions import (
        ConnectionClosedError,
        ConnectTimeoutError,
        EndpointConnectionError,
        ReadTimeoutError,
    )

    return isinstance(
        error,
        EndpointConnectionError | ConnectTimeoutError | ReadTimeoutError | ConnectionClosedError,
    )


def call_failure(error: Exception, naming: ServiceNaming, endpoint: str) -> StatesError:
    """Any exception of a boto3 call as the Task's failure (the caller handles timeouts)."""
    from botocore.exceptions import ClientError, ParamValidationError

    if isinstance(error, ClientError):
        return client_failure(error, naming)
    if isinstance(error, ParamValidationError):
        return parameter_failure(str(error), naming)
    if is_unreachable(error):
        return unreachable(error, naming, endpoint)
    # botocore's own refusals of a value it cannot send (a type it cannot serialise).
    return parameter_failure(f"{type(error).__name__}: {error}", naming)
