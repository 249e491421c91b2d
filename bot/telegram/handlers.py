"""Telegram adapters: each turns an update into a call of the core and sends the result."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable

from telegram import InlineQueryResultArticle, InlineQueryResultsButton, InputTextMessageContent, Message, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.core.ahead import EmbedAhead
from bot.core.answers import Answer, Kind
from bot.core.content import Library, Target
from bot.core.content_service import ContentService
from bot.core.conversation import Conversations
from bot.core.store import Store, StoreError, format_stats
from bot.telegram import i18n, keyboards, render
from bot.telegram.limits import UserLimiter
from bot.telegram.questions import is_for_bot, question_text
from bot.telegram.waiting import Typing

log = logging.getLogger(__name__)

# The command menu, in the order Telegram shows it; also the body of /help (descriptions: bot/telegram/catalog.py).
PRIVATE_COMMAND_NAMES = ["ask", "topics", "figures", "source", "help", "start"]
GROUP_COMMAND_NAMES = [name for name in PRIVATE_COMMAND_NAMES if name != "start"]
PRIVATE_COMMANDS = render.command_menu(PRIVATE_COMMAND_NAMES)
GROUP_COMMANDS = render.command_menu(GROUP_COMMAND_NAMES)
PUBLIC_COMMANDS = frozenset(PRIVATE_COMMAND_NAMES)
INLINE_RESULTS = 5
SEEN_UPDATES = 10_000
INLINE_CACHE_S = 300
# Inline queries come one per keystroke: room for someone typing several questions a minute.
INLINE_RATE_PER_MINUTE = 60
# Button taps cost a toast or one answer from the content: a limit of their own, not the questions'.
TAP_RATE_PER_MINUTE = 60
# An empty answer for the flooder alone (personal) and briefly, so the limit lifts soon after.
INLINE_FLOOD_CACHE_S = 10
# The English texts, as tests and the README quote them; every language's are in bot/telegram/catalog.py.
SLOW_DOWN = i18n.text("en", "slow_down")
SLOW_DOWN_TAPS = i18n.text("en", "slow_down_taps")
STALE_BUTTON = i18n.text("en", "stale_button")


class Handlers:
    def __init__(
        self,
        content: ContentService,
        store: Store,
        limiter: UserLimiter,
        admins: frozenset[int] = frozenset(),
        conversations: Conversations | None = None,
        *,
        button_key: bytes,
        inline_limiter: UserLimiter | None = None,
        tap_limiter: UserLimiter | None = None,
    ) -> None:
        self.content = content  # the answerer of the moment: asked once per update
        self.conversations = conversations or Conversations()
        self.typing = Typing()
        self.ahead = EmbedAhead()
        self.profile: asyncio.Future[None] | None = None  # the menus and descriptions, set at start
        self._seen: dict[int, None] = {}  # recent update ids, oldest first
        self.store = store
        self.limiter = limiter
        self.inline_limiter = inline_limiter or UserLimiter(INLINE_RATE_PER_MINUTE, window=60.0)
        self.tap_limiter = tap_limiter or UserLimiter(TAP_RATE_PER_MINUTE, window=60.0)
        self.button_key = button_key  # signs and checks vote buttons
        self.admins = admins

    async def once(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Runs first: an update Telegram delivers twice (the same update_id) is answered once."""
        if update.update_id in self._seen:
            log.info("Update %s delivered again; answered already", update.update_id)
            raise ApplicationHandlerStop
        self._seen[update.update_id] = None
        while len(self._seen) > SEEN_UPDATES:
            self._seen.pop(next(iter(self._seen)))

    async def limit(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Runs before every other handler: past the per-person limit, one notice, then silence.
        Inline queries have a limit of their own and are answered with nothing past it; button taps
        and votes one too, and every refused tap gets a toast (a tap with no answer spins)."""
        user = update.effective_user
        if user is None:
            return
        reply: Awaitable[object] | None = None
        if update.inline_query is not None:
            if self.inline_limiter.check(user.id) == "ok":
                return
            reply = update.inline_query.answer(
                [],
                cache_time=INLINE_FLOOD_CACHE_S,
                is_personal=True,
                button=InlineQueryResultsButton(_t(update, "slow_down_inline"), start_parameter="help"),
            )
        elif update.callback_query is not None:
            if self.tap_limiter.check(user.id) == "ok":
                return
            reply = update.callback_query.answer(_t(update, "slow_down_taps"))
        else:
            if not is_for_bot(update, PUBLIC_COMMANDS):
                return
            verdict = self.limiter.check(user.id)
            if verdict == "ok":
                return
            if verdict == "notice" and update.effective_message is not None:
                reply = update.effective_message.reply_text(_t(update, "slow_down"))
        try:
            if reply is not None:
                await reply
        except TelegramError as exc:
            # Heard or not, the update stops here: a failed notice must not let the answer through.
            log.info("Over-limit notice not delivered (%s): %s", _where(update), exc)
        raise ApplicationHandlerStop

    # --- commands -------------------------------------------------------------------

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start, and deep links t.me/<bot>?start=<entry id> that open one answer."""
        message = update.effective_message
        if message is None:
            return
        answerer = self.content.current
        library = answerer.library
        if context.args:
            found = answerer.lookup(context.args[0])
            if found is not None:
                await self._send_answer(message, found, library, update, asked=False)
                return
        user = update.effective_user
        in_group = message.chat.type != ChatType.PRIVATE
        language = _language(update)
        await message.reply_text(
            render.html_welcome(library, user.first_name if user else None, in_group, language),
            reply_markup=keyboards.for_welcome(render.example_target(library), render.topic_targets(library), language),
        )

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:
            return
        commands = PRIVATE_COMMAND_NAMES if message.chat.type == ChatType.PRIVATE else GROUP_COMMAND_NAMES
        await message.reply_text(render.html_help(commands, context.bot.username, _language(update)))

    async def topics(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        library = self.content.current.library
        if update.effective_message is not None:
            await update.effective_message.reply_text(
                render.html_topics(library, _language(update)),
                reply_markup=keyboards.for_topics(render.topic_targets(library)),
            )

    async def figures(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        library = self.content.current.library
        if update.effective_message is not None:
            await update.effective_message.reply_text(
                render.html_figures(library, _language(update)),
                reply_markup=keyboards.for_figures(library),
            )

    async def source(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is not None:
            await update.effective_message.reply_text(
                render.html_source(self.content.current.library, _language(update))
            )

    async def ask(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/ask and plain questions alike: the question is what remains of the text."""
        message = update.effective_message
        if message is None:
            return
        user = update.effective_user
        replied = message.reply_to_message
        previous_id = self.conversations.previous(
            message.chat.id, user.id if user else None, replied.message_id if replied is not None else None
        )
        answerer = self.content.current
        library = answerer.library
        previous = library.target(previous_id) if previous_id else None
        question = question_text(message)
        if not question and not (message.text or message.caption or "").startswith("/"):
            # "@bot" alone: how to ask by mentioning, not "after the command".
            await message.reply_text(render.html_mention_usage(library, context.bot.username, _language(update)))
            return
        await self.ahead.ready(answerer, question, alone=previous is None)
        await self._send_answer(message, answerer.answer(question, previous), library, update)

    async def media_hint(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A sticker, voice message, GIF or bare photo in private: the bot reads text only, and says so."""
        if update.effective_message is not None:
            await update.effective_message.reply_text(_t(update, "media_hint"))

    async def stats(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """For admins only; everyone else sees what an unknown command gets."""
        if not await self._admin(update, context):
            return
        if update.effective_message is None:
            return
        try:
            report = await asyncio.to_thread(lambda: format_stats(self.store.stats()))
        except StoreError as exc:
            log.error("Question log unreadable: %s", exc)
            report = f"The question log cannot be read: {exc}"
        await update.effective_message.reply_text(render.html_preformatted(report))

    async def reload(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/reload, for admins only: the same as SIGHUP."""
        if not await self._admin(update, context):
            return
        report = await self.content.reload()
        if update.effective_message is not None:
            await update.effective_message.reply_text(render.html_preformatted(report))

    async def _admin(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        """Whether the sender is an admin; anyone else gets exactly what an unknown command gets."""
        user = update.effective_user
        if user is not None and user.id in self.admins:
            return True
        await self.unknown_command(update, context)
        return False

    async def unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """In private a pointer to /help; in groups silence, as the command may be another bot's."""
        message = update.effective_message
        if message is not None and message.chat.type == ChatType.PRIVATE:
            await message.reply_text(_t(update, "unknown_command"))

    # --- buttons and inline mode ----------------------------------------------------------

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        action = keyboards.parse(query.data, self.button_key)
        answerer = self.content.current
        target = answerer.library.target(action.target_id) if action is not None else None
        if target is None:
            await query.answer(_t(update, "stale_button"))
            return
        if isinstance(action, keyboards.Vote):
            message = query.message
            markup = message.reply_markup if isinstance(message, Message) else None
            await query.answer(_vote_toast(keyboards.given_vote(markup), action.value, _language(update)))
            if action.value != 0:  # queued, both: they return at once
                self.store.vote(action.question_id, target.id, query.from_user.id, action.value)
            else:
                self.store.unvote(action.question_id, query.from_user.id)
            if markup is not None:
                try:
                    await query.edit_message_reply_markup(keyboards.with_vote(markup, self.button_key, action))
                except BadRequest as exc:  # e.g. the message is too old to edit: the vote counts all the same
                    log.info("Vote not shown on the message (%s): %s", _where(update), exc)
            return
        message = query.message
        await query.answer()
        if isinstance(message, Message):
            found = answerer.lookup(target.id)
            if found is not None:
                # In a group the answer replies to the message tapped, and says whose tap it answers.
                in_group = message.chat.type != ChatType.PRIVATE
                name, label = query.from_user.first_name, target.button
                heading = i18n.text(_language(update), "tapped", name=name, label=label) if in_group else None
                await self._send_answer(
                    message, found, answerer.library, update, quote=in_group, asked=False, heading=heading
                )

    async def inline_query(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.inline_query
        if query is None:
            return
        text = query.query.strip()
        answerer = self.content.current
        await self.ahead.ready(answerer, text, parts=False)
        targets = answerer.matches(text, INLINE_RESULTS) if text else render.topic_targets(answerer.library)
        language = _language(update)
        results = [
            self._inline_result(t, answerer.library, context.bot.username, language) for t in targets[:INLINE_RESULTS]
        ]
        button = None if results else InlineQueryResultsButton(_t(update, "not_found_inline"), start_parameter="help")
        await query.answer(results, cache_time=INLINE_CACHE_S, is_personal=False, button=button)

    def _inline_result(
        self, target: Target, library: Library, bot_username: str, language: str
    ) -> InlineQueryResultArticle:
        return InlineQueryResultArticle(
            id=target.id,
            title=target.question,
            description=target.answer,
            input_message_content=InputTextMessageContent(render.html_inline(target, library)),
            reply_markup=keyboards.open_in_bot(bot_username, target, language),
        )

    # --- shared -------------------------------------------------------------------------

    async def _send_answer(
        self,
        message: Message,
        answer: Answer,
        library: Library,
        update: Update,
        quote: bool | None = None,
        asked: bool = True,
        heading: str | None = None,
    ) -> None:
        """Send an answer; log it when someone typed the question (``asked``), not when they tapped it."""
        language = _language(update, answer.language)
        if language != answer.language:
            answer = dataclasses.replace(answer, language=language)
        votable = answer.kind in (Kind.ANSWER, Kind.CAVEAT)
        logged = asked and answer.kind in (Kind.ANSWER, Kind.CAVEAT, Kind.NO_ANSWER)
        question_id = self.store.question_id(_delivery(update)) if votable or logged else None
        in_group = message.chat.type != ChatType.PRIVATE
        reply = message.reply_text(
            render.html_answer(answer, library, compact=in_group, heading=heading),
            reply_markup=keyboards.for_answer(
                answer, question_id, self.button_key, render.topic_targets(library), language
            ),
            do_quote=quote,
        )
        if in_group:  # only groups have a per-chat limit an answer can wait behind
            sent = await self.typing.while_waiting(
                message.chat.id, reply, lambda: message.chat.send_action(ChatAction.TYPING)
            )
        else:
            sent = await reply
        if answer.target is not None and votable:
            # The next question of this reader, or a reply to this answer, may lean on it.
            user = update.effective_user
            self.conversations.answered(
                message.chat.id, user.id if user else None, answer.target.id, getattr(sent, "message_id", None)
            )
        if logged and question_id is not None:
            # Queued for the log's own writer: it can be slow or fail without anyone waiting for it.
            self.store.log_question(
                question_id,
                message.chat.type,
                answer.question,
                answer.target.id if answer.target else None,
                answer.score,
            )

    async def error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        where = _where(update)
        if isinstance(context.error, TimedOut):
            log.error("Telegram did not answer in time (%s): %s", where, context.error)
        elif isinstance(context.error, NetworkError) and not isinstance(context.error, BadRequest):
            log.error("Telegram call failed after retries (%s): %s", where, context.error)
        elif isinstance(context.error, TelegramError):
            log.error("Telegram refused a call (%s): %s", where, context.error)
        else:
            log.error("Error while handling an update (%s): %s", where, context.error, exc_info=context.error)


def _language(update: Update, asked_in: str = "en") -> str:
    """The interface language: Chinese for a Chinese Telegram app or a question in Chinese."""
    user = update.effective_user
    return i18n.language_of(user.language_code if user is not None else None, asked_in)


def _t(update: Update, key: str) -> str:
    return i18n.text(_language(update), key)


def _vote_toast(shown: int, value: int, language: str) -> str:
    """What a vote press did, against what the buttons showed before it."""
    if value == 0:
        return i18n.text(language, "vote_cleared")
    if shown not in (0, value):
        return i18n.text(language, "vote_changed", emoji=keyboards.UP if value > 0 else keyboards.DOWN)
    return i18n.text(language, "vote_up" if value > 0 else "vote_down")


def _where(update: object) -> str:
    """Which chat an error concerns, for the owner: its id, never a name or what was said."""
    if not isinstance(update, Update):
        return "no chat"
    if update.effective_chat is not None:
        return f"chat {update.effective_chat.id}"
    if update.inline_query is not None:
        return "an inline query"
    return f"update {update.update_id}"


def _delivery(update: Update) -> str:
    """What tells this update from every other, and not from a second delivery of itself: Telegram reuses
    update ids after a week without updates, never a chat's message id with its date, nor a button press's id."""
    parts = [str(update.update_id)]
    if update.callback_query is not None:
        parts.append(update.callback_query.id)
    message = update.effective_message
    if message is not None:
        parts += [str(message.chat.id), str(message.message_id), message.date.isoformat() if message.date else ""]
    return ":".join(parts)
