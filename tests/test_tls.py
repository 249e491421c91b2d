"""The TLS context of every connection to the Bot API (bot/telegram/tls.py): made in a thread from the
start, it must still be the verifying context httpx would make, and a failure to make it must reach
the caller that needs it, not vanish in the thread."""

from __future__ import annotations

import ssl

import httpx
import pytest

from bot.telegram import tls


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that has not begun making the context yet."""
    monkeypatch.setattr(tls, "_context", None)


def test_the_context_verifies_telegrams_certificate_and_hostname(fresh: None) -> None:
    context = tls.context()
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 0  # certifi's bundle is loaded


def test_it_is_made_once_however_often_it_is_asked_for(fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[ssl.SSLContext] = []
    real = httpx.create_ssl_context

    def counting() -> ssl.SSLContext:
        made.append(real())
        return made[-1]

    monkeypatch.setattr(httpx, "create_ssl_context", counting)
    tls.start()
    tls.start()
    assert tls.context() is tls.context()
    assert len(made) == 1


def test_a_failure_in_the_thread_is_raised_where_the_context_is_needed(
    fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> ssl.SSLContext:
        raise ssl.SSLError("no CA bundle")

    monkeypatch.setattr(httpx, "create_ssl_context", broken)
    tls.start()
    with pytest.raises(ssl.SSLError, match="no CA bundle"):
        tls.context()
