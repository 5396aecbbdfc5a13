"""Python source for a plan: the selection of each object type, unrolled.

A plan's fields are known when it is built, so the loop over them is written out once as
a function per object plan, one block per field, in graphql-core's key order: the
field's `@skip`/`@include` conditions, reading the attribute or calling the resolver,
and the common completions (null, a str or bool of a String, ID or Boolean field, an
Int in range) inline. Everything else goes to the runner's `complete`
(app/executor.py), which also takes resolver results that are awaitable.

The generated text holds only identifiers it makes up itself and Python literals
written with `repr`; every object (field plans, resolvers, argument values) is passed
in the functions' namespace, never as text. The text is registered with `linecache`
under the plan's own file name for as long as the plan lives, so a traceback through a
plan shows its lines.
"""

from __future__ import annotations

import itertools
import linecache
import weakref
from collections.abc import Mapping
from math import isfinite
from typing import Any

from graphql import GraphQLResolveInfo
from graphql.pyutils import Path, Undefined

from app.plan import Condition, FieldPlan, Plan

_MIN_INT, _MAX_INT = -(2**31), 2**31 - 1
_numbers = itertools.count(1)

# Bytes a compiled plan keeps, estimated from its source text and fields: code objects,
# the functions' namespace, field plans and their info heads. Fitted with tracemalloc
# over the clients' documents and large generated ones; tests/test_executor.py checks it.
_BYTES_PER_CHARACTER = 6
_BYTES_PER_FIELD = 900
_BYTES_PER_PLAN = 4096


def compile_plan(plan: Plan) -> None:
    """Compiles every object plan of `plan` into its `fill` function, and estimates the
    bytes it all keeps in `plan.size`."""
    objects = plan.objects()
    number = next(_numbers)
    filename = f"<plan {number}: {objects[0].type.name}>"
    namespace: dict[str, Any] = {
        "Mapping": Mapping,
        "Path": Path,
        "isfinite": isfinite,
        "new": tuple.__new__,
        "Info": GraphQLResolveInfo,
        "Undefined": Undefined,
    }
    index_of = {id(plan): index for index, plan in enumerate(objects)}
    lines: list[str] = []
    for index, object_plan in enumerate(objects):
        namespace[f"TYPE{index}"] = object_plan.type.name
        lines += [
            f"def fill{index}(run, source, path):",
            "    out = {}",
            "    mapping = type(source) is dict or isinstance(source, Mapping)",
            "    tail = run.info_tail",
        ]
        if any(field.condition for field in object_plan.fields):
            lines.append("    variables = run.variables")
        for position, field in enumerate(object_plan.fields):
            name = f"{index}_{position}"
            block = _field(name, f"TYPE{index}", field, namespace, index_of)
            if field.condition:
                lines.append(f"    if {_test(field.condition)}:")
                block = ["    " + line for line in block]
            lines += block
        lines.append("    return out")
    source = "\n".join(lines) + "\n"
    exec(compile(source, filename, "exec"), namespace)
    for index, object_plan in enumerate(objects):
        object_plan.fill = namespace[f"fill{index}"]
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    weakref.finalize(plan.root.fill, linecache.cache.pop, filename, None)
    plan.size = (
        _BYTES_PER_PLAN + _BYTES_PER_CHARACTER * len(source) + _BYTES_PER_FIELD * plan.fields
    )


def _test(condition: Condition) -> str:
    """The Python test of a field's conditions (every variable is a bool by then)."""
    return " and ".join(
        f"variables[{name!r}]" if value else f"not variables[{name!r}]"
        for name, value in sorted(condition)
    )


def _field(
    index: str,
    type_name: str,
    field: FieldPlan,
    namespace: dict[str, Any],
    index_of: dict[int, int],
) -> list[str]:
    """The block of one field; `index` names its objects in the namespace, `type_name`
    the variable holding its parent type's name."""
    key = repr(field.key)
    namespace[f"F{index}"] = field
    if field.typename:
        return [f"    out[{key}] = {type_name}"]
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
            info = f"new(Info, (*H{index}, new(Path, (path, {key}, {type_name})), *tail))"
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
        at = f"Path(path, {key}, {type_name})"
        lines.append(f"        value = run.call_value(F{index}, value, {at})")
        lines.append(f"        out[{key}] = run.later_or_complete(F{index}, value, out, path)")
    if completion.object is not None:
        # An object that is neither awaitable nor an exception: its plan, directly.
        child = f"fill{index_of[id(completion.object)]}"
        lines.append(
            "    elif value is not Undefined and not isinstance(value, Exception)"
            " and not run.is_awaitable(value):"
        )
        at = f"new(Path, (path, {key}, {type_name}))"
        lines.append(f"        out[{key}] = {child}(run, value, {at})")
    lines += [
        "    else:",
        f"        out[{key}] = run.later_or_complete(F{index}, value, out, path)",
    ]
    return lines
