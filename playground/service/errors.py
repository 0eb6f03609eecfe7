"""What the service raises, and the one translation of a validation error into a refusal.

Every refusal carries a stable `code` and its `params` (API.md 6.1) beside the English
message, so the page can word it in the reader's language (static/js/strings/refusals.js
has a template per code). `CODES` is the one list of what the server can send; the web
layer turns a `Refused` into an HTTP answer or a play-socket message, and the service
itself never imports the web layer.
"""

from __future__ import annotations

import json
import re
import types
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

# code -> the params it always carries (a test holds refusals.js to this table)
CODES: dict[str, tuple[str, ...]] = {
    # the request itself
    "unknown_session": ("session_id",),
    "not_found": ("path",),
    "method_not_allowed": ("method",),
    "bad_json": (),
    # one field of a request, from pydantic's first error
    "out_of_range": ("field", "min", "max", "value"),
    "too_small": ("field", "min", "value"),
    "too_large": ("field", "max", "value"),
    "unknown_id": ("field", "value", "allowed"),
    "not_a_number": ("field", "value"),
    "not_an_integer": ("field", "value"),
    "missing": ("field",),
    "unknown_field": ("field",),
    "too_many_items": ("field", "max"),
    "too_few_items": ("field", "min"),
    "invalid": ("field", "reason"),
    # rules over a whole request
    "head_cannot_learn": ("field", "head", "dataset", "kind", "allowed"),
    "repeated_features": ("field",),
    "steps_or_epochs": (),
    # what a session refuses (layers numbered as node ids number them: 1 = first hidden)
    "too_many_layers": ("max",),
    "layer_position": ("min", "max"),
    "no_such_layer": ("layer", "index", "hidden_layers"),
    "too_many_units": ("layer", "units", "max", "room"),
    "no_such_neuron": ("layer", "neuron", "last"),
    "last_neuron": ("layer",),
    "no_such_node": ("field", "value", "max"),
    "not_prelu": ("layer", "index", "activation"),
    "no_batch_norm": ("layer", "index"),
    "too_many_epochs": ("epochs", "steps", "steps_per_epoch", "max_steps", "max_epochs"),
    "diverged": (),
    "not_a_class": ("label", "last"),
    "update_overflows": (),
    "params_shape": ("what",),
    "too_much_work": ("steps", "work", "max_work", "max_steps", "max_epochs"),
    "grid_too_large": ("resolution", "max_resolution"),
    # lessons, exercises and classes (API.md 6.3)
    "no_lesson": (),
    "not_a_question": ("step",),
    "bad_goal": ("metric", "needs"),
    "goal_too_deep": ("index", "limit"),
    "batch_of_one": ("batch_size", "examples"),
    "empty_prompt": (),
    "unknown_exercise": ("exercise_id",),
    "unknown_class": ("code",),
    "wrong_teacher_key": (),
    "class_full": ("max",),
    "unknown_student": ("student_id",),
    # model files, shared networks (API.md 6.4)
    "model_state": ("what",),
    "model_data_differs": ("dataset",),
    "model_not_finite": ("what",),
    "unknown_share": ("share_id",),
    # own data (API.md 6.4): a refusal names the row (a CSV's line, a JSON list's index)
    "data_rows": ("rows", "min", "max"),
    "data_columns": ("row", "found"),
    "data_not_a_number": ("row", "column", "value"),
    "data_not_finite": ("row", "column", "value"),
    "data_outside": ("row", "column", "value", "count", "max"),
    "data_classes": ("classes", "max"),
    "data_label": ("row", "value", "last"),
    "data_not_text": (),
    "unknown_dataset": ("dataset_id",),
    "no_such_point": ("index", "last"),
    # a shared server (API.md 6.1): what any request may be refused for
    "busy": ("retry_after",),
    "too_many_sessions": ("max", "retry_after"),
    "too_many_uploads": ("max", "retry_after"),
    "store_full": ("retry_after",),
    "body_too_large": ("max",),
    "unsupported_media_type": ("content_type",),
    "foreign_origin": ("origin",),
    "binary_frame": (),
    # why a session diverged (snapshot.divergence, worded by the same table)
    "step_overflow": ("step", "last_step", "learning_rate"),
    "loss_overflow": ("step", "learning_rate"),
}
# params sent only sometimes: an exclusive bound says so
OPTIONAL_PARAMS: dict[str, tuple[str, ...]] = {
    "out_of_range": ("min_exclusive", "max_exclusive"),
    "too_small": ("min_exclusive",),
    "too_large": ("max_exclusive",),
}

VALUE_CHARS = 40  # a refusal never echoes more of the input than this
ECHOED_ERRORS = 5  # nor more than this many of its validation errors


class Refused(Exception):
    """A request the session will not carry out; `status` is the HTTP status to answer,
    `retry_after` (seconds) when trying again later may succeed (HTTP's Retry-After)."""

    def __init__(self, message: str, code: str, params: dict | None = None, *,
                 status: int = 422, allowed: object = None, detail: object = None,
                 retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message, self.code, self.params = message, code, params or {}
        self.status, self.allowed, self.detail = status, allowed, detail
        self.retry_after = retry_after

    def body(self) -> dict:
        """The error body every refusal is answered with (HTTP or the play socket)."""
        return {"message": self.message, "code": self.code, "params": self.params,
                "detail": self.detail, "allowed": self.allowed}


def busy(what: str = "the session is busy with another request", retry_after: int = 1) -> Refused:
    """429: a session (or the server) still busy after a short wait; nothing queues."""
    return Refused(f"{what}; try again in {retry_after} s", "busy",
                   {"retry_after": retry_after}, status=429, retry_after=retry_after)


class UnknownSession(KeyError):
    """No session by that id: never created, deleted, or expired."""

    def refused(self) -> Refused:
        session_id = str(self.args[0]) if self.args else ""
        return Refused(f"unknown session {short(session_id)!r}: it never existed, was deleted, "
                       "or expired after being idle; create one with POST /api/sessions",
                       "unknown_session", {"session_id": short(session_id)}, status=404)


class RuleBroken(ValueError):
    """A rule over a whole request, raised inside a validator: pydantic reports it as a
    value_error whose context holds this exception, and `refusal_params` takes its code
    and params from there."""

    def __init__(self, message: str, code: str, **params: Any) -> None:
        super().__init__(message)
        self.code, self.params = code, params


# ------------------------------------------------------------------ validation errors
LOCATIONS = ("body", "query", "path")  # where FastAPI found a value: not part of the field
RANGE = {"greater_than_equal", "greater_than", "less_than_equal", "less_than"}
NOT_A_NUMBER = {"float_parsing", "float_type", "finite_number"}
NOT_AN_INTEGER = {"int_parsing", "int_type", "int_from_float"}


def field_of(loc: tuple | list) -> str:
    """The field a validation error is about, dotted: "hidden.0.units"."""
    parts = list(loc)
    if parts and parts[0] in LOCATIONS:
        parts = parts[1:]
    return ".".join(str(p) for p in parts)


def validation_summary(errors: list[dict]) -> str:
    """One line from pydantic's errors: "field: what is allowed; ..." (the English message
    of every 422, whether it came over HTTP, the play socket or a whole-config rule)."""
    parts = []
    for e in errors[:ECHOED_ERRORS]:
        where = short(field_of(e.get("loc", ())))
        msg = writable(str(e.get("msg", "invalid")).removeprefix("Value error, "))
        parts.append(f"{where}: {msg}" if where else msg)
    if len(errors) > ECHOED_ERRORS:  # a body of 100,000 bad items is not answered in full
        parts.append(f"and {len(errors) - ECHOED_ERRORS} more errors")
    return "; ".join(parts) or "invalid request"


def echoed_errors(errors: list[dict]) -> list[dict]:
    """What a refusal's `detail` shows of pydantic's errors: the first few, each value
    and key of the input cut to a short excerpt (never the raw input)."""
    return [{k: ([excerpt(p) for p in v] if k == "loc" else excerpt(v) if k == "input"
                 else writable(v) if isinstance(v, str) else v)
             for k, v in e.items() if k not in ("url", "ctx")}
            for e in errors[:ECHOED_ERRORS]]


def validation_refused(errors: list[dict], root: object, detail: object = None) -> Refused:
    """The refusal of a request pydantic rejected: the English summary of every error, the
    code and params of the first one. `root` is what the errors' locations start from
    (a model, or a mapping of names to fields / models) so the field's bounds and ids can
    be read from its declaration; `detail` is what the answer shows of the errors."""
    if not errors:
        return Refused("invalid request", "invalid", {"field": "", "reason": "invalid request"},
                       detail=detail)
    code, params = refusal_params(errors[0], root)
    return Refused(validation_summary(errors), code, params, detail=detail)


def refusal_params(error: dict, root: object) -> tuple[str, dict]:
    """The code and params of one pydantic error (see CODES)."""
    kind, loc, ctx = error.get("type", ""), tuple(error.get("loc", ())), error.get("ctx") or {}
    field = short(field_of(loc))
    value = short(error.get("input"))
    if kind == "json_invalid":
        return "bad_json", {}
    if isinstance(ctx.get("error"), RuleBroken):
        return ctx["error"].code, dict(ctx["error"].params)
    if kind in RANGE:
        return _range(kind, field, value, ctx, declared_at(root, loc))
    if kind == "literal_error":
        found = declared_at(root, loc)
        allowed = [str(a) for a in get_args(found[0])] if found and _is_literal(found[0]) \
            else re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return "unknown_id", {"field": field, "value": value, "allowed": allowed}
    if kind in NOT_A_NUMBER:
        return "not_a_number", {"field": field, "value": value}
    if kind in NOT_AN_INTEGER:
        return "not_an_integer", {"field": field, "value": value}
    if kind == "missing":
        return "missing", {"field": field}
    if kind == "extra_forbidden":
        return "unknown_field", {"field": field}
    if kind == "too_long" and ctx.get("field_type") == "List":
        return "too_many_items", {"field": field, "max": ctx.get("max_length")}
    if kind == "too_short" and ctx.get("field_type") == "List":
        return "too_few_items", {"field": field, "min": ctx.get("min_length")}
    return "invalid", {"field": field, "reason": str(error.get("msg", "invalid"))}


def _range(kind: str, field: str, value: str, ctx: dict,
           declared: tuple[object, list] | None) -> tuple[str, dict]:
    """out_of_range when the field has both bounds (read from its declaration; pydantic's
    error names only the one crossed), else too_small / too_large."""
    low, high = _bounds(declared[1]) if declared else (None, None)
    crossed = {"greater_than_equal": ("ge", False), "greater_than": ("gt", True),
               "less_than_equal": ("le", False), "less_than": ("lt", True)}[kind]
    if crossed[0] in ctx:  # the crossed bound as pydantic saw it, when not declared
        bound = (ctx[crossed[0]], crossed[1])
        if kind.startswith("greater"):
            low = low or bound
        else:
            high = high or bound
    params: dict = {"field": field}
    if low:
        params["min"] = low[0]
    if high:
        params["max"] = high[0]
    params["value"] = value
    if low and low[1]:
        params["min_exclusive"] = True
    if high and high[1]:
        params["max_exclusive"] = True
    if low and high:
        return "out_of_range", params
    return ("too_small" if low else "too_large"), params


def _bounds(metadata: list) -> tuple[tuple | None, tuple | None]:
    """(value, exclusive) of the lower and the upper bound among the markers pydantic keeps
    (annotated_types' Ge, Gt, Le, Lt, read by their attribute: an Interval has several)."""
    low = high = None
    for m in metadata:
        if getattr(m, "ge", None) is not None:
            low = (m.ge, False)
        if getattr(m, "gt", None) is not None:
            low = (m.gt, True)
        if getattr(m, "le", None) is not None:
            high = (m.le, False)
        if getattr(m, "lt", None) is not None:
            high = (m.lt, True)
    return low, high


def declared_at(root: object, loc: tuple) -> tuple[object, list] | None:
    """(type, constraint markers) declared for the value at `loc` below `root`, walking
    models by field name (or alias), lists by index and mappings by key; None when the
    location leads nowhere declared."""
    node: tuple[object, list] = (root, [])
    for part in loc:
        node = _unwrap(*node)
        found = _child(node[0], part)
        if found is None:
            return None
        node = found
    return _unwrap(*node)


def _child(kind: object, part: object) -> tuple[object, list] | None:
    if isinstance(kind, Mapping):
        item = kind.get(part)
        if isinstance(item, FieldInfo):
            return item.annotation, list(item.metadata)
        return None if item is None else (item, [])
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        for name, info in kind.model_fields.items():
            if part in (name, info.alias):
                return info.annotation, list(info.metadata)
        return None
    if get_origin(kind) in (list, tuple) and isinstance(part, int):
        args = get_args(kind)
        return (args[0], []) if args else None
    return None


def _unwrap(kind: object, metadata: list) -> tuple[object, list]:
    """Strip Annotated (keeping its markers, FieldInfo's included) and Optional."""
    while True:
        if get_origin(kind) is Annotated:
            args = get_args(kind)
            kind = args[0]
            for extra in args[1:]:
                metadata = metadata + (list(extra.metadata) if isinstance(extra, FieldInfo)
                                       else [extra])
        elif get_origin(kind) in (Union, types.UnionType):
            members = [a for a in get_args(kind) if a is not type(None)]
            if len(members) != 1:
                return kind, metadata
            kind = members[0]
        else:
            return kind, metadata


def _is_literal(kind: object) -> bool:
    return get_origin(kind) is Literal


def short(value: object) -> str:
    """The input as a short string: a refusal never echoes a huge input, nor a lone
    surrogate (\\ud800 parses into a Python string but cannot be written as UTF-8:
    it is shown escaped)."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    if len(text) > VALUE_CHARS:
        text = text[: VALUE_CHARS - 1] + "…"
    return writable(text)


def writable(text: str) -> str:
    """`text` with any lone surrogate escaped (\\ud800), so that it encodes as UTF-8."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def excerpt(value: object) -> object:
    """A value as a refusal may echo it: itself when short, else `short` of it."""
    if value is None or isinstance(value, bool | int | float):
        return value
    return short(value)
