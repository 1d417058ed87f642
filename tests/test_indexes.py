"""Every index on the site's tables earns its upkeep: none is a leading part of another on
the same table, which would serve its queries while each write updated both."""

import pytest
from django.db import connection

# Each non-unique index of the site's tables, with its columns (0 for an expression) and
# those of every other index on its table.
INDEXES = """
SELECT t.relname, i.relname, x.indkey::int2[], x.indisunique,
       x.indexprs IS NOT NULL OR x.indpred IS NOT NULL
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = 'public' AND t.relname LIKE 'petitions\\_%'
"""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's catalogue")
def test_no_index_is_the_leading_part_of_another(db):
    with connection.cursor() as cursor:
        cursor.execute(INDEXES)
        indexes = cursor.fetchall()
    assert any(name == "signature_signed_idx" for _, name, *_ in indexes)
    redundant = [
        (name, other)
        for table, name, columns, unique, partial in indexes
        if not unique and not partial and 0 not in columns
        for other_table, other, other_columns, _, _ in indexes
        if other_table == table
        and other != name
        and len(other_columns) > len(columns)
        and other_columns[: len(columns)] == columns
    ]
    assert redundant == []
