"""Where the stack's alarms go: an SNS topic, always.

Every alarm of the template (failed, timed-out and throttled executions, the API's 5XX and
integration latency, the intake's dead letters, the push notifier's errors) notifies one topic
when it goes to ALARM and again when it is OK. Which topic, a template parameter decides:

- AlarmTopicArn: an existing topic's ARN (`sfn-flows deploy --alarm-topic ARN`), for a team
  whose on-call routing (e-mail lists, chat, a paging service) already listens to one;
- otherwise the stack creates its own topic, so that no deploy leaves its alarms wired to
  nothing, and AlarmEmail (`--alarm-email ADDRESS`, optional) subscribes an address to it
  (SNS mails a confirmation link first). Its ARN is the AlarmTopicArn output, for anything
  else to subscribe.

Why both, rather than one: an alarm nobody hears of is the failure this fixes, so a topic must
exist from the first deploy without any option; and a team that has its routing already must
not be made to subscribe it anew to each stack's topic.

The topic is not encrypted: CloudWatch cannot publish to a topic encrypted with the AWS
managed key (alias/aws/sns), and a customer key is the team's to choose, with the existing
topic that AlarmTopicArn takes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sfn_flows.errors import SfnFlowsError

TOPIC_PARAMETER = "AlarmTopicArn"
EMAIL_PARAMETER = "AlarmEmail"
PARAMETERS = (TOPIC_PARAMETER, EMAIL_PARAMETER)
CREATE_TOPIC = "CreateAlarmTopic"
SUBSCRIBE_EMAIL = "SubscribeAlarmEmail"
TOPIC_ID = "AlarmTopic"
# Every alarm's AlarmActions and OKActions.
ALARM_TOPIC = {"Fn::If": [CREATE_TOPIC, {"Ref": TOPIC_ID}, {"Ref": TOPIC_PARAMETER}]}
# A standard topic (CloudWatch cannot publish to a FIFO one) of any partition.
TOPIC_ARN_PATTERN = r"arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}"
EMAIL_PATTERN = r"[^@\s]+@[^@\s]+\.[^@\s]+"
# API Gateway ends an HTTP API's integration at 30 s (its maximum); 25 s at the 99th
# percentile means requests are about to get API Gateway's own 503 instead of an answer.
INTEGRATION_LATENCY_MS = 25_000


class AlarmOptionError(SfnFlowsError):
    """--alarm-topic or --alarm-email is not something the template accepts."""


def template_parameters() -> dict[str, dict[str, str]]:
    """The template's Parameters entries (both optional: empty means "not given")."""
    return {
        TOPIC_PARAMETER: {
            "Type": "String",
            "Default": "",
            "AllowedPattern": f"^({TOPIC_ARN_PATTERN})?$",
            "ConstraintDescription": "the ARN of a standard SNS topic, or empty",
            "Description": "SNS topic the alarms notify; empty: a topic the stack creates",
        },
        EMAIL_PARAMETER: {
            "Type": "String",
            "Default": "",
            "AllowedPattern": f"^({EMAIL_PATTERN})?$",
            "ConstraintDescription": "an e-mail address, or empty",
            "Description": "E-mail address subscribed to the stack's own alarm topic (optional)",
        },
    }


def template_conditions() -> dict[str, object]:
    return {
        CREATE_TOPIC: {"Fn::Equals": [{"Ref": TOPIC_PARAMETER}, ""]},
        SUBSCRIBE_EMAIL: {
            "Fn::And": [
                {"Condition": CREATE_TOPIC},
                {"Fn::Not": [{"Fn::Equals": [{"Ref": EMAIL_PARAMETER}, ""]}]},
            ]
        },
    }


def check_alarm_options(topic: str | None, email: str | None) -> None:
    """Refuse what the template's AllowedPattern would, before any call, saying how to fix
    it. An empty string is allowed: it switches the setting off again."""
    if topic and not re.fullmatch(TOPIC_ARN_PATTERN, topic):
        raise AlarmOptionError(
            f"--alarm-topic {topic!r} is not the ARN of a standard SNS topic "
            "(arn:aws:sns:<region>:<account>:<name>; CloudWatch cannot notify a FIFO topic). "
            "Copy it from `aws sns list-topics`, or leave it out for a topic the stack creates."
        )
    if email and not re.fullmatch(EMAIL_PATTERN, email):
        raise AlarmOptionError(
            f"--alarm-email {email!r} is not an e-mail address; pass one address such as "
            "--alarm-email ops@example.com, or '' to drop the subscription."
        )
    if topic and email:
        raise AlarmOptionError(
            "--alarm-email subscribes an address to the topic the stack creates, and "
            "--alarm-topic replaces that topic with yours: subscribe the address to your "
            f"topic instead (aws sns subscribe --topic-arn {topic} --protocol email "
            f"--notification-endpoint {email}), or leave --alarm-topic out."
        )


def stack_parameters(
    topic: str | None, email: str | None, previous: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The deploy's values of the alarm parameters. An option not given keeps the stack's
    previous value (UsePreviousValue), so a deploy without options never unwires the alarms;
    an empty string switches the setting off. `previous`: the deployed stack's parameters
    ({} for a new stack, or one deployed before these parameters existed)."""
    check_alarm_options(topic, email)
    if topic and email is None:
        email = ""  # the address was subscribed to the stack's own topic, which goes
    if email and topic is None and previous.get(TOPIC_PARAMETER):
        raise AlarmOptionError(
            f"the stack notifies your topic {previous[TOPIC_PARAMETER]} (--alarm-topic of an "
            "earlier deploy), and --alarm-email only subscribes to the topic the stack creates: "
            "subscribe the address to your topic, or pass --alarm-topic '' as well to go back "
            "to the stack's own topic."
        )
    chosen = {TOPIC_PARAMETER: topic, EMAIL_PARAMETER: email}
    return [
        {"ParameterKey": name, "UsePreviousValue": True}
        if value is None and name in previous
        else {"ParameterKey": name, "ParameterValue": value or ""}
        for name, value in chosen.items()
    ]
