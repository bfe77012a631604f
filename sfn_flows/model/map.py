"""The Map state, inline or distributed: run a processor flow for every item."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar, Literal

from pydantic import Field

from sfn_flows.errors import DeclarationError
from sfn_flows.model.base import AslModel, CompileContext, Flow, State, entry
from sfn_flows.model.recovery import Recoverable


class ItemReader(AslModel):
    """Where a distributed Map reads its items (S3 objects, a CSV or JSON file, ...)."""

    resource: str
    reader_config: dict[str, Any] | None = None
    parameters: dict[str, Any] | None = None
    arguments: dict[str, Any] | None = None


class ItemBatcher(AslModel):
    max_items_per_batch: int | None = Field(default=None, ge=1)
    max_items_per_batch_path: str | None = None
    max_input_bytes_per_batch: int | None = Field(default=None, ge=1)
    max_input_bytes_per_batch_path: str | None = None
    batch_input: dict[str, Any] | None = None


class ResultWriter(AslModel):
    resource: str | None = None
    parameters: dict[str, Any] | None = None
    arguments: dict[str, Any] | None = None
    writer_config: dict[str, Any] | None = None


class Map(Recoverable):
    """Run `processor` for each item.

    `max_items` is not ASL: it declares the largest item count this workflow accepts, so
    the timeout budget can bound the Map (items / concurrency x per-item worst case).
    `mode=None` writes no ProcessorConfig (AWS runs the Map inline), and `legacy_iterator=True`
    writes the processor under ASL's older name, `Iterator`, as older definitions do.
    """

    type_name: ClassVar[str] = "Map"
    special_fields = frozenset(
        {"retry", "catch", "processor", "mode", "execution_type", "max_items", "legacy_iterator"}
    )
    # The keywords behind the ASL this class computes rather than dumps (for messages).
    asl_keywords: ClassVar[dict[str, str]] = {
        "ItemProcessor": "processor",
        "Iterator": "processor",
        "Mode": "mode",
        "ExecutionType": "execution_type",
    }

    processor: Flow
    mode: Literal["INLINE", "DISTRIBUTED"] | None = "INLINE"
    execution_type: Literal["STANDARD", "EXPRESS"] | None = None
    max_items: int | None = Field(default=None, ge=0)
    legacy_iterator: bool = False

    input_path: str | None = None
    items_path: str | None = None
    items: Any = None
    item_selector: dict[str, Any] | None = None
    item_reader: ItemReader | None = None
    item_batcher: ItemBatcher | None = None
    result_writer: ResultWriter | None = None
    max_concurrency: int | str | None = None
    max_concurrency_path: str | None = None
    tolerated_failure_percentage: float | str | None = None
    tolerated_failure_percentage_path: str | None = None
    tolerated_failure_count: int | str | None = None
    tolerated_failure_count_path: str | None = None
    label: str | None = None
    result_selector: dict[str, Any] | None = None
    result_path: str | None = None
    output_path: str | None = None
    output: Any = None

    @classmethod
    def check_keywords(cls, data: dict[str, Any]) -> None:
        if data.get("execution_type") is not None and data.get("mode") != "DISTRIBUTED":
            # ASL has ExecutionType only for child executions: an inline Map would drop it.
            raise DeclarationError(
                f"{cls.declared_as(data)} got execution_type={data['execution_type']!r} "
                "without mode='DISTRIBUTED': only a distributed Map runs its items as child "
                "executions of a type. Add mode='DISTRIBUTED', or leave execution_type out "
                "for an inline Map."
            )

    @property
    def processor_field(self) -> str:
        return "Iterator" if self.legacy_iterator else "ItemProcessor"

    def child_scopes(self) -> Iterator[tuple[tuple[str | int, ...], State]]:
        yield (self.processor_field,), entry(self.processor)

    def extra_asl(self, ctx: CompileContext) -> dict[str, Any]:
        # The compiler fills in the processor's StartAt and States.
        scope: dict[str, Any] = {}
        if self.mode is not None:
            scope["ProcessorConfig"] = processor_config(self.mode, self.execution_type)
        return {self.processor_field: scope, **super().extra_asl(ctx)}


def processor_config(mode: str, execution_type: str | None = None) -> dict[str, Any]:
    """The ProcessorConfig a Map with these keywords writes."""
    config: dict[str, Any] = {"Mode": mode}
    if mode == "DISTRIBUTED":
        config["ExecutionType"] = execution_type or "STANDARD"
    return config
