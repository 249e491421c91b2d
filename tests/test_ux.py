"""How the bot feels in Telegram (issue 11): short declines, labels, votes, groups, languages, media."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content import MAX_LABEL_CHARS, ContentError, Library, load_library
from tests.conftest import CONTENT, OfflineBot
from tests.html_check import telegram_html_problems
from tests.telegram_double import message_update
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


def test_every_entry_and_figure_has_a_short_label(library: Library) -> None:
    assert library.warnings == ()
    assert all(0 < len(t.button) <= MAX_LABEL_CHARS for t in library.targets)


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
