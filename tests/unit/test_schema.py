"""One schema.graphql, one view per path (docs/behaviour.md §3).

- Each path introspects as its committed snapshot in docs/schema/ (on both sources'
  embedded demos).
- The /graphql view is Magento 2.4's slice plus ScandiPWA's three fields, and nothing of
  Bagisto; the /api/graphql view is Bagisto's, and nothing of Magento. Both are compared
  with the platforms' own schemas (tests/platforms/).
- The resolvers agree with the views: no field of a record type silently resolves to null,
  and a resolver for a field no view has stops the service at start.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from graphql import (
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    build_client_schema,
    build_schema,
    default_field_resolver,
    get_introspection_query,
    parse,
    print_schema,
)
from starlette.testclient import TestClient

from app.graphql.views import View, build_views, print_views, snapshot, view_document
from resolvers import bindables
from resolvers.bindable import Resolvers
from tests import fake
from tests.helpers import app_client
from tests.paths import PLATFORMS, ROOT

SNAPSHOTS = ROOT / "docs" / "schema"
VIEWS = build_views(bindables)

# What docs/behaviour.md §3 adds to Magento's slice: ScandiPWA's backend module's fields.
SCANDIPWA_FIELDS = {"CustomerDownloadableProduct": {"title", "link_title", "order_id"}}

AT = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)

ORDER = fake.order(
    7,
    when=AT,
    increment_id="000000007",
    grand_total=Decimal("1.5"),
    base_grand_total=Decimal("1.5"),
    sub_total=Decimal("1.5"),
    order_currency_code="EUR",
    base_currency_code="EUR",
    customer_email="a@example.com",
    customer_first_name="A",
    customer_last_name="B",
)

PURCHASE = fake.purchase(
    3,
    customer_id=4,
    order=ORDER,
    order_item_id=8,
    product_name="Book",
    url="https://example.com/book",
    file="downloadable/book.pdf",
    file_name="book.pdf",
    download_bought=5,
    download_canceled=1,
    created_at=AT,
    updated_at=AT,
    download_path="/download/3",
)


@pytest.fixture(scope="module")
def client(source: str) -> Iterator[TestClient]:
    """The embedded demo of `source` (its store views too): introspection reads no data."""
    with app_client(source=source) as client:
        yield client


def introspect(client: TestClient, path: str) -> GraphQLSchema:
    """The schema a client builds from a path's introspection (no token or key needed)."""
    response = client.post(path, json={"query": get_introspection_query(descriptions=True)})
    assert response.status_code == 200, response.text
    return build_client_schema(response.json()["data"])


def shape(schema: GraphQLSchema) -> dict[str, dict[str, Any]]:
    """What a client or a gateway relies on, descriptions aside: each type's kind and
    interfaces, its fields' types and their arguments' types."""
    shapes = {}
    for name, named in schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        shapes[name] = {"kind": type(named).__name__, **_fields(named)}
    return shapes


def _fields(named: GraphQLNamedType) -> dict[str, Any]:
    if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        return {}
    return {
        "interfaces": sorted(i.name for i in named.interfaces),
        "fields": {
            name: (str(f.type), {arg: str(a.type) for arg, a in f.args.items()})
            for name, f in named.fields.items()
        },
    }


def platform(name: str) -> GraphQLSchema:
    return build_schema((PLATFORMS / name).read_text())


@pytest.mark.parametrize("view", list(View), ids=lambda view: view.path)
def test_each_path_introspects_as_its_committed_snapshot(client: TestClient, view: View) -> None:
    served = snapshot(view, print_schema(introspect(client, view.path)))

    assert served == (SNAPSHOTS / view.snapshot).read_text(), (
        f"{view.path} no longer serves docs/schema/{view.snapshot}: if the change is "
        "meant, run `python -m app.graphql.views docs/schema` and commit the snapshot"
    )


@pytest.mark.parametrize("source", ["magento"], indirect=True, scope="session")
def test_a_store_code_path_introspects_as_the_magento_snapshot(client: TestClient) -> None:
    view = View.MAGENTO
    served = snapshot(view, print_schema(introspect(client, "/fr/graphql")))

    assert served == (SNAPSHOTS / view.snapshot).read_text()


def test_snapshots_are_the_views_as_built() -> None:
    assert {view.snapshot: text for view, text in print_views(VIEWS).items()} == {
        path.name: path.read_text() for path in SNAPSHOTS.glob("*.graphql")
    }


def test_magento_view_is_magentos_slice_plus_scandipwas_fields(client: TestClient) -> None:
    ours = shape(introspect(client, "/graphql"))
    magento = shape(platform("magento-2.4.graphql"))

    assert ours.keys() == magento.keys()  # no Bagisto type: no connection, no CustomerOrder
    for name, theirs in magento.items():
        added = set(ours[name]["fields"]) - set(theirs["fields"])
        assert added == SCANDIPWA_FIELDS.get(name, set()), name
        # No field of Magento's missing, none typed differently, no argument added.
        assert {f: ours[name]["fields"][f] for f in theirs["fields"]} == theirs["fields"], name
        assert ours[name]["kind"] == theirs["kind"]
        assert ours[name]["interfaces"] == theirs["interfaces"]
    assert ours["CustomerDownloadableProduct"]["fields"]["order_id"] == ("Int", {})
    assert ours["CustomerDownloadableProduct"]["fields"]["title"] == ("String", {})
    assert ours["CustomerDownloadableProduct"]["fields"]["link_title"] == ("String", {})


def test_bagisto_view_is_bagistos_schema(client: TestClient) -> None:
    ours = shape(introspect(client, "/api/graphql"))

    assert ours == shape(platform("bagisto-api.graphql"))
    # Nothing of Magento's: no `items`, no snake_case field.
    fields = {f for type_ in ours.values() for f in type_.get("fields", {})}
    assert "items" not in fields
    assert [f for f in fields if "_" in f.lstrip("_")] == []


@pytest.mark.parametrize(
    ("view", "type_name", "record"),
    [
        (View.MAGENTO, "CustomerDownloadableProduct", PURCHASE),
        (View.BAGISTO, "CustomerDownloadableProduct", PURCHASE),
        (View.BAGISTO, "CustomerOrder", ORDER),
    ],
)
def test_every_field_of_a_record_type_reads_a_value(
    view: View, type_name: str, record: object
) -> None:
    type_ = VIEWS[view].type_map[type_name]
    assert isinstance(type_, GraphQLObjectType)

    nulls = [
        name
        for name, definition in type_.fields.items()
        if (definition.resolve or default_field_resolver)(record, Info(name)) is None
    ]

    assert nulls == []


@dataclass
class Info:
    field_name: str
    context: Any = field(default_factory=lambda: SimpleNamespace(base_url="https://x.example"))


SDL = """
directive @view(of: View!) on OBJECT | INTERFACE
enum View { MAGENTO BAGISTO }
type Query @view(of: MAGENTO) { a: A }
type Query @view(of: BAGISTO) { a: A, b: Int }
type A { shared: Int }
"""


def test_a_view_keeps_its_own_types_and_the_unmarked_ones(tmp_path: Path) -> None:
    kept = {
        view: [d.name.value for d in view_document(parse(SDL), view).definitions] for view in View
    }
    path = tmp_path / "schema.graphql"
    path.write_text(SDL)
    views = build_views([], path)

    assert kept == {View.MAGENTO: ["Query", "A"], View.BAGISTO: ["Query", "A"]}
    assert "view" not in {d.name for view in View for d in views[view].directives}
    assert set(views[View.MAGENTO].query_type.fields) == {"a"}  # type: ignore[union-attr]
    assert set(views[View.BAGISTO].query_type.fields) == {"a", "b"}  # type: ignore[union-attr]
    assert "View" not in views[View.BAGISTO].type_map


def test_resolvers_bind_where_their_field_is_and_nowhere_else(tmp_path: Path) -> None:
    path = tmp_path / "schema.graphql"
    path.write_text(SDL)
    query = Resolvers("Query")
    query.set_field("b", lambda *_: 1)

    views = build_views([query], path)

    assert views[View.BAGISTO].query_type.fields["b"].resolve is not None  # type: ignore[union-attr]
    assert views[View.MAGENTO].query_type.fields["a"].resolve is None  # type: ignore[union-attr]


def test_a_resolver_for_a_field_no_view_has_stops_the_start(tmp_path: Path) -> None:
    path = tmp_path / "schema.graphql"
    path.write_text(SDL)
    query = Resolvers("Query")
    query.set_field("c", lambda *_: 1)

    with pytest.raises(ValueError, match=r"no schema view has: Query\.c"):
        build_views([query], path)
