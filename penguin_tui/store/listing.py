"""The SQL of a store listing: every row, or those at or after a time, in an order, at most N."""

from __future__ import annotations


def listing_sql(
    select: str, time_column: str, order_by: str, since: float | None, limit: int | None
) -> tuple[str, list[object]]:
    """``select`` with ``WHERE <time_column> >= since`` (when ``since`` is given), ``ORDER BY
    order_by`` and ``LIMIT limit`` (when given); the SQL and its parameters."""
    sql = select
    params: list[object] = []
    if since is not None:
        sql += f" WHERE {time_column} >= ?"
        params.append(since)
    sql += f" ORDER BY {order_by}"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    return sql, params
