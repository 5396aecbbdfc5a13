"""GraphiQL, served by the service from files shipped in the package (app/http/static/explorer/,
copied from npm by scripts/vendor-explorer): no CDN, so it works on a closed network.

Each path opens on its platform's example query with a headers template; the browser
checks every script and style sheet against its sha256 (subresource integrity), the
page's content security policy lets it load nothing from elsewhere, and no other site may
frame it (the page holds a customer's token once one is typed in).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from functools import cache
from pathlib import Path
from typing import Any

from ariadne.explorer import Explorer
from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static" / "explorer"
ASSETS_PATH = "/_explorer"

EXAMPLES = {
    "bagisto": """\
# The signed-in customer's downloadable purchases, newest first.
# Put the customer's token and the storefront key in the Headers tab, then run.
query CustomerDownloads {
  customerDownloadableProducts(first: 10) {
    edges {
      node {
        _id
        productName
        name
        fileName
        remainingDownloads
        status
        order { incrementId }
      }
    }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}
""",
    "magento": """\
# The signed-in customer's downloadable products, as Magento's storefront asks for them.
# Put the customer's token in the Headers tab, then run.
query CustomerDownloads {
  customerDownloadableProducts {
    items {
      date
      download_url
      order_increment_id
      remaining_downloads
      status
    }
  }
}
""",
}
TITLES = {"bagisto": "Bagisto GraphQL", "magento": "Magento GraphQL"}
TOKEN_PLACEHOLDER = "Bearer <customer token>"
KEY_PLACEHOLDER = "<storefront key>"

# 'unsafe-inline' styles: GraphiQL and CodeMirror set style attributes as they draw.
# Sent as headers: a <meta> policy cannot say frame-ancestors.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",  # for browsers that predate frame-ancestors
    "X-Content-Type-Options": "nosniff",
}
_SCRIPTS = ("react.production.min.js", "react-dom.production.min.js", "graphiql.min.js")


def assets() -> StaticFiles:
    return StaticFiles(directory=STATIC)


@cache
def _integrity(name: str) -> str:
    digest = hashlib.sha256((STATIC / name).read_bytes()).digest()
    return "sha256-" + base64.b64encode(digest).decode()


class ServiceExplorer(Explorer):
    def __init__(self, platform: str, *, storefront_keys: bool) -> None:
        headers = {"Authorization": TOKEN_PLACEHOLDER}
        if storefront_keys:
            headers["X-STOREFRONT-KEY"] = KEY_PLACEHOLDER
        self.title = f"{TITLES[platform]} · downloads-api"
        self.config = json.dumps(
            {
                "query": EXAMPLES[platform],
                "headers": json.dumps(headers, indent=2),
                "title": TITLES[platform],  # in GraphiQL's header, where its logo would be
            }
        ).replace("<", "\\u003c")  # no "</script>" can close the element early

    def html(self, request: Any) -> str:
        base = request.scope.get("root_path", "") + ASSETS_PATH

        def tag(name: str) -> str:
            attributes = f'integrity="{_integrity(name)}" crossorigin="anonymous"'
            if name.endswith(".css"):
                return f'<link rel="stylesheet" href="{base}/{name}" {attributes}>'
            return f'<script src="{base}/{name}" {attributes}></script>'

        return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(self.title)}</title>
{tag("graphiql.min.css")}
<style>body {{ margin: 0; }} #explorer {{ height: 100vh; }}</style>
</head>
<body>
<div id="explorer">Loading the explorer…</div>
<script id="explorer-config" type="application/json">{self.config}</script>
{"".join(tag(name) + chr(10) for name in (*_SCRIPTS, "explorer.js"))}</body>
</html>
"""
