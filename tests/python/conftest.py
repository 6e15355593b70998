"""Test-wide guards: no network, ever."""

from __future__ import annotations

import socket

import pytest


class NetworkBlocked(RuntimeError):
    pass


_ALLOWED_FAMILIES = {getattr(socket, "AF_UNIX", None)}


def _guarded(original):
    def connect(self, address, *args, **kwargs):
        if self.family in _ALLOWED_FAMILIES:
            return original(self, address, *args, **kwargs)
        raise NetworkBlocked(f"network access blocked in tests: connect to {address!r}")

    return connect


@pytest.fixture(autouse=True, scope="session")
def _block_network():
    patched = {
        "connect": socket.socket.connect,
        "connect_ex": socket.socket.connect_ex,
    }
    socket.socket.connect = _guarded(patched["connect"])
    socket.socket.connect_ex = _guarded(patched["connect_ex"])
    original_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        raise NetworkBlocked(f"network access blocked in tests: resolve {host!r}")

    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        socket.socket.connect = patched["connect"]
        socket.socket.connect_ex = patched["connect_ex"]
        socket.getaddrinfo = original_getaddrinfo
