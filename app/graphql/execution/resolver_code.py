"""What a resolver reads, judged from its code: the attribute path a default resolver (or
Ariadne's `resolve_to`) reads off its parent, which a plan then reads itself, and whether a
resolver can read `info`, which a plan then builds for it or leaves out. Used by the
planner (planner.py) when it plans a field."""

from __future__ import annotations

import dis
from collections.abc import Callable
from types import FunctionType
from typing import Any

from ariadne import resolve_to
from graphql import GraphQLField, default_field_resolver

# Ariadne's `resolve_to(name)` (aliases, converted names) reads `name` off the parent the
# way graphql-core's default resolver does; recognised by its code, read from its closure.
_ALIAS_CODE = resolve_to("_").__code__
# Names through which a function could reach its own frame, and so its `info`, unloaded.
_FRAME_ACCESS = frozenset(("locals", "vars", "_getframe", "currentframe", "stack"))


def attribute_read(definition: GraphQLField, name: str) -> tuple[str, ...] | None:
    """The attribute path a default resolver reads, or None for any other resolver."""
    resolve = definition.resolve
    if resolve is None or resolve is default_field_resolver:
        return (name,)
    code = getattr(resolve, "__code__", None)
    closure = getattr(resolve, "__closure__", None)
    if code is _ALIAS_CODE and closure is not None:
        cells = dict(zip(code.co_freevars, closure, strict=True))
        attr_name = cells["attr_name"].cell_contents
        if isinstance(attr_name, str):
            return tuple(attr_name.split("."))
    return None


def reads_info_argument(resolve: Callable[..., Any]) -> bool:
    """Whether a resolver can read its second argument, `info`, judged from its code. Most
    of ours never do (`def resolve_iri(obj, _)`), and a plan calls those with None instead
    of a `GraphQLResolveInfo` built for the call. Only a plain function whose code never
    loads that parameter, keeps it in no closure and names nothing that reaches its own
    frame counts as not reading it; anything else gets a real one."""
    if not isinstance(resolve, FunctionType):
        return True
    code = resolve.__code__
    if code.co_argcount < 2:  # info in *args (or no such parameter): assume it is read
        return True
    info = code.co_varnames[1]
    if info in code.co_cellvars or not _FRAME_ACCESS.isdisjoint(code.co_names):
        return True
    for instruction in dis.get_instructions(code):
        value = instruction.argval
        if value == info or (isinstance(value, tuple) and info in value):
            return True
    return False
