"""A mocked Map state's item processing: what TestState still evaluates without iterating.

Items come from ``ItemsPath`` / ``Items`` (or ``mapItemReaderData`` through
``ItemReader.ReaderConfig.ItemsPointer``), then ``ItemSelector`` and ``ItemBatcher``;
``MaxConcurrency`` and the tolerated-failure thresholds are resolved, and
``mapIterationFailureCount`` is compared with them.
"""

from __future__ import annotations

from typing import Any

from pytest_sfn._json import dump_compact
from pytest_sfn._types import JSON
from pytest_sfn.engine.dataflow import apply_input_path, apply_template
from pytest_sfn.engine.item_reader import items_at_pointer
from pytest_sfn.engine.jsonata_states import evaluate_field, expect_type, is_absent, states_bindings
from pytest_sfn.errors import StatesError
from pytest_sfn.expressions.jsonpath import CompiledPath
from pytest_sfn.expressions.payload import resolve_path
from pytest_sfn.model.states import MapState
from pytest_sfn.teststate import errors
from pytest_sfn.teststate.run import StateRun

__all__ = [
    "THRESHOLD",
    "THRESHOLD_CAUSE",
    "check_threshold",
    "inspect_items",
    "resolve_limits",
    "validate_failure_count",
]

THRESHOLD = "States.ExceedToleratedFailureThreshold"
THRESHOLD_CAUSE = "The specified tolerated failure threshold was exceeded"


def inspect_items(run: StateRun, effective: JSON) -> list[JSON] | None:
    """Record the item-processing members; returns the items (``None`` when unknown)."""
    state: MapState = run.state
    items = _items(run, effective)
    if items is None:
        return None
    if state.has_item_selector:
        selected = [_select_item(run, effective, i, item) for i, item in enumerate(items)]
        run.inspection.put_value("afterItemSelector", selected)
    else:
        selected = items
    if isinstance(state.item_batcher, dict):
        run.inspection.put_value("afterItemBatcher", _batches(state.item_batcher, selected))
    return items


def _items(run: StateRun, effective: JSON) -> list[JSON] | None:
    state: MapState = run.state
    if state.item_reader is not None:
        if not run.settings.has_reader_data:
            return None
        found = run.settings.reader_data
        config = (
            state.item_reader.get("ReaderConfig") if isinstance(state.item_reader, dict) else None
        )
        if isinstance(config, dict) and isinstance(config.get("ItemsPointer"), str):
            found = items_at_pointer(found, config)
            run.inspection.put_value("afterItemsPointer", found)
        return found if isinstance(found, list) else None
    if state.jsonata:
        bindings = states_bindings(run.it, run.visit, run.frame, effective)
        value = evaluate_field(run.it, state.jsonata_fields, "Items", bindings)
        found = effective if is_absent(value) else value
    elif state.has_items_path:
        found = apply_input_path(state.items_path, run.scope(effective))
        run.inspection.put_value("afterItemsPath", found)
        if not isinstance(found, list):
            where = state.items_path.text if state.items_path else "$"
            raise StatesError("States.Runtime", f'Reference path "{where}" must point to array.')
    else:
        found = effective
    if not isinstance(found, list):
        raise StatesError(
            "States.Runtime", f"Map state input must be an array but was: {dump_compact(found)}"
        )
    return found


def _select_item(run: StateRun, effective: JSON, index: int, item: JSON) -> JSON:
    state: MapState = run.state
    saved = run.visit.map_item
    run.visit.map_item = {"Index": index, "Value": item}
    try:
        if state.jsonata:
            bindings = states_bindings(run.it, run.visit, run.frame, effective)
            value = evaluate_field(run.it, state.jsonata_fields, "ItemSelector", bindings)
            return item if is_absent(value) else value
        return apply_template(state.item_selector, run.scope(effective))
    finally:
        run.visit.map_item = saved


def _batches(batcher: dict[str, Any], items: list[JSON]) -> list[JSON]:
    """``ItemBatcher``: ``{"BatchInput"?, "Items"}`` objects by item count and byte size."""
    most = batcher.get("MaxItemsPerBatch")
    max_bytes = batcher.get("MaxInputBytesPerBatch")
    groups: list[list[JSON]] = []
    for item in items:
        current = groups[-1] if groups else None
        fits = current is not None and (not isinstance(most, int) or len(current) < most)
        if fits and isinstance(max_bytes, int) and current is not None:
            fits = len(dump_compact([*current, item]).encode()) <= max_bytes
        if fits and current is not None:
            current.append(item)
        else:
            groups.append([item])
    head = {"BatchInput": batcher["BatchInput"]} if "BatchInput" in batcher else {}
    return [{**head, "Items": group} for group in groups]


def resolve_limits(run: StateRun, effective: JSON) -> tuple[JSON, JSON]:
    """Record ``maxConcurrency`` and the thresholds; returns (count, percentage)."""
    state: MapState = run.state
    concurrency = _number(run, effective, "MaxConcurrency", state.max_concurrency,
                          state.max_concurrency_path)  # fmt: skip
    run.inspection.put_raw("maxConcurrency", int(concurrency or 0))
    count = _number(run, effective, "ToleratedFailureCount", state.tolerated_failure_count,
                    state.tolerated_failure_count_path)  # fmt: skip
    percentage = _number(run, effective, "ToleratedFailurePercentage",
                         state.tolerated_failure_percentage,
                         state.tolerated_failure_percentage_path)  # fmt: skip
    if count is not None:
        run.inspection.put_raw("toleratedFailureCount", int(count))
    if percentage is not None:
        run.inspection.put_raw("toleratedFailurePercentage", float(percentage))
    return count, percentage


def _number(run: StateRun, effective: JSON, name: str, literal: JSON,
            path: CompiledPath | None) -> JSON:  # fmt: skip
    state: MapState = run.state
    if state.jsonata and name in state.jsonata_fields:
        bindings = states_bindings(run.it, run.visit, run.frame, effective)
        value = evaluate_field(run.it, state.jsonata_fields, name, bindings)
        return None if is_absent(value) else expect_type(
            run.it, state.jsonata_fields, name, value, "number"
        )  # fmt: skip
    if path is None:
        return literal
    value = resolve_path(path, run.scope(effective))
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise StatesError(
            "States.Runtime",
            f'The {name}Path field refers to value "{dump_compact(value)}" which is not a '
            f"valid number: {path.text}",
        )
    return value


def validate_failure_count(run: StateRun, iterations: int | None) -> None:
    """``mapIterationFailureCount`` may not exceed the number of iterations.

    Raises:
        StateTestError: it does.
    """
    failures = run.settings.failure_count
    if failures is not None and iterations is not None and failures > iterations:
        raise errors.validation(errors.FAILURE_COUNT_TOO_HIGH)


def check_threshold(run: StateRun, iterations: int | None, count: JSON, percentage: JSON) -> None:
    """``mapIterationFailureCount`` against the Map's tolerated-failure thresholds.

    Raises:
        StatesError: ``States.ExceedToleratedFailureThreshold`` when a threshold is exceeded
            (with no threshold configured AWS reports success: OBS).
    """
    failures = run.settings.failure_count
    if failures is None:
        return
    if count is not None and failures > count:
        raise StatesError(THRESHOLD, THRESHOLD_CAUSE)
    if percentage is not None and iterations and failures * 100 / iterations > percentage:
        raise StatesError(THRESHOLD, THRESHOLD_CAUSE)
