"""With no DATABASE_URL the service serves the embedded demo, as the README promises."""

from __future__ import annotations

import pytest

from app.settings import VARIABLES
from fixtures import bagisto, magento
from tests.helpers import Api, app_client, data_of
from tests.paths import ROOT, SPEC

SEED = (SPEC / "bagisto-list.graphql").read_text()


def test_embedded_demo_answers_the_seed_query() -> None:
    with app_client() as client:
        products = data_of(Api(client).bagisto(SEED))["customerDownloadableProducts"]

    assert products["totalCount"] == 12
    assert products["edges"][0]["node"]["productName"] == "Jazz Album"


def test_embedded_magento_demo_answers_with_its_built_in_deployment_key() -> None:
    query = "{ customerDownloadableProducts { items { order_increment_id remaining_downloads } } }"

    with app_client(source="magento") as client:
        listed = data_of(Api(client, magento).magento(query, token=magento.JANE_TOKEN))

    assert len(listed["customerDownloadableProducts"]["items"]) == 12


def test_embedded_demo_is_read_only() -> None:
    import sqlite3

    import sqlalchemy as sa

    with app_client() as client:
        database = client.app.state.database  # type: ignore[attr-defined]
        # fetch_all sends the statement as it is: a writable file would delete the keys.
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            client.portal.call(database.fetch_all, sa.text("DELETE FROM storefront_keys"))


def test_readme_hands_out_the_demo_credentials() -> None:
    readme = (ROOT / "README.md").read_text().replace("\\|", "|")  # unescape table cells

    for credential in (
        bagisto.JANE_TOKEN,
        bagisto.SHOP_KEY,
        bagisto.EMMA_TOKEN,
        magento.JANE_TOKEN,
        magento.JOHN_TOKEN,
        magento.EMMA_TOKEN,
        magento.LENA_TOKEN,
        magento.JANE_OPAQUE_TOKEN,
    ):
        assert credential in readme


def test_readme_documents_every_setting() -> None:
    readme = (ROOT / "README.md").read_text()

    assert [name for name in VARIABLES if f"| `{name}` |" not in readme] == []


def test_readmes_magento_curl_answers_on_the_magento_demo() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("A Magento PWA's query on it:") :]
    body = section[section.index("-d '") + 4 : section.index("}'\n") + 1]

    with app_client(source="magento") as client:
        response = client.post(
            "/graphql",
            content=body,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {magento.JANE_TOKEN}",
            },
        )

    assert len(data_of(response)["customerDownloadableProducts"]["items"]) == 12
