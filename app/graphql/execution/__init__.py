"""Running an operation: the compiled executor and graphql-core's (the spec: docs/executor.md).

`GRAPHQL_EXECUTOR=compiled` (the default) runs most requests from a plan, the work
graphql-core would do for one operation of one document, worked out once and compiled into
Python functions. Its one promise is that nobody can tell it is there: every request gets
the status and the bytes graphql-core would give it (`GRAPHQL_EXECUTOR=core`).

A request takes one of four paths. First sight: a document not run before runs on
graphql-core. Compiled: the second time, its operation's plan is built (`planner` builds a
`plan`, reading each resolver's code with `resolver_code`; `codegen` compiles it; once per
document, within GRAPHQL_CACHE_BYTES) and `runner` runs it (`plan_run`) from graphql-core's
`execute`. Direct: from then on the endpoint runs the plan itself (`runner.run_planned`),
with the operation and variables found and coerced as graphql-core does. Fallback: whatever
a plan does not cover, and any error while a plan runs, goes to graphql-core from the start,
so errors, their order and paths are graphql-core's own. graphql-core's path is `chunked`:
its executor, completing long lists a chunk at a time so that one large list does not hold
the event loop.
"""
