"""Every piece of the bot's interface text, one catalog per language: the bot's own voice only.

Nothing here says anything about the article: the article's words (answers, passages, labels, the
title) come from the content and are shown as they stand, in English. Plain text with ``{name}``
fields; the renderer escapes it and fills the fields. Both catalogs have the same keys (a test holds
them to it).
"""

from __future__ import annotations

EN: dict[str, str] = {
    # Around the article's answers.
    "frame": "",
    "caveat": "I can't find exactly that in the article. The nearest it says:",
    "not_found": "I couldn't find that in the article, so I won't guess.",
    "did_you_mean": "Did you mean one of these?",
    "decline_pointer": "Tap a question below, or ask in other words.",
    "figures": "The article's figures:",
    "headings": "Question by question:",
    "tapped": "{name} tapped: {label}",
    # Commands and listings.
    "hello": "Hello!",
    "hello_name": "Hello, {name}!",
    "welcome_intro": "I answer questions about one article:",
    "welcome_private": "Just send me a question in your own words, for example:",
    "welcome_group": "In this group, ask with /ask, mention me, or reply to one of my answers, for example:",
    "welcome_end": (
        "Each answer comes with the passage it is taken from. Tap a question below, or see /topics, "
        "/figures for the numbers and /help for every command."
    ),
    "help_title": "Commands",
    "help_private": "In a private chat, any message is a question.",
    "help_group": "In a group, use /ask, mention me, or reply to one of my messages.",
    "help_inline": "In any chat, type {example} to share an answer.",
    "help_inline_question": "your question",
    "usage": "Ask me a question about the article after the command, for example:",
    "mention_usage": "Mention me with your question in the same message, for example:",
    "topics_intro": "What the article answers: tap one, or ask in your own words.",
    "figures_title": "Key figures in the article",
    "no_figures": "The article gives no figures.",
    "source_by": "By {author}, {outlet}, {date}",
    "unknown_command": "I don't know that command. /help lists the ones I do.",
    "media_hint": "I read text: ask me about the article.",
    # The command menu.
    "command_ask": "ask a question about the article",
    "command_topics": "the questions the article answers",
    "command_figures": "the article's key figures",
    "command_source": "title, author, outlet and date",
    "command_help": "every command",
    "command_start": "welcome and an example",
    # Buttons of the bot's own, and toasts.
    "share": "↗ Share",
    "read_passage": "Read the source passage",
    "try_example": "💬 {label}",
    "vote_up": "Thanks for the 👍",
    "vote_down": "Thanks, noted 👎",
    "vote_changed": "Changed to {emoji}",
    "vote_cleared": "Vote taken back",
    "stale_button": "That button has expired. Ask again, or see /topics.",
    "slow_down": "You're asking faster than I can read. Please wait a minute, then ask again.",
    "slow_down_taps": "Too many taps: wait a minute, then try again.",
    "slow_down_inline": "Too fast for me: wait a minute, then ask again",
    "not_found_inline": "Not in the article? Ask me privately",
    # The bot's profile: what an empty chat shows before Start.
    "description": (
        "I answer questions about one article: {title} ({outlet}, {date}). Ask in your own words; every "
        "answer quotes the passage it comes from, and I say so when the article does not answer."
    ),
    "short_description": "Questions and answers about one article: {title}",
}

ZH: dict[str, str] = {
    "frame": "文章（英文）中写道：",
    "caveat": "文章中没有找到完全对应的内容。最接近的是（英文原文）：",
    "not_found": "抱歉，我在文章中没有找到相关内容，不做猜测。",
    "did_you_mean": "您是想问以下问题吗？",
    "decline_pointer": "请点击下面的问题，或换个说法再问。",
    "figures": "文章中的数字（英文原文）：",
    "headings": "文章的各个问题（英文原文）：",
    "tapped": "{name} 点击了：{label}",
    "hello": "您好！",
    "hello_name": "{name}，您好！",
    "welcome_intro": "我回答关于一篇文章的问题：",
    "welcome_private": "直接用自己的话向我提问即可，例如：",
    "welcome_group": "在本群中，请用 /ask 提问、提及我，或回复我的回答，例如：",
    "welcome_end": (
        "每个回答都附有出处段落（英文原文）。点击下面的问题，或查看 /topics；/figures 列出数字，/help 列出所有命令。"
    ),
    "help_title": "命令",
    "help_private": "在私聊中，任何消息都会被当作问题。",
    "help_group": "在群组中，请用 /ask、提及我，或回复我的消息。",
    "help_inline": "在任何聊天中输入 {example} 即可分享回答。",
    "help_inline_question": "您的问题",
    "usage": "请在命令后面写上关于文章的问题，例如：",
    "mention_usage": "请在提及我的同一条消息里写上问题，例如：",
    "topics_intro": "文章回答的问题：点击其中一个，或用自己的话提问。",
    "figures_title": "文章中的关键数字",
    "no_figures": "这篇文章没有给出数字。",
    "source_by": "作者：{author}，{outlet}，{date}",
    "unknown_command": "我不认识这个命令。/help 列出我能用的命令。",
    "media_hint": "我只读文字：请向我提问关于这篇文章的问题。",
    "command_ask": "提问关于文章的问题",
    "command_topics": "文章回答的问题",
    "command_figures": "文章中的关键数字",
    "command_source": "标题、作者、媒体和日期",
    "command_help": "所有命令",
    "command_start": "欢迎和示例",
    "share": "↗ 分享",
    "read_passage": "阅读出处段落",
    "try_example": "💬 {label}",
    "vote_up": "感谢您的 👍",
    "vote_down": "已记下 👎",
    "vote_changed": "已改为 {emoji}",
    "vote_cleared": "已撤回评价",
    "stale_button": "这个按钮已过期。请重新提问，或查看 /topics。",
    "slow_down": "您提问太快了。请等一分钟再问。",
    "slow_down_taps": "点击太频繁：请等一分钟再试。",
    "slow_down_inline": "太快了：请等一分钟再问",
    "not_found_inline": "文章中没有？请私聊问我",
    "description": (
        "我回答关于一篇文章的问题：{title}（{outlet}，{date}）。请用自己的话提问；每个回答都引用出处段落"
        "（英文原文），文章没有回答的，我会直说。"
    ),
    "short_description": "关于一篇文章的问答：{title}",
}

CATALOGS = {"en": EN, "zh": ZH}
