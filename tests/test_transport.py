"""The bot's HTTP to the Bot API (bot/telegram/transport.py), against the Bot API double: what goes out and
what an odd or missing answer becomes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from telegram import InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData

# RequestData's parts are not exported (as in bot/telegram/polling.py).
from telegram.request._requestparameter import RequestParameter

from bot.telegram import transport
from bot.telegram.transport import MalformedAnswer, StrictRequest, UnsupportedProxy, undelivered
from tests.botapi_server import FakeBotAPI, UploadedFile
from tests.postgres import free_port

TOKEN = "4242:transport-test-token"


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Only the proxies a test sets: the machine's own would route these requests elsewhere."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    transport._proxy_for.cache_clear()
    yield
    transport._proxy_for.cache_clear()


@pytest.fixture
def server() -> Iterator[FakeBotAPI]:
    api = FakeBotAPI(token=TOKEN).start()
    try:
        yield api
    finally:
        api.stop()


@pytest.fixture
async def request_() -> AsyncIterator[StrictRequest]:
    request = StrictRequest(connection_pool_size=2, read_timeout=2.0)
    await request.initialize()
    try:
        yield request
    finally:
        await request.shutdown()


def data(**parameters: object) -> RequestData:
    return RequestData([RequestParameter.from_input(name, value) for name, value in parameters.items()])


async def test_a_reply_goes_as_json_and_its_text_arrives_whole(server: FakeBotAPI, request_: StrictRequest) -> None:
    text = "249.7 billion yuan — “基础研究” <b>&</b>"
    markup = {"inline_keyboard": [[{"text": "👍", "callback_data": "v:1"}]]}
    result = await request_.post(
        f"{server.url}/bot{TOKEN}/sendMessage", data(chat_id=7, text=text, reply_markup=markup)
    )
    [call] = server.calls("sendMessage")
    assert call.content_type == "application/json"
    assert call.params["text"] == text and call.params["reply_markup"] == markup
    assert isinstance(result, dict) and result["chat"]["id"] == 7


async def test_a_file_goes_as_multipart_beside_the_other_parameters(
    server: FakeBotAPI, request_: StrictRequest
) -> None:
    document = InputFile(b"%PDF-1.4 article", filename="статья 基础.pdf")
    await request_.post(
        f"{server.url}/bot{TOKEN}/sendDocument", data(chat_id=7, caption="the source", document=document)
    )
    [call] = server.calls("sendDocument")
    assert call.content_type.startswith("multipart/form-data")
    assert call.params["chat_id"] == 7 and call.params["caption"] == "the source"
    uploaded = call.params["document"]
    assert isinstance(uploaded, UploadedFile) and uploaded.content == b"%PDF-1.4 article"
    assert uploaded.filename == "статья 基础.pdf"  # as the reader named it, not %-encoded


async def test_an_html_page_with_200_is_one_telegram_error_and_not_retried(
    server: FakeBotAPI, request_: StrictRequest
) -> None:
    server.fail_next("sendMessage", 200, b"<html>Bad gateway, try later</html>")
    with pytest.raises(MalformedAnswer, match="not a JSON object") as raised:
        await request_.post(f"{server.url}/bot{TOKEN}/sendMessage", data(chat_id=7, text="hi"))
    assert not undelivered(raised.value)  # a proxy may have passed it on: sending again could post it twice


async def test_an_error_answer_is_telegrams_own_error_and_counts_as_undelivered(
    server: FakeBotAPI, request_: StrictRequest
) -> None:
    server.fail_next("sendMessage", 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})
    with pytest.raises(NetworkError, match="Bad Gateway") as raised:
        await request_.post(f"{server.url}/bot{TOKEN}/sendMessage", data(chat_id=7, text="hi"))
    assert undelivered(raised.value)


async def test_no_server_is_a_network_error_that_names_no_token_and_is_safe_to_retry(
    request_: StrictRequest,
) -> None:
    with pytest.raises(NetworkError) as raised:
        await request_.post(f"http://127.0.0.1:{free_port()}/bot{TOKEN}/getMe")
    assert undelivered(raised.value)
    assert TOKEN.split(":")[1] not in str(raised.value)


async def test_a_dropped_connection_may_have_been_delivered(server: FakeBotAPI, request_: StrictRequest) -> None:
    server.drop_next("sendMessage")
    with pytest.raises(NetworkError) as raised:
        await request_.post(f"{server.url}/bot{TOKEN}/sendMessage", data(chat_id=7, text="hi"))
    assert not undelivered(raised.value)


async def test_an_answer_slower_than_the_read_timeout_is_timed_out(server: FakeBotAPI, request_: StrictRequest) -> None:
    server.delay_next("sendMessage", 1.5)
    with pytest.raises(TimedOut):
        await request_.post(f"{server.url}/bot{TOKEN}/sendMessage", data(chat_id=7, text="hi"), read_timeout=0.3)


async def test_after_shutdown_it_says_so_rather_than_failing_oddly(server: FakeBotAPI) -> None:
    request = StrictRequest()
    await request.initialize()
    await request.shutdown()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{server.url}/bot{TOKEN}/getMe", "POST")


async def test_all_proxy_is_taken_for_the_bot_api(
    server: FakeBotAPI, request_: StrictRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The double stands in for the proxy: a request for the unknown host reaches it only through the proxy."""
    monkeypatch.setenv("ALL_PROXY", server.url)
    result = await request_.post(f"http://telegram.invalid/bot{TOKEN}/getMe")
    assert isinstance(result, dict) and result["is_bot"] is True
    assert [r.path for r in server.requests] == [f"http://telegram.invalid/bot{TOKEN}/getMe"]


async def test_a_socks_proxy_is_refused_in_one_line_and_never_gone_around(
    server: FakeBotAPI, request_: StrictRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "socks5://127.0.0.1:1080")
    monkeypatch.setenv("HTTP_PROXY", "socks5://127.0.0.1:1080")
    with pytest.raises(
        UnsupportedProxy, match="names a socks5 proxy, which the bot cannot use: give an http:// one"
    ) as raised:
        await request_.post(f"{server.url}/bot{TOKEN}/getMe")
    assert server.requests == [] and not undelivered(raised.value)


async def test_a_name_lookup_that_never_answers_is_timed_out(
    request_: StrictRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def stalled(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(30)  # a resolver that does not answer

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", stalled)
    request = StrictRequest(connect_timeout=0.2)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):  # not the outer bound below: the request's own connect timeout
            await asyncio.wait_for(request.post(f"http://telegram.invalid/bot{TOKEN}/getMe"), 10)
    finally:
        await request.shutdown()


async def test_a_redirect_is_an_error_not_the_request_sent_again_without_its_body(request_: StrictRequest) -> None:
    seen: list[bytes] = []

    async def moved(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        seen.append(head.split(b"\r\n")[0])
        writer.write(b"HTTP/1.1 301 Moved Permanently\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    redirector = await asyncio.start_server(moved, "127.0.0.1", 0)
    port = redirector.sockets[0].getsockname()[1]
    try:
        with pytest.raises(NetworkError, match="Moved Permanently"):
            await request_.post(f"http://127.0.0.1:{port}/bot{TOKEN}/sendMessage", data(chat_id=7, text="hi"))
    finally:
        redirector.close()
    assert seen == [f"POST /bot{TOKEN}/sendMessage HTTP/1.1".encode()]
