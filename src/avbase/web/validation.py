"""Turn Pydantic validation errors into field-level messages in the request's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from avbase.core.errors import AvbaseError, InvalidValue
from avbase.core.i18n import N_, _

M = TypeVar("M", bound=BaseModel)

# msgids for Pydantic error types; ctx values fill the {placeholders}.
_MESSAGES: dict[str, str] = {
    "missing": N_("This field is required."),
    "string_too_short": N_("Must be at least {min_length} characters."),
    "string_too_long": N_("Must be at most {max_length} characters."),
    "string_pattern_mismatch": N_("The format is not valid."),
    "string_type": N_("Must be text."),
    "int_parsing": N_("Must be a whole number."),
    "int_type": N_("Must be a whole number."),
    "int_from_float": N_("Must be a whole number."),
    "float_parsing": N_("Must be a number."),
    "float_type": N_("Must be a number."),
    "decimal_parsing": N_("Must be a decimal number."),
    "decimal_type": N_("Must be a decimal number."),
    "bool_parsing": N_("Must be true or false."),
    "bool_type": N_("Must be true or false."),
    "greater_than_equal": N_("Must be at least {ge}."),
    "greater_than": N_("Must be greater than {gt}."),
    "less_than_equal": N_("Must be at most {le}."),
    "less_than": N_("Must be less than {lt}."),
    "enum": N_("Must be one of: {expected}."),
    "literal_error": N_("Must be one of: {expected}."),
    "extra_forbidden": N_("Unknown field."),
    "date_parsing": N_("Must be a date (YYYY-MM-DD)."),
    "date_from_datetime_parsing": N_("Must be a date (YYYY-MM-DD)."),
    "datetime_parsing": N_("Must be a date and time."),
    "json_invalid": N_("The request body is not valid JSON."),
    "model_attributes_type": N_("Must be an object."),
    "dict_type": N_("Must be an object."),
    "model_type": N_("Must be an object."),
    "list_type": N_("Must be a list."),
    "too_long": N_("Too many items."),
    "too_short": N_("Too few items."),
}


def field_name(loc: Sequence[int | str]) -> str:
    parts = [str(part) for part in loc]
    if len(parts) > 1 and parts[0] in ("body", "query", "path", "header", "cookie", "form"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def message_for(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = dict(error.get("ctx") or {})
    if kind == "value_error" and "error" in ctx:
        # Our own validators raise ValueError (or InvalidValue, with parameters) carrying an English msgid.
        error_value = ctx["error"]
        if isinstance(error_value, InvalidValue):
            return _(error_value.msgid, **error_value.params)
        return _(str(error_value))
    template = _MESSAGES.get(kind)
    if template is None:
        return _("The value is not valid.")
    try:
        return _(template, **{key: _plain(value) for key, value in ctx.items()})
    except (KeyError, IndexError):  # a context value the message expects is missing
        return _("The value is not valid.")


def _plain(value: Any) -> str:
    return str(value).replace("'", "")


def field_errors(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """A list of {field, message, type}, first error per field."""
    seen: dict[str, dict[str, str]] = {}
    for error in errors:
        name = field_name(error.get("loc", ()))
        if name not in seen:
            seen[name] = {"field": name, "message": message_for(error), "type": str(error.get("type", ""))}
    return list(seen.values())


def validate_form(model: type[M], data: Mapping[str, Any]) -> tuple[M | None, dict[str, str]]:
    """Validate submitted form values; blank optional inputs count as absent."""
    cleaned = {key: value for key, value in data.items() if key != "csrf_token" and value != ""}
    try:
        return model.model_validate(cleaned), {}
    except ValidationError as exc:
        # A whole-model rule (R&D cannot exceed revenue) has no field: the form shows it at the top.
        return None, {
            ("form" if item["field"] == "body" else item["field"]): item["message"]
            for item in field_errors(exc.errors())
        }


def _first_nul(pairs: Sequence[tuple[str, object]]) -> str | None:
    return next(
        (key for key, value in pairs if "\x00" in key or (isinstance(value, str) and "\x00" in value)), None
    )


async def reject_nul_characters(request: Request) -> None:
    """No text a request sends may hold a NUL character: PostgreSQL cannot store or compare one, so it would
    surface as a server error deep in a query. Query parameters and form fields (urlencoded or multipart,
    however the route reads them) are checked for every route; Starlette keeps the parsed form, so the
    route's own read costs nothing more."""
    if field := _first_nul(list(request.query_params.multi_items())):
        raise AvbaseError("The text contains a NUL character.", field=field)
    if request.method in ("POST", "PUT", "PATCH") and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        check_form_text(await request.form())


def check_form_text(form: FormData) -> FormData:
    if field := _first_nul(list(form.multi_items())):
        raise AvbaseError("The text contains a NUL character.", field=field)
    return form
