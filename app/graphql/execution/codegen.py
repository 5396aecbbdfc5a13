"""Python source for a plan: the selection of each object type, unrolled.

A plan's fields are known when it is built, so the loop over them is written out once as
a function per object plan, one block per field, in graphql-core's key order: the
field's `@skip`/`@include` conditions, reading the attribute or calling the resolver,
and the common completions (null, a str or bool of a String, ID or Boolean field, an
Int in range) inline. Everything else goes to the run's `complete`
(app/graphql/execution/plan_run.py), which also takes resolver results that are awaitable.

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
from types import CodeType
from typing import Any

from graphql import GraphQLResolveInfo
from graphql.pyutils import Path, Undefined

from app.graphql.execution.plan import Condition, FieldPlan, Plan
from app.graphql.sized_cache import SizedCache

_MIN_INT, _MAX_INT = -(2**31), 2**31 - 1
_numbers = itertools.count(1)

# Bytes a compiled plan keeps besides its code (kept and counted apart): field
# plans, their info heads, the functions and their namespaces. Fitted with tracemalloc
# over the clients' documents and large generated ones; tests/unit/test_cache_budget.py
# checks it. Code costs some 6 bytes a character of its source.
_BYTES_PER_FIELD = 1200
_BYTES_PER_PLAN = 2048
_BYTES_PER_CHARACTER = 6


def compile_plan(plan: Plan, code: SizedCache) -> None:
    """Compiles every object plan of `plan` into its `fill` function, reusing what `code`
    holds (compiled sources by their whole text), and estimates the bytes the plan keeps
    besides its code in `plan.size`."""
    # Children first: a parent's namespace holds its children's functions.
    for object_plan in reversed(plan.objects()):
        namespace: dict[str, Any] = {**_BUILTINS, "TYPE": object_plan.type.name}
        lines = [
            "def fill(run, source, path):",
            "    out = {}",
            "    mapping = type(source) is dict or isinstance(source, Mapping)",
            "    tail = run.info_tail",
        ]
        if any(field.condition for field in object_plan.fields):
            lines.append("    variables = run.variables")
        for index, field in enumerate(object_plan.fields):
            block = _field(str(index), "TYPE", field, namespace)
            if field.condition:
                lines.append(f"    if {_test(field.condition)}:")
                block = ["    " + line for line in block]
            lines += block
        lines.append("    return out")
        source = "\n".join(lines) + "\n"
        exec(_compiled(source, code), namespace)
        object_plan.fill = namespace["fill"]
    plan.size = _BYTES_PER_PLAN + _BYTES_PER_FIELD * plan.fields


_BUILTINS: dict[str, Any] = {
    "Mapping": Mapping,
    "Path": Path,
    "isfinite": isfinite,
    "new": tuple.__new__,
    "Info": GraphQLResolveInfo,
    "Undefined": Undefined,
}
# Compiled sources are kept by their whole text, which says everything the code does: the
# objects it uses come from each function's own namespace. Documents of one storefront
# select the same shapes again and again, and a document often repeats one (aliases,
# fragments): compiling costs some 0.1 ms a field, looking up a text far less.


def _compiled(source: str, cache: SizedCache) -> CodeType:
    code: CodeType | None = cache.get(source)
    if code is None:
        filename = f"<plan {next(_numbers)}>"
        code = compile(source, filename, "exec")
        cache.put(source, code, _BYTES_PER_CHARACTER * len(source))
        # Tracebacks show the generated lines for as long as the code lives.
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        weakref.finalize(code, linecache.cache.pop, filename, None)
    return code


def _test(condition: Condition) -> str:
    """The Python test of a field's conditions (every variable is a bool by then)."""
    return " and ".join(
        f"variables[{name!r}]" if value else f"not variables[{name!r}]"
        for name, value in sorted(condition)
    )


def _field(index: str, type_name: str, field: FieldPlan, namespace: dict[str, Any]) -> list[str]:
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
        child = f"FILL{index}"
        namespace[child] = completion.object.fill
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
