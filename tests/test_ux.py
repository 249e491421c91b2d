"""How the bot feels in Telegram (issue 11): short declines, labels, votes, groups, languages, media."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest
from telegram import Update

from bot.core.content import MAX_LABEL_CHARS, ContentError, Library, load_library
from bot.telegram import catalog, keyboards, profile, render
from bot.telegram.handlers import SLOW_DOWN, SLOW_DOWN_TAPS
from bot.telegram.limits import UserLimiter
from tests.conftest import CONTENT, OfflineBot
from tests.html_check import telegram_html_problems
from tests.identity import BOT_USER
from tests.telegram_double import STICKER, _update_ids, message_update
from tests.test_telegram_native import buttons


def only(sent: list[dict]) -> dict:
    assert len(sent) == 1, sent
    assert telegram_html_problems(sent[0]["text"]) == []
    assert len(sent[0]["text"]) < 4096
    return sent[0]


# --- declines and labels ------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["you are stupid", "tell me a joke", "😀", "🤡🤡🤡", "why did the chicken cross the road?", "lol"]
)
async def test_a_decline_is_two_short_lines_and_buttons(offline_bot: OfflineBot, text: str) -> None:
    reply = only(await offline_bot.send(message_update(text)))
    assert len(reply["text"]) <= 300 and reply["text"].count("\n") <= 1, reply["text"]
    assert "•" not in reply["text"]  # not the list of questions as text
    assert buttons(reply), "the article's questions come as buttons"
    assert all(b["callback_data"].startswith("a:") for b in buttons(reply))


async def test_buttons_are_labels_that_fit_a_phone(offline_bot: OfflineBot, library: Library) -> None:
    for command in ("/topics", "/figures"):
        reply = only(await offline_bot.send(message_update(command)))
        labels = [b["text"] for b in buttons(reply)]
        assert labels and all(len(label) <= MAX_LABEL_CHARS and not label.endswith("…") for label in labels)
    topics = only(await offline_bot.send(message_update("/topics")))
    assert "Basic research spending" not in topics["text"]
    assert [b["text"] for b in buttons(topics)][:2] == ["What the article is about", "A follower of the West?"]


async def test_topics_does_not_list_the_questions_twice(offline_bot: OfflineBot, library: Library) -> None:
    reply = only(await offline_bot.send(message_update("/topics")))
    for button in buttons(reply):
        target = library.target(button["callback_data"].removeprefix("a:"))
        assert target is not None and target.question not in reply["text"] and button["text"] not in reply["text"]


def test_a_long_label_is_refused_with_file_and_line(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    entries = content / "entries.yaml"
    lines = entries.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("    label:"))
    lines[index] = '    label: "' + "x" * (MAX_LABEL_CHARS + 1) + '"'
    entries.write_text("\n".join(lines) + "\n")
    with pytest.raises(ContentError) as raised:
        load_library(content)
    assert raised.value.errors == [
        f"{entries}:{index + 1}: entry about: 'label' has {MAX_LABEL_CHARS + 1} characters, at most 40 allowed"
    ]


def test_a_missing_label_is_a_warning_of_check(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    entries = content / "entries.yaml"
    text = entries.read_text()
    entries.write_text(text.replace('    label: "What the article is about"\n', "", 1))
    library = load_library(content)
    (warning,) = library.warnings
    assert warning.startswith(f"{entries}:") and "entry about: no 'label'" in warning
    about = library.target("about")
    assert about is not None and about.button == "What is the article about?"


# --- votes and limits -----------------------------------------------------------------


def tap(
    message: dict,
    text: str,
    user_id: int = 111,
    chat: dict | None = None,
    message_id: int = 55,
    language_code: str = "en",
) -> dict:
    """A tap on the button labelled ``text`` of a message the bot sent (``message``: its sendMessage or
    edit parameters), the message as Telegram delivers it with the callback."""
    data = next(b["callback_data"] for b in buttons(message) if b["text"] == text)
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": f"cb-{next(_update_ids)}",
            "from": {"id": user_id, "is_bot": False, "first_name": "Ada", "language_code": language_code},
            "chat_instance": "ci",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": 1740000000,
                "chat": chat or {"id": user_id, "type": "private"},
                "from": BOT_USER,
                "text": "an answer",
                "reply_markup": message["reply_markup"],
            },
        },
    }


async def press(bot: OfflineBot, update: dict) -> tuple[str | None, dict | None]:
    """The toast a tap got and the keyboard it left on the message (None if it was not edited)."""
    before = len(bot.request.calls)
    await bot.application.process_update(Update.de_json(update, bot.application.bot))
    calls = bot.request.calls[before:]
    (toast,) = [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"]
    edits = [c.params for c in calls if c.method == "editMessageReplyMarkup"]
    return toast, edits[-1] if edits else None


async def test_a_vote_marks_the_buttons_and_a_second_press_changes_or_clears_it(offline_bot: OfflineBot) -> None:
    answer = only(await offline_bot.send(message_update("who wrote the article?")))
    assert [b["text"] for b in buttons(answer)] == ["👍", "👎", "↗ Share"]

    toast, shown = await press(offline_bot, tap(answer, "👍"))
    assert toast == "Thanks for the 👍" and shown is not None
    assert [b["text"] for b in buttons(shown)] == ["👍 ✓", "👎", "↗ Share"]

    toast, shown = await press(offline_bot, tap(shown, "👎"))
    assert toast == "Changed to 👎" and shown is not None
    assert [b["text"] for b in buttons(shown)] == ["👍", "👎 ✓", "↗ Share"]

    toast, shown = await press(offline_bot, tap(shown, "👎 ✓"))
    assert toast == "Vote taken back" and shown is not None
    assert [b["text"] for b in buttons(shown)] == ["👍", "👎", "↗ Share"]
    assert all(b["callback_data"][:2] in ("u:", "d:") for b in buttons(shown) if "callback_data" in b)
    assert offline_bot.store.stats().votes == []  # taken back: no longer counted


def test_a_clear_is_signed_like_a_vote(library: Library) -> None:
    key = b"k" * 32
    author = library.target("author")
    assert author is not None
    clear = keyboards.vote_data(key, "q1", author, 0)
    assert clear.startswith("c:") and len(clear.encode()) <= keyboards.MAX_CALLBACK_BYTES
    assert keyboards.parse(clear, key) == keyboards.Vote("q1", "author", 0)
    assert keyboards.parse(clear, b"other" * 8) is None
    assert keyboards.parse(clear.replace(":author:", ":follower:"), key) is None


async def test_taps_and_votes_do_not_count_against_the_question_limit(offline_bot_factory) -> None:
    bot = await offline_bot_factory(limiter=UserLimiter(2, 60.0, lambda: 1000.0))
    topics = only(await bot.send(message_update("/topics")))
    for _ in range(5):
        toast, _ = await press(bot, tap(topics, "A follower of the West?"))
        assert toast is None  # an answer instead of a toast
    (answer,) = await bot.send(message_update("who wrote the article?"))
    assert "Hu Weijia" in answer["text"]


async def test_a_refused_tap_still_gets_a_toast(offline_bot_factory) -> None:
    bot = await offline_bot_factory(tap_limiter=UserLimiter(2, 60.0, lambda: 1000.0))
    topics = only(await bot.send(message_update("/topics")))
    for _ in range(2):
        assert (await press(bot, tap(topics, "A follower of the West?")))[0] is None
    for _ in range(3):
        toast, _ = await press(bot, tap(topics, "A follower of the West?"))
        assert toast == SLOW_DOWN_TAPS


# --- groups ---------------------------------------------------------------------------

GROUP = {"id": -100500, "type": "supergroup", "title": "Readers"}


async def test_a_tap_in_a_group_replies_to_the_tapped_message_and_says_whose_tap(offline_bot: OfflineBot) -> None:
    topics = only(await offline_bot.send(message_update("/topics", chat_type="supergroup")))
    before = len(offline_bot.request.calls)
    await press(offline_bot, tap(topics, "A follower of the West?", user_id=333, chat=GROUP, message_id=77))
    (answer,) = [c.params for c in offline_bot.request.calls[before:] if c.method == "sendMessage"]
    assert answer["chat_id"] == -100500
    assert answer["reply_parameters"]["message_id"] == 77
    assert answer["text"].startswith("<i>Ada tapped: A follower of the West?</i>\n")
    assert answer["text"].count("<blockquote") <= 1 and telegram_html_problems(answer["text"]) == []


async def test_a_tap_in_private_is_answered_as_before(offline_bot: OfflineBot) -> None:
    topics = only(await offline_bot.send(message_update("/topics")))
    before = len(offline_bot.request.calls)
    await press(offline_bot, tap(topics, "A follower of the West?"))
    (answer,) = [c.params for c in offline_bot.request.calls[before:] if c.method == "sendMessage"]
    assert "tapped" not in answer["text"] and "reply_parameters" not in answer


async def test_group_answers_quote_one_passage_at_most(offline_bot: OfflineBot) -> None:
    question = "/ask why are investors interested in Chinese tech assets?"
    private = only(await offline_bot.send(message_update(question)))
    group = only(await offline_bot.send(message_update(question, chat_type="supergroup")))
    assert private["text"].count("<blockquote") > 1
    assert group["text"].count("<blockquote") == 1 and len(group["text"]) < len(private["text"])


async def test_a_bare_mention_gets_a_hint_worded_for_a_mention(offline_bot: OfflineBot) -> None:
    reply = only(await offline_bot.send(message_update("@ArticleBot", chat_type="supergroup")))
    assert "Mention me with your question" in reply["text"] and "@ArticleBot" in reply["text"]
    assert "after the command" not in reply["text"]
    usage = only(await offline_bot.send(message_update("/ask@ArticleBot", chat_type="supergroup")))
    assert "after the command" in usage["text"]


# --- languages ------------------------------------------------------------------------

ZH_USER = {"from": {"id": 111, "is_bot": False, "first_name": "Ada", "language_code": "zh-hans"}}


def test_the_catalogs_have_the_same_texts_and_fields() -> None:
    fields = {key: set(re.findall(r"{(\w+)}", text)) for key, text in catalog.EN.items()}
    assert catalog.ZH.keys() == catalog.EN.keys()
    assert {key: set(re.findall(r"{(\w+)}", text)) for key, text in catalog.ZH.items()} == fields
    # The bot's own words state nothing about the article: no numbers of its own.
    assert [key for key, text in {**catalog.EN, **catalog.ZH}.items() if re.search(r"\d", text)] == []


async def test_a_chinese_app_gets_the_interface_in_chinese(offline_bot: OfflineBot, library: Library) -> None:
    start = only(await offline_bot.send(message_update("/start", extra=ZH_USER)))
    assert start["text"].startswith("Ada，您好！") and library.article.title in start["text"]
    labels = [b["text"] for b in buttons(start)]
    assert labels[0] == "💬 A follower of the West?"  # the content's labels stay as written
    help_ = only(await offline_bot.send(message_update("/help", extra=ZH_USER)))
    assert "/topics — 文章回答的问题" in help_["text"]
    decline = only(await offline_bot.send(message_update("tell me a joke", extra=ZH_USER)))
    assert decline["text"].startswith("抱歉") and len(decline["text"]) <= 300 and buttons(decline)


async def test_a_chinese_app_gets_the_article_verbatim_in_a_chinese_frame(offline_bot: OfflineBot) -> None:
    answer = only(await offline_bot.send(message_update("How much does China spend on basic research?", extra=ZH_USER)))
    assert answer["text"].startswith("文章（英文）中写道：")
    assert "249.7 billion yuan" in answer["text"]  # the article's words, in English
    assert [b["text"] for b in buttons(answer)] == ["👍", "👎", "↗ 分享"]
    toast, _ = await press(offline_bot, tap(answer, "👍", language_code="zh-hans"))
    assert toast == "感谢您的 👍"


async def test_start_offers_an_example_to_tap_and_the_topics(offline_bot: OfflineBot, library: Library) -> None:
    start = only(await offline_bot.send(message_update("/start")))
    assert start["text"].startswith("Hello, Ada!")
    example, *topics = buttons(start)
    assert example["text"] == "💬 A follower of the West?" and example["callback_data"] == "a:follower"
    assert [b["callback_data"] for b in [example, *topics]] == [
        f"a:{t.id}" for t in sorted(render.topic_targets(library), key=lambda t: t.id != "follower")
    ]
    before = len(offline_bot.request.calls)
    toast, _ = await press(offline_bot, tap(start, example["text"]))
    (answer,) = [c.params for c in offline_bot.request.calls[before:] if c.method == "sendMessage"]
    assert toast is None and "follower" in answer["text"]


async def test_a_question_in_chinese_gets_chinese_buttons_from_an_english_app(offline_bot: OfflineBot) -> None:
    answer = only(await offline_bot.send(message_update("中国2024年基础研究经费是多少？")))
    assert answer["text"].startswith("文章") and "249.7 billion yuan" in answer["text"]
    assert "↗ 分享" in [b["text"] for b in buttons(answer)]


# --- the profile ----------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_description_fits_telegrams_limits_even_for_a_long_title(library: Library, language: str) -> None:
    long = dataclasses.replace(library, article=dataclasses.replace(library.article, title="Title " * 100))
    description, short = profile.descriptions(long, language)
    assert len(description) <= profile.MAX_DESCRIPTION and len(short) <= profile.MAX_SHORT_DESCRIPTION
    assert description.endswith("…") and short.endswith("…")
    full, _ = profile.descriptions(library, language)
    assert library.article.title in full and library.article.outlet in full


# --- media and the citation -----------------------------------------------------------

PHOTO = {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 90, "height": 90}]}
DOCUMENT = {"document": {"file_id": "d", "file_unique_id": "d", "file_name": "notes.pdf"}}
VOICE = {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 2}}
GIF = {
    "animation": {"file_id": "g", "file_unique_id": "g", "width": 1, "height": 1, "duration": 1},
    "document": {"file_id": "g", "file_unique_id": "g"},
}


@pytest.mark.parametrize("media", [PHOTO, DOCUMENT], ids=["photo", "document"])
async def test_a_caption_that_is_a_question_is_answered(offline_bot: OfflineBot, media: dict) -> None:
    asked = {**media, "caption": "How much does China spend on basic research?"}
    reply = only(await offline_bot.send(message_update(None, extra=asked)))
    assert "249.7 billion yuan" in reply["text"]


async def test_a_caption_mentioning_the_bot_in_a_group_is_answered(offline_bot: OfflineBot) -> None:
    caption = "@ArticleBot who wrote the article?"
    asked = {**PHOTO, "caption": caption, "caption_entities": [{"type": "mention", "offset": 0, "length": 11}]}
    reply = only(await offline_bot.send(message_update(None, chat_type="supergroup", extra=asked)))
    assert "Hu Weijia" in reply["text"]
    chatter = {**PHOTO, "caption": "who wrote the article?"}
    assert await offline_bot.send(message_update(None, chat_type="supergroup", extra=chatter)) == []


@pytest.mark.parametrize("media", [STICKER, VOICE, GIF, PHOTO], ids=["sticker", "voice", "gif", "photo"])
async def test_media_without_text_gets_a_hint_in_private_and_silence_in_groups(
    offline_bot: OfflineBot, media: dict
) -> None:
    reply = only(await offline_bot.send(message_update(None, extra=media)))
    assert reply["text"] == "I read text: ask me about the article."
    assert await offline_bot.send(message_update(None, chat_type="supergroup", extra=media)) == []
    chinese = only(await offline_bot.send(message_update(None, extra={**media, **ZH_USER})))
    assert chinese["text"] == catalog.ZH["media_hint"]


async def test_the_citation_links_to_the_article_only_when_the_content_has_its_url(
    offline_bot_factory, tmp_path: Path
) -> None:
    plain = await offline_bot_factory()
    (answer,) = await plain.send(message_update("who wrote the article?"))
    assert "<a href" not in answer["text"]

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    article = content / "article.yaml"
    url = "https://www.example.com/content/1.html?a=1&b=2"
    article.write_text(article.read_text().replace("  date: 2025-02-21\n", f"  date: 2025-02-21\n  url: {url}\n", 1))
    linked = await offline_bot_factory(content_dir=content)
    (answer,) = await linked.send(message_update("who wrote the article?"))
    assert '<a href="https://www.example.com/content/1.html?a=1&amp;b=2">Global Times</a>' in answer["text"]
    assert telegram_html_problems(answer["text"]) == []


def test_an_article_url_must_be_a_web_address(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    article = content / "article.yaml"
    article.write_text(
        article.read_text().replace("  date: 2025-02-21\n", "  date: 2025-02-21\n  url: javascript:x\n", 1)
    )
    with pytest.raises(ContentError) as raised:
        load_library(content)
    assert raised.value.errors == [
        f"{article}:8: article: 'url' must be an http:// or https:// address, got 'javascript:x'"
    ]


async def test_a_sticker_flood_in_private_is_limited_like_questions(offline_bot_factory) -> None:
    bot = await offline_bot_factory(limiter=UserLimiter(2, 60.0, lambda: 1000.0))
    hints = [await bot.send(message_update(None, extra=STICKER)) for _ in range(5)]
    assert [len(sent) for sent in hints] == [1, 1, 1, 0, 0]  # two hints, the notice, then silence
    assert hints[2][0]["text"] == SLOW_DOWN
