"""Python source for an object plan: the selection of one object type, unrolled.

A plan's fields are known when it is built, so the loop over them is written out once as
a function, one block per field, in graphql-core's key order: reading the attribute or
calling the resolver, and the common completions (null, a str or bool of a String, ID or
Boolean field, an Int in range) inline. Everything else goes to the runner's `complete`
(app/executor.py), which also takes resolver results that are awaitable.

The generated text holds only identifiers it makes up itself and Python literals
written with `repr`; every object (field plans, resolvers, argument values) is passed
in the function's namespace, never as text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from math import isfinite
from typing import TYPE_CHECKING, Any

from graphql import GraphQLResolveInfo
from graphql.pyutils import Path, Undefined

if TYPE_CHECKING:
    from app.plan import FieldPlan, ObjectPlan

# What a generated function is called with: (runner, source, path) -> the object's dict.
Fill = Callable[[Any, Any, Path | None], dict[str, Any]]

_MIN_INT, _MAX_INT = -(2**31), 2**31 - 1


def compile_object(plan: ObjectPlan) -> Fill:
    namespace: dict[str, Any] = {
        "Mapping": Mapping,
        "Path": Path,
        "TYPE": plan.type.name,
        "isfinite": isfinite,
        "new": tuple.__new__,
        "Info": GraphQLResolveInfo,
        "Undefined": Undefined,
    }
    lines = [
        "def fill(run, source, path):",
        "    out = {}",
        "    mapping = type(source) is dict or isinstance(source, Mapping)",
        "    tail = run.info_tail",
    ]
    for index, field in enumerate(plan.fields):
        namespace[f"F{index}"] = field
        lines += _field(index, field, namespace)
    lines.append("    return out")
    code = compile("\n".join(lines), f"<plan of {plan.type.name}>", "exec")
    exec(code, namespace)
    fill: Fill = namespace["fill"]
    return fill


def _field(index: int, field: FieldPlan, namespace: dict[str, Any]) -> list[str]:
    key = repr(field.key)
    if field.typename:
        return [f"    out[{key}] = TYPE"]
    lines = []
    if field.attribute is not None:
        if field.arguments is None:  # an invalid value is graphql-core's error to report
            lines.append(f"    run.argument_values(F{index})")
        if field.single is not None:
            name = repr(field.single)
            lines.append(
                f"    value = source.get({name}) if mapping else getattr(source, {name}, None)"
            )
        else:
            lines.append(f"    value = run.read(source, F{index}.attribute)")
    else:
        namespace[f"R{index}"] = field.resolve
        # GraphQLResolveInfo(*head, path, *tail), without a call to its __new__ (nor to
        # Path's: both are named tuples); None for a resolver that never reads it.
        info = "None"
        if field.reads_info:
            namespace[f"H{index}"] = field.info_head
            info = f"new(Info, (*H{index}, new(Path, (path, {key}, TYPE)), *tail))"
        if field.arguments is None:
            lines.append(f"    value = R{index}(source, {info}, **run.argument_values(F{index}))")
        elif field.arguments:
            namespace[f"A{index}"] = field.arguments
            lines.append(f"    value = R{index}(source, {info}, **A{index})")
        else:
            lines.append(f"    value = R{index}(source, {info})")
    completion = field.completion
    lines.append("    if value is None:")
    lines.append("        run.abandon()" if completion.non_null else f"        out[{key}] = None")
    if field.plain is not None:
        lines.append(f"    elif type(value) is {field.plain.__name__}:")
        lines.append(f"        out[{key}] = value")
    elif completion.pass_through is int:
        lines.append(f"    elif type(value) is int and {_MIN_INT} <= value <= {_MAX_INT}:")
        lines.append(f"        out[{key}] = value")
    elif completion.pass_through is float:
        lines.append("    elif type(value) is float and isfinite(value):")
        lines.append(f"        out[{key}] = value")
    if field.attribute is not None:
        # Checked after the plain types, which are never callable: a callable attribute
        # is called with `info` and the arguments, as the default resolvers do.
        lines.append("    elif callable(value):")
        lines.append(f"        value = run.call_value(F{index}, value, Path(path, {key}, TYPE))")
        lines.append(f"        out[{key}] = run.later_or_complete(F{index}, value, out, path)")
    if completion.object is not None:
        # An object that is neither awaitable nor an exception: its plan, directly.
        namespace[f"FILL{index}"] = completion.object.fill
        lines.append(
            "    elif value is not Undefined and not isinstance(value, Exception)"
            " and not run.is_awaitable(value):"
        )
        at = f"new(Path, (path, {key}, TYPE))"
        lines.append(f"        out[{key}] = FILL{index}(run, value, {at})")
    lines += [
        "    else:",
        f"        out[{key}] = run.later_or_complete(F{index}, value, out, path)",
    ]
    return lines
