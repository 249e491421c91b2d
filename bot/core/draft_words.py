"""The bot's own words a drafted content folder starts with: small talk, and questions no article answers.

Neither says anything about the article: small talk replies name only its title, and the questions
are generic messages a reader sends a bot (the weather, a joke). The decision declines what is
nearer to them than to the article; an editor adds the near misses of the article itself.
"""

from __future__ import annotations

import re
from typing import Any

_CHITCHAT = (
    ("greeting", "hi, hello, hey, hey there, hi there, good morning, good afternoon, good evening, greetings, hiya"),
    ("thanks", "thanks, thank you, thx, ty, cheers, thanks a lot, many thanks, much appreciated, great, ok thanks"),
    ("identity", "who are you, what are you, are you a bot, are you human, what is your name, who made you"),
    ("capabilities", "what can you do, how do you work, what do you know, what can i ask, how does this work"),
    ("help", "help, help me, i need help, can you help me, commands, menu, how do i use this, instructions"),
    ("bye", "bye, goodbye, see you, good night, ok bye, later, farewell"),
)
_REPLIES = {
    "greeting": 'Hello! Ask me anything about the article "{title}", or see /topics.',
    "thanks": "You're welcome! There is more in /topics and /figures.",
    "identity": 'I\'m a bot that reads one article, "{title}", and answers questions about it with its own words.',
    "capabilities": 'Ask me a question about the article "{title}" and I\'ll answer with the passage it comes from.',
    "help": "Just type a question about the article. /topics lists what it covers, /help every command.",
    "bye": "Goodbye! Come back any time with a question, or browse /topics.",
}

OFF_TOPIC = (
    "What's the weather like today?",
    "Will it rain tomorrow?",
    "Tell me a joke",
    "Who won the football match last night?",
    "What is the capital of Australia?",
    "How do I cook pasta?",
    "Give me a recipe for pancakes",
    "What time is it?",
    "How old are you?",
    "Can you write me a poem?",
    "What is the meaning of life?",
    "Recommend a good movie",
    "What music do you like?",
    "How do I fix my printer?",
    "Write a Python function that sorts a list",
    "What is seven times eight?",
    "Translate hello into French",
    "Who is the president of the United States?",
    "What's the best phone to buy?",
    "How do I lose weight?",
    "Where should I go on holiday?",
    "What is the price of bitcoin?",
    "Tell me about the history of the Roman Empire",
    "How far is the Moon from the Earth?",
    "What should I eat for dinner?",
    "Who painted the Mona Lisa?",
    "How do I learn to play the guitar?",
    "What are the symptoms of the flu?",
    "Can you help me with my homework?",
    "Book me a table at a restaurant",
)


def chitchat(example: str) -> list[dict[str, Any]]:
    """Small talk; ``help`` quotes ``example`` (a heading of the article) when it has no number in it."""
    result = []
    for ident, phrasings in _CHITCHAT:
        reply = _REPLIES[ident]
        if ident == "help" and example and not re.search(r"[\d{}]", example):
            reply = f'Just type a question about the article, for example "{example}". /topics lists what it covers.'
        result.append({"id": ident, "phrasings": phrasings.split(", "), "reply": reply})
    return result
