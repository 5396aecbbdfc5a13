"""The service's own environment variables, each declared once: its name, cast (with its
bounds), default and meaning, in the words of the README's configuration table, which is
generated from them (`downloads-api settings`). `Settings` ties each to its field; each
source declares its own in its module."""

from __future__ import annotations

from typing import Literal

from app.settings.casts import NETWORKS, ORIGINS, SOURCE_NAME
from app.sources.variables import Variable, boolean, choice, names, number, url, whole_number

# What DATABASE_URL and DATABASE_REPLICA_URL may start with.
DATABASE_URL_SCHEMES = ("mysql://", "mysql+asyncmy://", "mysql+aiomysql://", "sqlite:")
_DATABASE_REFUSAL = (
    "{name} must look like mysql://user:password@host:3306/database"
    " (or sqlite:///path for a local file)"
)

DATABASE_URL = Variable(
    "DATABASE_URL",
    url(DATABASE_URL_SCHEMES, _DATABASE_REFUSAL),
    None,
    (
        "`mysql://user:password@host:3306/database` (MySQL or MariaDB; `?min_size=`, `?max_size=`"
        " size the pool; the scheme names the driver: `mysql+asyncmy://` or `mysql+aiomysql://`,"
        " and plain `mysql://` is asyncmy), or `sqlite:///path`"
    ),
    "the embedded demo",
)
DATABASE_REPLICA_URL = Variable(
    "DATABASE_REPLICA_URL",
    url(DATABASE_URL_SCHEMES, _DATABASE_REFUSAL),
    None,
    (
        "a read replica, same form: purchase lists and items are read there, while tokens and"
        " storefront keys are still read from `DATABASE_URL`, so that a customer who has just"
        " signed in is never refused for replication lag; while it is down or stalled, the primary"
        " serves its reads"
    ),
)
DATABASE_CONNECT_TIMEOUT = Variable(
    "DATABASE_CONNECT_TIMEOUT",
    number(),
    5.0,
    "seconds to wait for a database connection before answering 503",
)
DATABASE_STATEMENT_TIMEOUT = Variable(
    "DATABASE_STATEMENT_TIMEOUT",
    number(),
    5.0,
    "seconds one statement may run; the server cancels it and the request gets 503 (`0`: no limit)",
)
SHUTDOWN_DRAIN_SECONDS = Variable(
    "SHUTDOWN_DRAIN_SECONDS",
    number(),
    0.0,
    (
        'after SIGTERM, seconds the process keeps serving with `/ready` at 503 (`{"status":'
        ' "draining"}`) before it stops accepting connections; set it to how long the load'
        " balancer takes to notice"
    ),
)
SOURCE = Variable(
    "SOURCE", SOURCE_NAME, "bagisto", "the platform whose tables are read: `bagisto` or `magento`"
)
PUBLIC_BASE_URL = Variable(
    "PUBLIC_BASE_URL",
    url(
        ("http://", "https://"),
        "{name} must start with http:// or https://, got {url!r}",
        trailing="/",
    ),
    None,
    (
        "scheme and host the download URLs are built on, e.g. `https://shop.example.com`"
        " (Magento: only where its configuration sets no base URL)"
    ),
    "the request's own",
)
DEFAULT_PAGE_SIZE = Variable(
    "DEFAULT_PAGE_SIZE",
    whole_number(minimum=1),
    10,
    "page size when neither `first` nor `last` is given",
)
MAX_PAGE_SIZE = Variable(
    "MAX_PAGE_SIZE", whole_number(minimum=1), 1000, "largest `first`/`last`/`per_page` accepted"
)
MAX_ROWS_IN_FLIGHT = Variable(
    "MAX_ROWS_IN_FLIGHT",
    whole_number(minimum=1),
    1000,
    (
        "rows of large pages (over 100 rows) a worker completes at a time; more wait their turn,"
        " at most `DATABASE_CONNECT_TIMEOUT` (then 503), while small pages never wait"
        " (`docs/deploy.md`)"
    ),
)
STOREFRONT_KEY_CACHE_SECONDS = Variable(
    "STOREFRONT_KEY_CACHE_SECONDS",
    number(),
    60.0,
    "how long a storefront key lookup is reused; `0` turns the cache off",
)
MAX_QUERY_DEPTH = Variable(
    "MAX_QUERY_DEPTH",
    whole_number(minimum=1),
    20,
    "query depth limit, counted as Magento counts it",
)
MAX_QUERY_COMPLEXITY = Variable(
    "MAX_QUERY_COMPLEXITY", whole_number(minimum=1), 300, "number of fields a query may select"
)
MAX_QUERY_TOKENS = Variable(
    "MAX_QUERY_TOKENS",
    whole_number(minimum=100),
    500,
    (
        "lexical tokens a query document may have (real clients' documents hold 15 to 60,"
        " GraphiQL's introspection query 160)"
    ),
)
MAX_QUERY_LENGTH = Variable(
    "MAX_QUERY_LENGTH",
    whole_number(minimum=1024),
    8192,
    "characters a query document may have (GraphiQL's introspection query has 1,700)",
)
MAX_QUERY_ALIASES = Variable(
    "MAX_QUERY_ALIASES", whole_number(), 30, "aliased fields a query document may have"
)
MAX_ROOT_FIELDS = Variable(
    "MAX_ROOT_FIELDS", whole_number(minimum=1), 10, "fields an operation may select at its root"
)
MAX_LIST_SELECTIONS = Variable(
    "MAX_LIST_SELECTIONS",
    whole_number(minimum=1),
    2,
    (
        "times an operation may select a list of purchases (`items`, `edges`), through aliases"
        " and fragments"
    ),
)
MAX_BODY_BYTES = Variable(
    "MAX_BODY_BYTES",
    whole_number(minimum=1024),
    64 * 1024,
    "largest request body; larger ones get 413",
)
MAX_BODY_SECONDS = Variable(
    "MAX_BODY_SECONDS",
    number(),
    10.0,
    (
        "how long a request body may take to arrive, from the start of the request; slower ones"
        " get 408"
    ),
)
BATCH_SIZE = Variable(
    "BATCH_SIZE",
    whole_number(),
    0,
    "operations a JSON array body may hold; `0` refuses arrays, as both platforms do",
)
INTROSPECTION = Variable(
    "INTROSPECTION",
    boolean(),
    True,
    'answer `__schema`/`__type` queries (`false` also hides "Did you mean" hints)',
)
EXPLORER = Variable(
    "EXPLORER", boolean(), True, "show GraphiQL on `GET` (only while introspection is on)"
)
MAGENTO_UNAUTHORIZED_STATUS = Variable(
    "MAGENTO_UNAUTHORIZED_STATUS",
    whole_number(one_of=(200, 403)),
    200,
    "HTTP status of Magento's authorization error: `200` (2.4.0–2.4.8) or `403` (2.4.9)",  # noqa: RUF001
)
REDIS_URL = Variable(
    "REDIS_URL",
    url(
        ("redis://", "rediss://", "unix://"),
        "{name} must look like redis://host:6379/0, got {url!r}",
    ),
    None,
    (
        "`redis://host:6379/0`: storefront key lookups and rate-limit counts shared by every"
        " worker and replica (else each process keeps its own); while Redis is down or stalled,"
        " each process keeps its own (see [docs/deploy.md](docs/deploy.md))"
    ),
)
LOG_FORMAT: Variable[Literal["json", "text"]] = Variable(
    "LOG_FORMAT",
    choice("json", "text"),
    "json",
    "`json`: one JSON object a line, for log shippers; `text`: plain lines",
)
LOG_LEVEL = Variable(
    "LOG_LEVEL",
    choice("DEBUG", "INFO", "WARNING", "ERROR"),
    "INFO",
    "`DEBUG`, `INFO`, `WARNING` or `ERROR`",
)
CORS_ALLOW_ORIGINS = Variable(
    "CORS_ALLOW_ORIGINS",
    ORIGINS,
    ("*",),
    (
        "comma-separated origins browsers may call the API from, as browsers send them"
        " (`https://shop.example.com`: no path, no trailing slash, lower case; any other form is"
        " refused at start), or `*`"
    ),
)
METRICS_ALLOW = Variable(
    "METRICS_ALLOW",
    NETWORKS,
    (),
    (
        "comma-separated addresses or networks (`10.0.0.0/8, 127.0.0.1`) that `/metrics` answers;"
        " others get 403"
    ),
    "any",
)
METRICS_OPERATIONS = Variable(
    "METRICS_OPERATIONS",
    names(),
    (),
    (
        "comma-separated GraphQL operation names that always get a metrics label of their own"
        " (your storefront's), beside the known clients'"
    ),
)
GRAPHQL_EXECUTOR: Variable[Literal["compiled", "core"]] = Variable(
    "GRAPHQL_EXECUTOR",
    choice("compiled", "core"),
    "compiled",
    (
        "`compiled`: each document that comes back runs from a plan built once for it"
        " (`app/graphql/execution/planner.py`, `app/graphql/execution/runner.py`; see"
        " [docs/executor.md](docs/executor.md)), with graphql-core's exact answers, about 5 times"
        " less CPU per node; `core`: graphql-core alone (for comparison, or as a safety valve)"
    ),
)
GRAPHQL_CACHE_BYTES = Variable(
    "GRAPHQL_CACHE_BYTES",
    whole_number(minimum=1024 * 1024),
    64 * 1024 * 1024,
    (
        "bytes one worker keeps of the documents it has seen: parsed, validated, their plans and"
        " introspection answers, least recently used dropped first"
    ),
    "`67108864` (64 MiB)",
)
