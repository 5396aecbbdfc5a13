"""The ASGI application: `uvicorn app.main:app`, configured from the environment."""

from app.application import create_app
from app.settings import load_settings

app = create_app(load_settings())
