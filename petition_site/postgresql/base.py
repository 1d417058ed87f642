"""Django's PostgreSQL backend, saying why the database cannot be reached. With psycopg's
pool (settings.py) a connection that cannot be made only surfaces as the pool's timeout,
"couldn't get a connection after 5.00 sec"; the cause, such as 'database "petitions" does
not exist', goes to the pool's warnings alone. So on a timeout this backend tries one direct
connection with the same settings and adds what it fails with, to the error that readyz,
the 503 page's log line and a failing `manage.py migrate` show."""

import psycopg
from django.db.backends.postgresql import base
from psycopg_pool import PoolTimeout

# Seconds the direct attempt may take (libpq's least is 2), on top of the pool's timeout.
DIAGNOSIS_TIMEOUT = 2


def connection_failure(conn_params: dict) -> str | None:
    """What a new connection with these parameters fails with, or None if it succeeds."""
    try:
        psycopg.connect(**{**conn_params, "connect_timeout": DIAGNOSIS_TIMEOUT}).close()
    except psycopg.Error as error:
        return str(error).strip()
    return None


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        try:
            return super().get_new_connection(conn_params)
        except PoolTimeout as timeout:
            failure = connection_failure(conn_params)
            if failure is None:  # the database answers: the pool's connections are all busy
                raise
            raise PoolTimeout(f"{timeout}; a new connection fails: {failure}") from timeout
