"""The `db` tier: the app in-process, on a database of its own on the test MariaDB
(TEST_MARIADB_URL), once per source unless a test pins one."""
