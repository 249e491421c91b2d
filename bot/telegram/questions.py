"""Which messages are questions for this bot, and the question text in them."""

from __future__ import annotations

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import filters


class AddressedToBot(filters.MessageFilter):
    """A group message that mentions this bot or replies to one of its messages."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
            return True
        mention = f"@{bot.username}".casefold()
        return any(text.casefold() == mention for text in _entities(message, [MessageEntity.MENTION]).values())


def is_for_bot(update: Update, commands: frozenset[str]) -> bool:
    """Whether the bot will act on this message: what the per-person question limit counts (button
    taps are not questions: they have a limit of their own)."""
    message = update.message
    if message is None or message.from_user is None:
        return False
    if message.chat.type == ChatType.PRIVATE:
        return True  # a question, or media that gets a hint: each costs a reply
    if not (message.text or message.caption):
        return False
    command = next(
        (text for entity, text in _entities(message, [MessageEntity.BOT_COMMAND]).items() if entity.offset == 0),
        None,
    )
    if command is not None:
        name, _, addressee = command[1:].casefold().partition("@")
        return name in commands and addressee in ("", (message.get_bot().username or "").casefold())
    return AddressedToBot().filter(message)


def question_text(message: Message) -> str:
    """The message's text (or a photo's or document's caption) without a leading command and without
    mentions of the bot."""
    text = message.text or message.caption or ""
    entities = _entities(message, [MessageEntity.BOT_COMMAND, MessageEntity.MENTION])
    mention = f"@{message.get_bot().username}".casefold()
    for entity, value in sorted(entities.items(), key=lambda item: -item[0].offset):
        is_leading_command = entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0
        if is_leading_command or value.casefold() == mention:
            text = _remove_utf16(text, entity.offset, entity.length)
    return " ".join(text.split())


def _entities(message: Message, types: list[str | None]) -> dict[MessageEntity, str]:
    """The entities of the message's text, or of its caption when it has none."""
    return message.parse_entities(types) if message.text else message.parse_caption_entities(types)


def _remove_utf16(text: str, offset: int, length: int) -> str:
    """Telegram entity offsets count UTF-16 code units, not Python characters."""
    encoded = text.encode("utf-16-le")
    return (encoded[: offset * 2] + " ".encode("utf-16-le") + encoded[(offset + length) * 2 :]).decode("utf-16-le")
