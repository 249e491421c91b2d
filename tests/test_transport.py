"""The bot's HTTP to the Bot API (bot/telegram/transport.py), against the Bot API double: what goes out and
what an odd or missing answer becomes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from telegram import InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData

# RequestData's parts are not exported (as in bot/telegram/polling.py).
from telegram.request._requestparameter import RequestParameter

from bot.telegram.transport import MalformedAnswer, StrictRequest, undelivered
from tests.botapi_server import FakeBotAPI, UploadedFile
from tests.postgres import free_port

TOKEN = "4242:transport-test-token"


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
    document = InputFile(b"%PDF-1.4 article", filename="article.pdf")
    await request_.post(
        f"{server.url}/bot{TOKEN}/sendDocument", data(chat_id=7, caption="the source", document=document)
    )
    [call] = server.calls("sendDocument")
    assert call.content_type.startswith("multipart/form-data")
    assert call.params["chat_id"] == 7 and call.params["caption"] == "the source"
    uploaded = call.params["document"]
    assert isinstance(uploaded, UploadedFile) and uploaded.content == b"%PDF-1.4 article"


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
