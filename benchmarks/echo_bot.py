"""The baseline for benchmarks/latency.py: a bare python-telegram-bot echo handler, nothing else.

python benchmarks/echo_bot.py                  # python-telegram-bot's own HTTP (httpx): the issue's baseline
python benchmarks/echo_bot.py --bot-transport  # on the bot's HTTP: what is left is the bot's own work
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.ext import Application, ContextTypes, InlineQueryHandler, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None and update.effective_message.text:
        await update.effective_message.reply_text(update.effective_message.text)


async def echo_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.inline_query is not None and update.inline_query.query:
        text = update.inline_query.query
        await update.inline_query.answer([InlineQueryResultArticle("1", text, InputTextMessageContent(text))])


def main() -> None:
    base = os.environ["TELEGRAM_BASE_URL"]
    builder = (
        Application.builder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
    )
    if "--bot-transport" in sys.argv:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from bot.telegram.transport import StrictRequest

        builder = builder.request(StrictRequest(connection_pool_size=8)).get_updates_request(StrictRequest())
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.add_handler(InlineQueryHandler(echo_inline))
    application.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
