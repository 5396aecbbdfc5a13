"""The operation labels of /metrics: a name's own characters only, and a bounded number of
labels, where the names real clients send keep theirs."""

from __future__ import annotations

from app.observability.metrics import OperationLabels


def test_operation_label_keeps_name_characters_only() -> None:
    label = OperationLabels()
    assert label("Evil\x00\r\n{name}" + "x" * 500, customer_id=1) == "Evilname" + "x" * 56
    assert label(None) == label("") == label("\x00") == ""


def test_known_names_keep_their_labels_however_full_the_rest_is() -> None:
    label = OperationLabels(known=("ShopDownloads",), limit=3, per_customer=2)

    given = [label(f"Op{n}", customer_id=n // 2) for n in range(5)]

    assert given == ["Op0", "Op1", "Op2", "other", "other"]  # full at 3
    assert label("Op3", customer_id=1) == "other"  # customer 1 had named 2 already
    assert (label("Op1"), label("Nobody")) == ("Op1", "other")  # a label once given stays
    assert label("ShopDownloads") == "ShopDownloads"
    assert label("IntrospectionQuery") == "IntrospectionQuery"  # GraphiQL, code generators
    assert label("GetCustomerDownloadableProduct") == "GetCustomerDownloadableProduct"
