"""The rules of :mod:`libpolis.rules.fields` as pydantic fields, for the web API's schemas.

``title: str = rule_field("programme", "title")`` gives the field its length or bounds (so
OpenAPI documents them); a schema deriving from :class:`RuleChecked` with ``entity`` set also
refuses control characters in every text field and an end date before its start.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

from libpolis.rules.fields import (
    CONTROL_LINE,
    CONTROL_MULTILINE,
    DATE_ORDER,
    Number,
    Text,
    check_value,
    rule,
)

__all__ = ["DateOrderError", "RuleChecked", "rule_field"]


class DateOrderError(ValueError):
    """An end date before its start; the message names both fields (``end date 2026-04-01 is
    before start date 2026-05-01``) and the dates travel with it (``start``, ``end``), so a
    face can say it in its own words."""

    def __init__(self, first: str, last: str, start: Any, end: Any) -> None:
        super().__init__(
            f"{last.replace('_', ' ')} {end} is before {first.replace('_', ' ')} {start}"
        )
        self.start, self.end = start, end


def rule_field(
    entity: str,
    name: str,
    *,
    default: Any = ...,
    optional: bool = False,
    pattern: str | None = None,
) -> Any:
    """A pydantic ``Field`` with the limits of ``entity.name``.

    ``optional`` (update schemas) drops the minimum length: an absent value means "unchanged".
    ``pattern`` documents a stricter form of a text (an e-mail address) that a validator of
    the schema checks, in place of the rule's own pattern.
    """
    r = rule(entity, name)
    if r is None:
        raise KeyError(f"no rule for {entity}.{name}")
    kwargs: dict[str, Any] = {}
    if isinstance(r, Text):
        kwargs["max_length"] = r.max_length
        if r.required:
            kwargs["min_length"] = 1
        # documented, not enforced here (the validator below gives the clearer message)
        kwargs["json_schema_extra"] = {
            "pattern": pattern or _text_pattern(r, blank_ok=optional)
        }
    elif isinstance(r, Number):
        if r.ge is not None:
            kwargs["ge"] = int(r.ge) if r.integer else r.ge
        if r.le is not None:
            kwargs["le"] = int(r.le) if r.integer else r.le
        if not r.integer:
            kwargs["allow_inf_nan"] = False
    if optional:
        default = None if default is ... else default
    return Field(default=default, **kwargs)


def _text_pattern(r: Text, *, blank_ok: bool) -> str:
    """The rule of a text as a JSON-schema ``pattern``: no control characters (tabs and line
    breaks only in multi-line texts) and, where required, something other than blanks."""
    allowed = CONTROL_MULTILINE if r.multiline else CONTROL_LINE
    ok = "[^" + allowed[1:]  # the complement of the control-character class
    if not r.required or blank_ok:
        return f"^{ok}*$"
    return f"^{ok}*[^\\s{allowed[1:-1]}]{ok}*$"


class RuleChecked(BaseModel):
    """A schema whose fields follow the rules of ``entity`` (set by each subclass)."""

    entity: ClassVar[str] = ""

    @field_validator("*", mode="after")
    @classmethod
    def _follow_rule(cls, value: Any, info: ValidationInfo) -> Any:
        if cls.entity and isinstance(value, str) and info.field_name:
            why = check_value(cls.entity, info.field_name, value)
            if why is not None:
                raise ValueError(why)
        return value

    @model_validator(mode="after")
    def _dates_in_order(self) -> RuleChecked:
        first, last = DATE_ORDER.get(self.entity, (None, None))
        start = getattr(self, first, None) if first else None
        end = getattr(self, last, None) if last else None
        if start is not None and end is not None and end < start:
            raise DateOrderError(first, last, start, end)
        return self
