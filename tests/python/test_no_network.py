"""The suite runs with sockets blocked; prove a connection attempt really fails."""

from __future__ import annotations

import socket

import pytest

from tests.python.conftest import NetworkBlocked


def test_tcp_connect_is_blocked():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(NetworkBlocked, match=r"network access blocked in tests: connect to \('127\.0\.0\.1', 9\)"):
            s.connect(("127.0.0.1", 9))
    finally:
        s.close()


def test_name_resolution_is_blocked():
    with pytest.raises(NetworkBlocked, match="network access blocked in tests: resolve 'pypi.org'"):
        socket.getaddrinfo("pypi.org", 443)


def test_create_connection_is_blocked():
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("127.0.0.1", 9), timeout=1)


def test_duckdb_connections_have_extension_autoload_off():
    from ingest.warehouse import connect

    con = connect(":memory:")
    settings = dict(
        con.execute(
            "select name, value from duckdb_settings() where name in "
            "('autoinstall_known_extensions', 'autoload_known_extensions')"
        ).fetchall()
    )
    assert settings == {"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}
