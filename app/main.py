"""The ASGI application: `uvicorn app.main:app`, configured from the environment.

A bad setting stops the process here with one line that names the variable.
"""

import os
import sys

from app.application import create_app
from app.observability import tracing
from app.observability.logs import configure_logging
from app.settings import SettingsError, load_settings

try:
    settings = load_settings()
except SettingsError as error:
    print(f"downloads-api: {error}", file=sys.stderr)
    raise SystemExit(2) from None

configure_logging(settings.log_format, settings.log_level)
tracing.configure(os.environ)  # off unless OTEL_* asks for it
app = create_app(settings)
