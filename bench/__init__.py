"""The façade's cost against a floor: see bench/README.md.

`python -m bench` seeds its own MariaDB database, serves it with the service and with a
minimal Starlette app that runs the same SQL (the floor), loads both with wrk and
reports every figure as a ratio to the floor.
"""
