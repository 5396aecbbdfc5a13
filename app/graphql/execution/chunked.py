"""graphql-core's executor, producing long lists a chunk at a time.

graphql-core completes a list in one synchronous loop: a customer with 20,000 purchases
holds the event loop for as long as their `items` take to complete, and `/health` and
every other request wait. Past `CHUNK` items, this completes the list a chunk at a time
and lets the event loop run in between. The answer is the same, errors and their paths
included: each chunk is completed by graphql-core itself, told where the chunk starts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from typing import Any, cast

from graphql import ExecutionContext, FieldNode, GraphQLList, GraphQLOutputType, GraphQLResolveInfo
from graphql.pyutils import Path

CHUNK = 200


class ChunkedExecutionContext(ExecutionContext):
    def complete_list_value(
        self,
        return_type: GraphQLList[GraphQLOutputType],
        field_nodes: list[FieldNode],
        info: GraphQLResolveInfo,
        path: Path,
        result: Any,
    ) -> Any:
        if not isinstance(result, Sequence) or len(result) <= CHUNK:
            return super().complete_list_value(return_type, field_nodes, info, path, result)
        complete_chunk = super().complete_list_value

        async def in_chunks() -> list[Any]:
            completed: list[Any] = []
            for start in range(0, len(result), CHUNK):
                if start:
                    await asyncio.sleep(0)
                at = cast(Path, _Shifted(path, start))
                chunk = complete_chunk(
                    return_type, field_nodes, info, at, result[start : start + CHUNK]
                )
                completed += await chunk if isinstance(chunk, Awaitable) else chunk
            return completed

        return in_chunks()


class _Shifted:
    """The list's path, as seen by a chunk that starts at `offset`: graphql-core asks the
    path for each item's key and nothing else."""

    __slots__ = ("offset", "path")

    def __init__(self, path: Path, offset: int) -> None:
        self.path = path
        self.offset = offset

    def add_key(self, key: int, typename: str | None = None) -> Path:
        return self.path.add_key(key + self.offset, typename)
