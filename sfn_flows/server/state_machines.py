"""The server's state machines, their versions, aliases and tags; `resolve` says what runs.

Thread-safe: every method holds the one lock. Records are replaced, never changed in place
where a reader could see half an update (a Revision is frozen; an update assigns a new one).
The actions (actions/machines.py, aliases.py, tags.py) check the requests and shape the answers.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, Final

from sfn_flows.server.errors import (
    ApiError,
    conflict,
    resource_not_found,
    state_machine_does_not_exist,
)
from sfn_flows.server.machine_records import Alias, Machine, Resolved, Revision, Version

__all__ = ["Alias", "Machine", "Resolved", "Revision", "StateMachines", "Version"]

MAX_STATE_MACHINES: Final = 10_000
MAX_VERSIONS: Final = 1000
MAX_ALIASES: Final = 100


def new_revision(
    definition: str, role_arn: str, logging: dict[str, Any], tracing: dict[str, Any]
) -> Revision:
    return Revision(definition, role_arn, logging, tracing, str(uuid.uuid4()))


def split_qualifier(arn: str) -> tuple[str, str | None]:
    """(the state machine's ARN, its version number or alias name, if any)."""
    parts = arn.split(":")
    if len(parts) == 8:
        return ":".join(parts[:7]), parts[7]
    return arn, None


class StateMachines:
    """The registry. `now` gives creation and update dates (seconds since the epoch); `chooser`
    picks an alias's version by weight (give random.Random(seed) for a repeatable choice)."""

    def __init__(
        self,
        region: str,
        account: str,
        *,
        now: Callable[[], float] = time.time,
        chooser: random.Random | None = None,
    ) -> None:
        self.region = region
        self.account = account
        self.now = now
        self.chooser = chooser or random.Random()
        self.lock = threading.RLock()
        self._machines: dict[str, Machine] = {}

    def arn_of(self, name: str) -> str:
        return f"arn:aws:states:{self.region}:{self.account}:stateMachine:{name}"

    # -- state machines --------------------------------------------------------------------

    def create(
        self,
        name: str,
        machine_type: str,
        revision: Revision,
        *,
        tags: dict[str, str],
        publish: bool,
        version_description: str | None,
    ) -> tuple[Machine, Version | None]:
        """A new machine; the existing one when the request is the same (AWS's idempotency:
        roleArn and tags are not compared, and not updated)."""
        arn = self.arn_of(name)
        with self.lock:
            existing = self._machines.get(arn)
            if existing is not None:
                same = (
                    existing.type == machine_type
                    and (existing.revision.definition, existing.revision.logging)
                    == (revision.definition, revision.logging)
                    and existing.revision.tracing == revision.tracing
                    and existing.created_with == (publish, version_description)
                )
                if not same:
                    raise ApiError(
                        "StateMachineAlreadyExists",
                        f"State Machine Already Exists: '{arn}' (with another definition, type "
                        "or configuration): update it with UpdateStateMachine, or delete it "
                        "first.",
                    )
                return existing, existing.versions.get(1) if publish else None
            if len(self._machines) >= MAX_STATE_MACHINES:
                raise ApiError(
                    "StateMachineLimitExceeded",
                    f"This server holds at most {MAX_STATE_MACHINES} state machines; delete some.",
                )
            machine = Machine(arn, name, machine_type, self.now(), revision, tags=dict(tags))
            machine.created_with = (publish, version_description)
            self._machines[arn] = machine
            version = self._publish(machine, version_description) if publish else None
            return machine, version

    def get(self, arn: str) -> Machine:
        """The machine of an unqualified ARN."""
        with self.lock:
            machine = self._machines.get(arn)
            if machine is None:
                raise state_machine_does_not_exist(arn)
            return machine

    def exists(self, state_machine_arn: str) -> bool:
        with self.lock:
            return state_machine_arn in self._machines

    def update(
        self,
        arn: str,
        changes: dict[str, Any],
        *,
        publish: bool,
        version_description: str | None,
    ) -> tuple[Machine, Version | None]:
        """`changes`: new values of definition, role_arn, logging, tracing."""
        with self.lock:
            machine = self.get(arn)
            current = machine.revision
            settings = {
                "definition": current.definition,
                "role_arn": current.role_arn,
                "logging": current.logging,
                "tracing": current.tracing,
            } | changes
            candidate = new_revision(**settings)
            if not candidate.same_settings(current):
                machine.revision = candidate
            machine.updated = self.now()
            version = self._publish(machine, version_description) if publish else None
            return machine, version

    def delete(self, arn: str) -> None:
        with self.lock:
            self._machines.pop(arn, None)

    def all(self) -> list[Machine]:
        with self.lock:
            return sorted(self._machines.values(), key=lambda m: m.name)

    # -- versions --------------------------------------------------------------------------

    def publish(self, arn: str, revision_id: str | None, description: str | None) -> Version:
        with self.lock:
            machine = self.get(arn)
            if revision_id is not None and revision_id != machine.revision.revision_id:
                raise conflict(
                    f"Failed to publish the state machine version: revisionId '{revision_id}' "
                    f"is not the current revision ({machine.revision.revision_id}) of '{arn}'."
                )
            return self._publish(machine, description)

    def _publish(self, machine: Machine, description: str | None) -> Version:
        latest = machine.versions.get(machine.next_version - 1)
        if latest is not None and latest.revision.revision_id == machine.revision.revision_id:
            return latest  # this revision is published already
        if len(machine.versions) >= MAX_VERSIONS:
            raise ApiError(
                "ServiceQuotaExceededException",
                f"'{machine.arn}' has {MAX_VERSIONS} versions, the most AWS allows; delete "
                "unused ones with DeleteStateMachineVersion.",
            )
        number = machine.next_version
        version = Version(
            f"{machine.arn}:{number}", number, machine.revision, description, self.now()
        )
        machine.versions[number] = version
        machine.next_version = number + 1
        return version

    def version(self, version_arn: str) -> tuple[Machine, Version]:
        base, qualifier = split_qualifier(version_arn)
        with self.lock:
            machine = self._machines.get(base)
            number = int(qualifier) if qualifier and qualifier.isdigit() else None
            version = machine.versions.get(number) if machine and number is not None else None
            if machine is None or version is None:
                raise state_machine_does_not_exist(version_arn)
            return machine, version

    def delete_version(self, version_arn: str) -> None:
        with self.lock:
            try:
                machine, version = self.version(version_arn)
            except ApiError:
                return  # deleting what is not there succeeds, as AWS's deletes do
            users = [
                alias.arn
                for alias in machine.aliases.values()
                if any(arn == version.arn for arn, _ in alias.routing)
            ]
            if users:
                raise conflict(
                    f"Version '{version_arn}' is used by the alias(es) {', '.join(users)}: "
                    "update or delete them first."
                )
            del machine.versions[version.number]

    # -- aliases ---------------------------------------------------------------------------

    def put_alias(self, machine_arn: str, alias: Alias, *, create: bool) -> Alias:
        with self.lock:
            machine = self._machines.get(machine_arn)
            if machine is None:
                raise resource_not_found("State machine", machine_arn)
            for version_arn, _ in alias.routing:
                self._routed_version(machine, version_arn)
            existing = machine.aliases.get(alias.name)
            if create and existing is not None:
                if (existing.routing, existing.description) == (alias.routing, alias.description):
                    return existing  # the same request again
                raise conflict(
                    f"Alias '{alias.arn}' exists with another routing or description: update "
                    "it with UpdateStateMachineAlias."
                )
            if create and len(machine.aliases) >= MAX_ALIASES:
                raise ApiError(
                    "ServiceQuotaExceededException",
                    f"'{machine_arn}' has {MAX_ALIASES} aliases, the most AWS allows.",
                )
            machine.aliases[alias.name] = alias
            return alias

    def _routed_version(self, machine: Machine, version_arn: str) -> Version:
        base, qualifier = split_qualifier(version_arn)
        if base != machine.arn or qualifier is None or not qualifier.isdigit():
            raise ApiError(
                "ValidationException",
                f"'{version_arn}' in routingConfiguration is not a version of '{machine.arn}': "
                "route to version ARNs (<state machine ARN>:<number>) of the same machine.",
            )
        version = machine.versions.get(int(qualifier))
        if version is None:
            raise resource_not_found("State machine version", version_arn)
        return version

    def alias(self, alias_arn: str) -> tuple[Machine, Alias]:
        base, qualifier = split_qualifier(alias_arn)
        with self.lock:
            machine = self._machines.get(base)
            alias = machine.aliases.get(qualifier) if machine and qualifier else None
            if machine is None or alias is None:
                raise resource_not_found("State machine alias", alias_arn)
            return machine, alias

    def delete_alias(self, alias_arn: str) -> None:
        base, qualifier = split_qualifier(alias_arn)
        with self.lock:
            machine = self._machines.get(base)
            if machine is None or qualifier not in machine.aliases:
                raise resource_not_found("State machine alias", alias_arn)
            del machine.aliases[qualifier]

    # -- what runs -------------------------------------------------------------------------

    def resolve(self, arn: str) -> Resolved:
        """What an execution of `arn` (a state machine, version or alias ARN) runs."""
        base, qualifier = split_qualifier(arn)
        with self.lock:
            machine = self._machines.get(base)
            if machine is None:
                raise state_machine_does_not_exist(arn)
            if qualifier is None:
                return _resolved(machine, machine.revision, None, None)
            if qualifier.isdigit():
                _, version = self.version(arn)
                return _resolved(machine, version.revision, version.arn, None)
            alias = machine.aliases.get(qualifier)
            if alias is None:
                raise state_machine_does_not_exist(arn)
            arns = [version_arn for version_arn, _ in alias.routing]
            weights = [weight for _, weight in alias.routing]
            chosen = self.chooser.choices(arns, weights)[0]
            _, version = self.version(chosen)
            return _resolved(machine, version.revision, version.arn, alias.arn)


def _resolved(
    machine: Machine, revision: Revision, version_arn: str | None, alias_arn: str | None
) -> Resolved:
    return Resolved(
        state_machine_arn=machine.arn,
        name=machine.name,
        definition=revision.definition,
        type=machine.type,
        role_arn=revision.role_arn,
        version_arn=version_arn,
        alias_arn=alias_arn,
        revision_id=revision.revision_id,
    )
