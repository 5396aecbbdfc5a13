"""The documents of the reference docs run unchanged and answer in the documented shape."""

from __future__ import annotations

import json

from tests import expected
from tests.helpers import Api, data_of
from tests.paths import SPEC


def document(name: str) -> str:
    return (SPEC / name).read_text()


def test_single_item_example_gives_the_documented_response(api: Api) -> None:
    response = api.bagisto(document("bagisto-item-example.graphql"))

    assert response.status_code == 200
    assert response.json() == json.loads(document("bagisto-item-example.response.json"))


def test_single_item_query_with_download_url(api: Api, source: str) -> None:
    item = data_of(api.bagisto(document("bagisto-item.graphql")))["customerDownloadableProduct"]

    assert item["downloadUrl"] == expected.download_url(source, 1)
    assert item["_id"] == 1
    assert item["order"] == {
        "_id": 101,
        "incrementId": "101",
        "status": "completed",
        "grandTotal": 29.99,
    }


def test_single_item_curl_example(api: Api) -> None:
    item = data_of(api.bagisto(document("bagisto-item-curl.graphql")))[
        "customerDownloadableProduct"
    ]

    assert set(item) == {
        "_id", "productName", "name", "fileName", "type", "downloadBought", "downloadUsed",
        "status", "downloadUrl", "remainingDownloads", "createdAt",
    }  # fmt: skip
    assert item["createdAt"] == "2025-06-15T10:30:00+00:00"


def test_list_example_gives_the_first_page_newest_first(api: Api, source: str) -> None:
    products = data_of(api.bagisto(document("bagisto-list.graphql")))[
        "customerDownloadableProducts"
    ]

    assert products["totalCount"] == 12
    assert [edge["node"]["_id"] for edge in products["edges"]] == [
        15,
        13,
        12,
        11,
        10,
        9,
        7,
        6,
        5,
        3,
    ]
    assert [edge["cursor"] for edge in products["edges"]][:3] == ["MA==", "MQ==", "Mg=="]
    assert products["pageInfo"] == {
        "startCursor": "MA==",
        "endCursor": "OQ==",
        "hasNextPage": True,
        "hasPreviousPage": False,
    }
    first = products["edges"][0]["node"]
    assert first == {
        "_id": 15,
        "productName": "Jazz Album",
        "name": "FLAC Download",
        "fileName": "jazz-album.zip",
        "type": "file",
        "downloadBought": 4,
        "downloadUsed": 1,
        "downloadCanceled": expected.canceled(source, 15),
        "status": "available",
        "remainingDownloads": expected.remaining(source, 15),
        "order": {"_id": 109, "incrementId": "109", "status": "closed"},
        "createdAt": "2025-11-11T11:11:11+00:00",
        "updatedAt": "2025-11-11T11:11:11+00:00",
    }


def test_list_curl_example(api: Api) -> None:
    products = data_of(api.bagisto(document("bagisto-list-curl.graphql")))[
        "customerDownloadableProducts"
    ]

    assert len(products["edges"]) == 10
    assert products["pageInfo"] == {"endCursor": "OQ==", "hasNextPage": True}
    assert products["totalCount"] == 12


def test_magento_example_lists_every_purchase_oldest_first(api: Api, source: str) -> None:
    response = api.magento(document("magento-list.graphql"), token=api.demo.JOHN_TOKEN)

    assert data_of(response) == {
        "customerDownloadableProducts": {
            "items": [
                {
                    "date": "2025-06-20 13:00:00",
                    "download_url": expected.download_url(source, 4),
                    "order_increment_id": "110",
                    "remaining_downloads": "Unlimited",
                    "status": "available",
                },
                {
                    "date": "2025-08-03 10:00:00",
                    "download_url": expected.download_url(source, 8),
                    "order_increment_id": "111",
                    "remaining_downloads": expected.remaining_text(source, 8),
                    "status": "expired",
                },
                {
                    "date": "2025-10-20 18:00:00",
                    "download_url": expected.download_url(source, 14),
                    "order_increment_id": "112",
                    "remaining_downloads": "4",
                    "status": "available",
                },
                {
                    "date": "2025-10-20 18:00:00",
                    "download_url": expected.download_url(source, 16),
                    "order_increment_id": "112",
                    "remaining_downloads": "Unlimited",
                    "status": "pending",
                },
            ]
        }
    }  # fmt: skip
