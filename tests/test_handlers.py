"""Handlers through a real Application whose Bot API is an offline recording double, serving the fixture
article (tests/data/fixture_content): these tests are about Telegram, not about the real article's answers."""

from __future__ import annotations

import pytest

from tests.conftest import OfflineBot
from tests.html_check import telegram_html_problems
from tests.telegram_double import STICKER, message_update


def only_reply(sent: list[dict]) -> dict:
    assert len(sent) == 1, sent
    assert telegram_html_problems(sent[0]["text"]) == []
    assert sent[0]["parse_mode"] == "HTML"
    return sent[0]


async def test_private_text_is_a_question(fixture_bot: OfflineBot) -> None:
    reply = only_reply(await fixture_bot.send(message_update("How many homes can the farm power?")))
    assert reply["chat_id"] == 111
    assert "9,000 homes" in reply["text"]
    assert "<blockquote expandable>" in reply["text"]
    assert "reply_parameters" not in reply  # no quoting in a private chat


@pytest.mark.parametrize("command", ["/start", "/help", "/topics", "/figures", "/source"])
async def test_commands_in_private(fixture_bot: OfflineBot, command: str) -> None:
    reply = only_reply(await fixture_bot.send(message_update(command)))
    expected = {
        "/start": "Just send me a question",
        "/help": "/ask",
        "/topics": "What the article answers",
        "/figures": "42,000 solar panels",
        "/source": "Ada Lovell, Valley Courier, 14 May 2024",
    }[command]
    assert expected in reply["text"]


async def test_help_lists_every_command(fixture_bot: OfflineBot) -> None:
    reply = only_reply(await fixture_bot.send(message_update("/help")))
    for command in ("/ask", "/topics", "/figures", "/source", "/help", "/start"):
        assert command in reply["text"]


async def test_ask_with_a_question(fixture_bot: OfflineBot) -> None:
    reply = only_reply(await fixture_bot.send(message_update("/ask who wrote the article?")))
    assert "Ada Lovell" in reply["text"]


@pytest.mark.parametrize("text", ["/ask", "/ask    ", "/ask@ArticleBot"])
async def test_bare_ask_gets_usage(fixture_bot: OfflineBot, text: str) -> None:
    reply = only_reply(await fixture_bot.send(message_update(text, chat_type="group")))
    assert "/ask" in reply["text"] and "for example" in reply["text"]


async def test_off_topic_gets_a_plain_no(fixture_bot: OfflineBot) -> None:
    reply = only_reply(await fixture_bot.send(message_update("Who won the football match yesterday?")))
    assert "couldn't find that" in reply["text"] and reply["reply_markup"]["inline_keyboard"]
    assert "blockquote" not in reply["text"]


async def test_unknown_command_in_private_points_to_help(fixture_bot: OfflineBot) -> None:
    reply = only_reply(await fixture_bot.send(message_update("/weather")))
    assert "/help" in reply["text"]


# --- groups -------------------------------------------------------------------------


async def test_group_ask_is_answered_as_a_reply(fixture_bot: OfflineBot) -> None:
    reply = only_reply(
        await fixture_bot.send(message_update("/ask how much does the project cost?", chat_type="supergroup"))
    )
    assert "48 million euros" in reply["text"]
    assert reply["chat_id"] == -100500
    assert reply["reply_parameters"]["message_id"]


async def test_group_ask_addressed_to_this_bot(fixture_bot: OfflineBot) -> None:
    reply = only_reply(await fixture_bot.send(message_update("/ask@ArticleBot who wrote it", chat_type="group")))
    assert "Ada Lovell" in reply["text"]


async def test_group_command_for_another_bot_is_ignored(fixture_bot: OfflineBot) -> None:
    assert await fixture_bot.send(message_update("/ask@OtherBot who wrote it", chat_type="group")) == []
    assert await fixture_bot.send(message_update("/topics@OtherBot", chat_type="group")) == []


async def test_group_mention_is_a_question(fixture_bot: OfflineBot) -> None:
    reply = only_reply(
        await fixture_bot.send(message_update("@ArticleBot who pays for the solar farm?", chat_type="group"))
    )
    assert "regional government pays 60 percent" in reply["text"]


async def test_group_reply_to_the_bot_is_a_question(fixture_bot: OfflineBot) -> None:
    update = message_update("and how many panels will it have?", chat_type="group", reply_to_bot=True)
    reply = only_reply(await fixture_bot.send(update))
    assert "42,000 panels" in reply["text"]


@pytest.mark.parametrize("text", ["what a nice day", "how much does the project cost?", "@SomeoneElse are you coming?"])
async def test_group_chatter_is_ignored(fixture_bot: OfflineBot, text: str) -> None:
    assert await fixture_bot.send(message_update(text, chat_type="group")) == []


async def test_group_commands_work(fixture_bot: OfflineBot) -> None:
    reply = only_reply(await fixture_bot.send(message_update("/figures@ArticleBot", chat_type="supergroup")))
    assert "1,200 residents" in reply["text"]


# --- what is not a question ---------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        STICKER,
        {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]},
    ],
)
async def test_media_is_ignored_quietly_in_groups(fixture_bot: OfflineBot, extra: dict) -> None:
    assert await fixture_bot.send(message_update(None, chat_type="supergroup", extra=extra)) == []


async def test_edited_messages_and_channel_posts_are_ignored(fixture_bot: OfflineBot) -> None:
    assert await fixture_bot.send(message_update("who wrote it?", kind="edited_message")) == []
    assert await fixture_bot.send(message_update("/ask who wrote it?", kind="edited_message")) == []
    assert await fixture_bot.send(message_update("/ask who wrote it?", chat_type="channel", kind="channel_post")) == []


async def test_a_failing_send_is_logged_not_raised(fixture_bot: OfflineBot, caplog: pytest.LogCaptureFixture) -> None:
    fixture_bot.request.fail_next("sendMessage", 400, {"ok": False, "error_code": 400, "description": "Bad Request"})
    attempted = await fixture_bot.send(message_update("who wrote it?"))
    assert len(attempted) == 1
    assert "Telegram refused a call (chat 111): Bad Request" in caplog.text


async def test_command_menus_are_registered_at_start(fixture_bot: OfflineBot) -> None:
    application = fixture_bot.application
    assert application.post_init is not None
    await application.post_init(application)
    handlers = application.post_init.keywords["handlers"]  # type: ignore[attr-defined]
    assert handlers.profile is not None
    await handlers.profile  # set beside the first poll, not before it
    menus = fixture_bot.request.sent("setMyCommands")
    scopes = [(m.get("scope", {}).get("type", "default"), m.get("language_code")) for m in menus]
    assert scopes == [
        (scope, code) for code in (None, "zh") for scope in ("all_private_chats", "all_group_chats", "default")
    ]
    private = [c["command"] for c in menus[0]["commands"]]
    assert private[:5] == ["ask", "topics", "figures", "source", "help"] and "start" in private
    assert "start" not in [c["command"] for c in menus[1]["commands"]]


async def test_refused_menus_are_a_log_line_and_the_bot_answers_all_the_same(
    fixture_bot: OfflineBot, caplog: pytest.LogCaptureFixture
) -> None:
    fixture_bot.request.fail_next("setMyCommands", 400, {"ok": False, "error_code": 400, "description": "Bad Request"})
    application = fixture_bot.application
    assert application.post_init is not None
    await application.post_init(application)
    handlers = application.post_init.keywords["handlers"]  # type: ignore[attr-defined]
    await handlers.profile
    assert "The bot's command menus were not set: Bad Request" in caplog.text
    [reply] = await fixture_bot.send(message_update("who wrote it?"))
    assert "Ada Lovell" in reply["text"]  # the fixture article's author


async def test_the_double_refuses_bad_html_as_telegram_would(fixture_bot: OfflineBot) -> None:
    """The guard behind every handler test: invalid HTML would be caught, not sent."""
    from telegram.error import BadRequest

    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await fixture_bot.application.bot.send_message(1, "<b>unclosed & bare")
    assert fixture_bot.request.html_errors
    fixture_bot.request.html_errors.clear()  # this one was on purpose


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("@ArticleBot how many solar panels?", "how many solar panels?"),
        ("🇨🇳🇨🇳🇨🇳 @ArticleBot how many solar panels?", "🇨🇳🇨🇳🇨🇳 how many solar panels?"),
        ("who wrote it, @articlebot 🙂?", "who wrote it, 🙂?"),
        ("/ask@ArticleBot 👍🏽 who wrote it", "👍🏽 who wrote it"),
        ("@SomeoneElse @ArticleBot who wrote it", "@SomeoneElse who wrote it"),
    ],
)
def test_the_question_is_the_text_without_command_and_mention(
    fixture_bot: OfflineBot, text: str, question: str
) -> None:
    from telegram import Update

    from bot.telegram.questions import question_text

    update = Update.de_json(message_update(text, chat_type="group"), fixture_bot.application.bot)
    assert update.message is not None
    assert question_text(update.message) == question
