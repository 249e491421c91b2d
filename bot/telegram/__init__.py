"""The Telegram adapter: python-telegram-bot's application, handlers and replies, over the core.

Wiring and running (``app``, ``run``, ``polling``, ``updates``, ``transport``), what updates ask and how
they are answered (``handlers``, ``questions``, ``render``, ``keyboards``, ``profile``, ``i18n``,
``catalog``), and the limits and signals a live bot keeps (``limits``, ``waiting``, ``logs``).
"""
