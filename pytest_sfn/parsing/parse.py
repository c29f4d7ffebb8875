"""Decoded definition (already validated) -> frozen model, compiling every path and template."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytest_sfn._types import JSON
from pytest_sfn.errors import DefinitionError, Diagnostic
from pytest_sfn.expressions.jsonpath import PathSyntaxError, compile_path
from pytest_sfn.expressions.payload import (
    Template,
    TemplateError,
    compile_template,
    compile_value_expression,
)
from pytest_sfn.model.resource import Resource
from pytest_sfn.model.states import (
    JSONPATH,
    Catcher,
    ChoiceRule,
    ChoiceState,
    Comparison,
    Condition,
    FailState,
    Graph,
    JsonataCondition,
    MapState,
    Not,
    ParallelState,
    PassState,
    Retrier,
    RuleList,
    State,
    SucceedState,
    TaskState,
    WaitState,
)

__all__ = ["parse_definition"]

_MISSING = object()


class _Problem(Exception):
    def __init__(self, message: str, pointer: str) -> None:
        super().__init__(message)
        self.pointer = pointer


def parse_definition(definition: dict[str, Any], *, source: str | None = None) -> Graph:
    """Build the model of a validated definition.

    Raises:
        DefinitionError: a path or template that validation let through does not compile.
    """
    try:
        return _graph(definition, "", definition.get("QueryLanguage", JSONPATH), top=True)
    except (_Problem, TemplateError) as exc:
        raise DefinitionError(
            [Diagnostic("SCHEMA_VALIDATION_FAILED", str(exc), exc.pointer)], source=source
        ) from None


def _graph(raw: dict[str, Any], pointer: str, language: str, *, top: bool = False) -> Graph:
    language = raw.get("QueryLanguage", language) if top else language
    states: dict[str, State] = {}
    for name, body in raw["States"].items():
        states[name] = _state(name, body, f"{pointer}/States/{name}", language)
    return Graph(
        start_at=raw["StartAt"],
        states=states,
        pointer=pointer,
        query_language=language,
        timeout_seconds=raw.get("TimeoutSeconds") if top else None,
        comment=raw.get("Comment"),
        version=raw.get("Version") if top else None,
    )


def _path(raw: dict[str, Any], key: str, pointer: str, default: str | None = "$") -> Any:
    """Compiled path for ``key``; JSON null -> None; absent -> compiled default."""
    value = raw.get(key, _MISSING)
    if value is _MISSING:
        return compile_path(default) if default is not None else None
    if value is None:
        return None
    try:
        return compile_path(value, reference=key not in ("InputPath", "OutputPath"))
    except PathSyntaxError as exc:
        raise _Problem(str(exc), f"{pointer}/{key}") from None


def _template(raw: dict[str, Any], key: str, pointer: str) -> Template | None:
    if key not in raw:
        return None
    return compile_template(raw[key], f"{pointer}/{key}")


def _assign(raw: dict[str, Any], pointer: str, language: str) -> Template | None:
    if "Assign" not in raw:
        return None
    if language == JSONPATH:
        return compile_template(raw["Assign"], f"{pointer}/Assign")
    return compile_template({}, "")  # JSONata Assign is evaluated by the JSONata layer


def _common(name: str, raw: dict[str, Any], pointer: str, language: str) -> dict[str, Any]:
    language = raw.get("QueryLanguage", language)
    jsonpath = language == JSONPATH
    return {
        "name": name,
        "pointer": pointer,
        "query_language": language,
        "comment": raw.get("Comment"),
        "next": raw.get("Next"),
        "end": bool(raw.get("End", False)),
        "input_path": _path(raw, "InputPath", pointer) if jsonpath else None,
        "output_path": _path(raw, "OutputPath", pointer) if jsonpath else None,
        "assign": _assign(raw, pointer, language),
        "output": raw.get("Output"),
        "has_output": "Output" in raw,
        "jsonata_fields": {}
        if jsonpath
        else _jsonata_fields(raw, pointer, JSONATA_FIELDS.get(raw.get("Type", ""), ())),
    }


#: The fields of each state type that take JSONata (expressions or literals).
JSONATA_FIELDS: dict[str, tuple[str, ...]] = {
    "Pass": ("Output", "Assign"),
    "Task": ("Arguments", "Output", "Assign", "TimeoutSeconds", "HeartbeatSeconds", "Credentials"),
    "Choice": ("Output", "Assign"),
    "Wait": ("Seconds", "Timestamp", "Output", "Assign"),
    "Succeed": ("Output",),
    "Fail": ("Error", "Cause"),
    "Parallel": ("Arguments", "Output", "Assign"),
    "Map": (
        "Items",
        "ItemSelector",
        "MaxConcurrency",
        "ToleratedFailureCount",
        "ToleratedFailurePercentage",
        "Output",
        "Assign",
    ),
}
_RULE_FIELDS = ("Condition", "Assign", "Output")
_CATCH_FIELDS = ("Output", "Assign")


def _jsonata_fields(
    raw: dict[str, Any], pointer: str, fields: tuple[str, ...], prefix: str = ""
) -> dict[str, Any]:
    """Compile the JSONata-capable fields present in ``raw`` (once, at load time).

    ``prefix`` names the enclosing element in error causes, as AWS does
    (``Choices[1]/Condition``, ``Catch[0]/Output/v``).
    """
    from pytest_sfn.expressions.jsonata_template import (
        JsonataTemplateError,
        compile_jsonata_template,
    )

    compiled: dict[str, Any] = {}
    for name in fields:
        if name in raw:
            try:
                compiled[name] = compile_jsonata_template(
                    raw[name], prefix + name, f"{pointer}/{name}"
                )
            except JsonataTemplateError as exc:
                raise _Problem(exc.message, exc.pointer) from None
    return compiled


def _retry(raw: dict[str, Any], pointer: str) -> tuple[Retrier, ...]:
    return tuple(
        Retrier(
            error_equals=tuple(r["ErrorEquals"]),
            interval_seconds=r.get("IntervalSeconds", 1),
            max_attempts=r.get("MaxAttempts", 3),
            backoff_rate=r.get("BackoffRate", 2.0),
            max_delay_seconds=r.get("MaxDelaySeconds"),
            jitter=r.get("JitterStrategy", "NONE"),
            pointer=f"{pointer}/Retry/{i}",
        )
        for i, r in enumerate(raw.get("Retry", ()))
    )


def _catch(raw: dict[str, Any], pointer: str, language: str) -> tuple[Catcher, ...]:
    out = []
    for i, c in enumerate(raw.get("Catch", ())):
        where = f"{pointer}/Catch/{i}"
        out.append(
            Catcher(
                error_equals=tuple(c["ErrorEquals"]),
                next=c["Next"],
                result_path=_path(c, "ResultPath", where) if language == JSONPATH else None,
                assign=_assign(c, where, language),
                jsonata_fields={}
                if language == JSONPATH
                else _jsonata_fields(c, where, _CATCH_FIELDS, f"Catch[{i}]/"),
                output=c.get("Output"),
                has_output="Output" in c,
                pointer=where,
            )
        )
    return tuple(out)


def _result_fields(raw: dict[str, Any], pointer: str, language: str) -> dict[str, Any]:
    if language != JSONPATH:
        return {}
    return {
        "result_selector": _template(raw, "ResultSelector", pointer),
        "result_path": _path(raw, "ResultPath", pointer),
    }


def _pass(name: str, raw: dict[str, Any], pointer: str, language: str) -> State:
    common = _common(name, raw, pointer, language)
    jsonpath = common["query_language"] == JSONPATH
    return PassState(
        **common,
        parameters=_template(raw, "Parameters", pointer) if jsonpath else None,
        result=raw.get("Result"),
        has_result="Result" in raw,
        result_path=_path(raw, "ResultPath", pointer) if jsonpath else None,
    )


def _task(name: str, raw: dict[str, Any], pointer: str, language: str) -> State:
    common = _common(name, raw, pointer, language)
    lang = common["query_language"]
    jsonpath = lang == JSONPATH
    return TaskState(
        **common,
        **_result_fields(raw, pointer, lang),
        resource=Resource.parse(raw["Resource"]),
        parameters=_template(raw, "Parameters", pointer) if jsonpath else None,
        arguments=raw.get("Arguments"),
        has_arguments="Arguments" in raw,
        timeout_seconds=raw.get("TimeoutSeconds"),
        timeout_seconds_path=_path(raw, "TimeoutSecondsPath", pointer, None),
        heartbeat_seconds=raw.get("HeartbeatSeconds"),
        heartbeat_seconds_path=_path(raw, "HeartbeatSecondsPath", pointer, None),
        credentials=_template(raw, "Credentials", pointer) if jsonpath else None,
        retry=_retry(raw, pointer),
        catch=_catch(raw, pointer, lang),
    )


def _choice(name: str, raw: dict[str, Any], pointer: str, language: str) -> State:
    common = _common(name, raw, pointer, language)
    lang = common["query_language"]
    rules = []
    for i, rule in enumerate(raw.get("Choices", ())):
        where = f"{pointer}/Choices/{i}"
        rules.append(
            ChoiceRule(
                condition=_condition(rule, where, lang),
                next=rule["Next"],
                assign=_assign(rule, where, lang),
                jsonata_fields={}
                if lang == JSONPATH
                else _jsonata_fields(rule, where, _RULE_FIELDS, f"Choices[{i}]/"),
                output=rule.get("Output"),
                has_output="Output" in rule,
                pointer=where,
            )
        )
    return ChoiceState(**common, choices=tuple(rules), default=raw.get("Default"))


_COMBINATORS = ("And", "Or")
_NON_OPERATOR_KEYS = frozenset({"Variable", "Next", "Comment", "Assign", "Output"})


def _condition(rule: dict[str, Any], pointer: str, language: str) -> Condition:
    if "Condition" in rule:
        return JsonataCondition(rule["Condition"], f"{pointer}/Condition")
    for op in _COMBINATORS:
        if op in rule:
            return RuleList(
                op,
                tuple(
                    _condition(r, f"{pointer}/{op}/{i}", language) for i, r in enumerate(rule[op])
                ),
            )
    if "Not" in rule:
        return Not(_condition(rule["Not"], f"{pointer}/Not", language))
    operators = [k for k in rule if k not in _NON_OPERATOR_KEYS]
    if len(operators) != 1 or "Variable" not in rule:
        raise _Problem(
            "A choice rule needs a Variable and exactly one comparison operator", pointer
        )
    op = operators[0]
    variable = _path(rule, "Variable", pointer)
    operand: Any = rule[op]
    is_path = op.endswith("Path") and not op.startswith("Is")
    if is_path:
        operand = _path(rule, op, pointer)
    return Comparison(variable, op, operand, is_path, pointer)


def _wait(name: str, raw: dict[str, Any], pointer: str, language: str) -> State:
    return WaitState(
        **_common(name, raw, pointer, language),
        seconds=raw.get("Seconds"),
        seconds_path=_path(raw, "SecondsPath", pointer, None),
        timestamp=raw.get("Timestamp"),
        timestamp_path=_path(raw, "TimestampPath", pointer, None),
    )


def _succeed(name: str, raw: dict[str, Any], pointer: str, language: str) -> State:
    return SucceedState(**_common(name, raw, pointer, language))


def _fail(name: str, raw: dict[str, Any], pointer: str, language: str) -> State:
    common = _common(name, raw, pointer, language)

    def expr(key: str) -> Template | None:
        if key not in raw:
            return None
        return compile_value_expression(raw[key], key, f"{pointer}/{key}")

    return FailState(
        **common,
        error=raw.get("Error"),
        error_path=expr("ErrorPath"),
        cause=raw.get("Cause"),
        cause_path=expr("CausePath"),
    )


def _parallel(name: str, raw: dict[str, Any], pointer: str, language: str) -> State:
    common = _common(name, raw, pointer, language)
    lang = common["query_language"]
    branches = tuple(
        # A state without QueryLanguage takes the machine's, not the enclosing state's.
        _graph(b, f"{pointer}/Branches/{i}", b.get("QueryLanguage", language))
        for i, b in enumerate(raw["Branches"])
    )
    return ParallelState(
        **common,
        **_result_fields(raw, pointer, lang),
        branches=branches,
        parameters=_template(raw, "Parameters", pointer) if lang == JSONPATH else None,
        arguments=raw.get("Arguments"),
        has_arguments="Arguments" in raw,
        retry=_retry(raw, pointer),
        catch=_catch(raw, pointer, lang),
    )


def _map(name: str, raw: dict[str, Any], pointer: str, language: str) -> State:
    common = _common(name, raw, pointer, language)
    lang = common["query_language"]
    jsonpath = lang == JSONPATH
    key = "ItemProcessor" if "ItemProcessor" in raw else "Iterator"
    proc = raw[key]
    config = proc.get("ProcessorConfig", {}) or {}
    selector_key = "ItemSelector" if "ItemSelector" in raw else "Parameters"
    has_selector = selector_key in raw
    return MapState(
        **common,
        **_result_fields(raw, pointer, lang),
        processor=_graph(proc, f"{pointer}/{key}", proc.get("QueryLanguage", language)),
        mode=config.get("Mode", "INLINE"),
        execution_type=config.get("ExecutionType"),
        items_path=_path(raw, "ItemsPath", pointer) if jsonpath else None,
        has_items_path="ItemsPath" in raw,
        items=raw.get("Items"),
        has_items="Items" in raw,
        item_selector=_template(raw, selector_key, pointer) if jsonpath and has_selector else None,
        item_selector_jsonata=raw.get(selector_key) if not jsonpath else None,
        has_item_selector=has_selector,
        max_concurrency=raw.get("MaxConcurrency", 0),
        max_concurrency_path=_path(raw, "MaxConcurrencyPath", pointer, None),
        tolerated_failure_count=raw.get("ToleratedFailureCount"),
        tolerated_failure_count_path=_path(raw, "ToleratedFailureCountPath", pointer, None),
        tolerated_failure_percentage=raw.get("ToleratedFailurePercentage"),
        tolerated_failure_percentage_path=_path(
            raw, "ToleratedFailurePercentagePath", pointer, None
        ),
        label=raw.get("Label"),
        item_reader=raw.get("ItemReader"),
        item_batcher=raw.get("ItemBatcher"),
        result_writer=raw.get("ResultWriter"),
        result_writer_parameters=_writer_parameters(raw, pointer, jsonpath),
        retry=_retry(raw, pointer),
        catch=_catch(raw, pointer, lang),
    )


def _writer_parameters(raw: dict[str, Any], pointer: str, jsonpath: bool) -> Template | None:
    writer = raw.get("ResultWriter")
    if not jsonpath or not isinstance(writer, dict):
        return None
    return _template(writer, "Parameters", f"{pointer}/ResultWriter")


PARSERS: dict[str, Callable[[str, dict[str, Any], str, str], State]] = {
    "Pass": _pass,
    "Task": _task,
    "Choice": _choice,
    "Wait": _wait,
    "Succeed": _succeed,
    "Fail": _fail,
    "Parallel": _parallel,
    "Map": _map,
}


def _state(name: str, raw: JSON, pointer: str, language: str) -> State:
    try:
        parser = PARSERS[raw["Type"]]
    except (KeyError, TypeError):
        raise _Problem("Unknown state type", f"{pointer}/Type") from None
    return parser(name, raw, pointer, language)
