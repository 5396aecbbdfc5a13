"""The demo data (fixtures/) creates every column the sources read: `downloads-api check`
and the db tier rely on it."""

from __future__ import annotations

from fixtures import bagisto, magento


def test_demo_modules_agree_with_the_sources_tables() -> None:
    # The check reads `source.tables`; the fixtures must create every one of those columns.
    from app.sources.bagisto import BagistoSource
    from app.sources.magento import MagentoSource

    for source, module in ((BagistoSource, bagisto), (MagentoSource, magento)):
        for table in source.tables:
            created = module.metadata.tables[table.name]
            assert {c.name for c in table.columns} <= {c.name for c in created.columns}
