"""Telegram adapters: each turns an update into a call of the core and sends the result."""

from __future__ import annotations

import logging

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes, filters

from bot import render
from bot.answers import Answer, Answerer

log = logging.getLogger(__name__)

# The command menu, in the order Telegram shows it; also the body of /help.
PRIVATE_COMMANDS = [
    ("ask", "ask a question about the article"),
    ("topics", "the questions the article answers"),
    ("figures", "the article's key figures"),
    ("source", "title, author, outlet and date"),
    ("help", "every command"),
    ("start", "welcome and an example"),
]
GROUP_COMMANDS = [c for c in PRIVATE_COMMANDS if c[0] != "start"]


class AddressedToBot(filters.MessageFilter):
    """A group message that mentions this bot or replies to one of its messages."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
            return True
        mention = f"@{bot.username}".casefold()
        return any(text.casefold() == mention for text in message.parse_entities([MessageEntity.MENTION]).values())


def question_text(message: Message) -> str:
    """The message's text without a leading command and without mentions of the bot."""
    text = message.text or message.caption or ""
    entities = message.parse_entities([MessageEntity.BOT_COMMAND, MessageEntity.MENTION])
    mention = f"@{message.get_bot().username}".casefold()
    for entity, value in sorted(entities.items(), key=lambda item: -item[0].offset):
        is_leading_command = entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0
        if is_leading_command or value.casefold() == mention:
            text = _remove_utf16(text, entity.offset, entity.length)
    return " ".join(text.split())


def _remove_utf16(text: str, offset: int, length: int) -> str:
    """Telegram entity offsets count UTF-16 code units, not Python characters."""
    encoded = text.encode("utf-16-le")
    return (encoded[: offset * 2] + " ".encode("utf-16-le") + encoded[(offset + length) * 2 :]).decode("utf-16-le")


class Handlers:
    def __init__(self, answerer: Answerer) -> None:
        self.answerer = answerer
        self.library = answerer.library

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        user = update.effective_user
        if message is None:
            return
        await message.reply_text(render.html_welcome(self.library, user.first_name if user else None))

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:
            return
        private = message.chat.type == ChatType.PRIVATE
        commands = PRIVATE_COMMANDS if private else GROUP_COMMANDS
        await message.reply_text(render.html_help(commands, context.bot.username))

    async def topics(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is not None:
            await update.effective_message.reply_text(render.html_topics(self.library))

    async def figures(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is not None:
            await update.effective_message.reply_text(render.html_figures(self.library))

    async def source(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is not None:
            await update.effective_message.reply_text(render.html_source(self.library))

    async def ask(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/ask and plain questions alike: the question is what remains of the text."""
        message = update.effective_message
        if message is None:
            return
        await self.reply(message, self.answerer.answer(question_text(message)))

    async def unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is not None:
            await update.effective_message.reply_text("I don't know that command. /help lists the ones I do.")

    async def reply(self, message: Message, answer: Answer) -> None:
        await message.reply_text(render.html_answer(answer, self.library))

    async def error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("Error while handling an update: %s", context.error, exc_info=context.error)
