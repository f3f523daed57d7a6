"""A national directory database made ready on a cluster: its roles, the database, and every migration."""
from __future__ import annotations

from dataclasses import dataclass

import psycopg

from . import migrate, roles
from .pgcluster import Cluster


@dataclass(frozen=True)
class Prepared:
    name: str
    created: bool  # False: it was there, and only lacked (at most) some migrations
    migrations: list[str]  # the ones applied now


def prepare(cluster: Cluster, name: str = roles.DATABASE, upto: int | None = None) -> Prepared:
    """Make ``name`` on ``cluster`` (a primary) if it is not there, and apply the migrations it lacks."""
    with psycopg.connect(cluster.dsn(), autocommit=True) as su:
        created = roles.create_database(su, name)
    with psycopg.connect(cluster.dsn(name), autocommit=True) as conn:
        done = migrate.migrate(conn, upto)
    return Prepared(name, created, done)
