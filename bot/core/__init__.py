"""The core: an article's content and the answers to questions about it. Nothing here imports Telegram.

Content (``content``, ``yamlcheck``, ``vocabulary``, ``parameters``, ``lint``, ``ingest``), the two views
of a question and the decision (``normalise``, ``index``, ``matcher``, ``embedding``, ``semantic``,
``decide``, ``answers``, ``conversation``), serving it (``content_service``, ``loading``, ``ahead``) and the
question log (``store``, ``store_sqlite``, ``store_postgres``, ``writer``, ``keys``, ``redact``).
"""
