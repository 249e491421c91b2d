"""The command line as a user runs it: ``python -m bot`` in a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.test_content import MINIMAL, write


def run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None, cwd: Path = ROOT):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ARTICLE_BOT_"))}
    environment["DATABASE_URL"] = ""  # neither the environment's nor a .env file's: never a real database
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=60,
    )


def test_without_a_token_one_clear_line(tmp_path: Path) -> None:
    result = run(cwd=tmp_path, env={"PYTHONPATH": str(ROOT)})
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "TELEGRAM_BOT_TOKEN" in lines[0] and "@BotFather" in lines[0]
    assert "Traceback" not in result.stderr


def test_webhook_mode_settings_get_one_line_each_that_says_what_to_set(tmp_path: Path) -> None:
    base = {"PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": "4242:abc"}
    cases = {
        "TELEGRAM_WEBHOOK_SECRET is not set": {"TELEGRAM_WEBHOOK_URL": "https://bot.example.org/hook"},
        "must be the public https:// URL": {"TELEGRAM_WEBHOOK_URL": "http://bot.example.org/hook"},
        "may hold only": {"TELEGRAM_WEBHOOK_URL": "https://bot.example.org/hook", "TELEGRAM_WEBHOOK_SECRET": "a b!"},
        "PORT must be": {"PORT": "http"},
    }
    for expected, env in cases.items():
        result = run(cwd=tmp_path, env={**base, **env})
        assert result.returncode == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], result.stderr


def test_a_database_url_that_is_not_postgresql_is_one_line_that_shows_no_password(tmp_path: Path) -> None:
    base = {"PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": "4242:abc"}
    cases = {
        "mysql://bot:Sekret-Value@db.example.org/questions": "got a mysql:// URL",
        "db.example.org/questions?password=Sekret-Value": "got no URL",
        "postgresql://bot:Sekret-Value@db.example.org:port/questions": "port that is not a number",
    }
    for url, expected in cases.items():
        for command in ([], ["stats"]):
            result = run(*command, cwd=tmp_path, env={**base, "DATABASE_URL": url})
            assert result.returncode == 1
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and expected in lines[0] and "DATABASE_URL" in lines[0], result.stderr
            assert "Sekret-Value" not in result.stderr


def test_token_from_dotenv_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKEN=not a token\n")
    result = run(cwd=tmp_path, env={"PYTHONPATH": str(ROOT)})
    assert result.returncode == 1
    assert "does not look like a bot token" in result.stderr
    assert "not a token" not in result.stderr  # never echo a secret back


def test_ask_prints_a_plain_answer() -> None:
    result = run("ask", "How much does China spend on basic research?")
    assert result.returncode == 0
    assert result.stdout.startswith("In 2024, China's expenditure on basic research totaled 249.7 billion yuan")
    assert "> In 2024" in result.stdout and "<b>" not in result.stdout


def test_ask_takes_the_listing_commands_as_its_argument_too() -> None:
    result = run("ask", "/figures")
    assert result.returncode == 0
    assert result.stdout.startswith("Key figures in the article:\n• ")


def test_ask_reads_questions_from_stdin() -> None:
    result = run("ask", stdin="who wrote it?\n\nwhat's the weather like?\n")
    assert result.returncode == 0
    assert "Hu Weijia" in result.stdout
    assert "couldn't find that in the article" in result.stdout


def test_check_summarises_valid_content() -> None:
    result = run("check")
    assert result.returncode == 0
    assert result.stdout.startswith("content OK: 15 passages, 17 entries, 9 figures")
    assert result.stderr == ""  # no two targets share a phrasing the matcher reads the same


def test_check_warns_of_phrasings_the_matcher_cannot_tell_apart(tmp_path: Path) -> None:
    for source in (ROOT / "content").glob("*.yaml"):
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    entries = tmp_path / "entries.yaml"
    # "Whose" is a function word: to the matcher this is "article", as "What is the article about?" is.
    entries.write_text(
        entries.read_text(encoding="utf-8").replace('      - "Writer\'s name"\n', "      - Whose article is this?\n", 1)
    )
    result = run("--content", str(tmp_path), "check")
    assert result.returncode == 0
    line = next(i for i, text in enumerate(entries.read_text().splitlines(), 1) if "Whose article is this?" in text)
    assert (
        f'{entries}:{line}: warning: author "Whose article is this?" reads the same as about '
        '"What is the article about?"; the matcher cannot tell them apart' in result.stderr.splitlines()
    )
    assert result.stdout.startswith("content OK")


def test_check_fails_on_a_passage_that_is_not_the_articles_text(tmp_path: Path) -> None:
    write(tmp_path, article_yaml=MINIMAL["article.yaml"].replace("spending rose", "spending climbed"))
    result = run("--content", str(tmp_path), "check")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f'{tmp_path / "article.yaml"}:8: passage p01 is not in article.txt word for word: it departs at "climbed" '
        "(word 4)",
        f"{tmp_path / 'article.txt'}:5: warning: this paragraph is in no passage",
    ]
    assert result.stdout == ""


def test_check_reports_file_and_line(tmp_path: Path) -> None:
    for source in (ROOT / "content").glob("*.yaml"):
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    broken = tmp_path / "figures.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("passage: p12", "passage: p99", 1))
    result = run("--content", str(tmp_path), "check")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    line = next(i for i, text in enumerate(broken.read_text().splitlines(), 1) if "passage: p99" in text)
    assert result.stderr.strip() == f"{broken}:{line}: figure cooperation-countries: unknown passage id 'p99'"


def test_a_stricter_threshold_declines_what_it_is_unsure_of() -> None:
    question = "talent pipeline china"
    assert "couldn't find that" not in run("ask", question).stdout
    strict = run("ask", question, env={"ARTICLE_BOT_ANSWER_AT": "0.9999"})
    assert strict.returncode == 0 and not strict.stdout.startswith("The advancement of high-tech industries")
    bad = run("ask", question, env={"ARTICLE_BOT_ANSWER_AT": "lots"})
    assert bad.returncode == 1 and "ARTICLE_BOT_ANSWER_AT" in bad.stderr and "Traceback" not in bad.stderr


def test_ask_reads_a_conversation_from_stdin() -> None:
    """Each line may follow up on the answer before it, as in a chat."""
    result = run("ask", stdin="What did Goldman Sachs forecast?\nwho reported it?\n")
    assert result.returncode == 0
    second = result.stdout.split("\n\n— ")[1]  # the reply to the second line
    assert "South China Morning Post" in second


def test_ask_answers_chinese_with_the_english_text_in_a_chinese_frame() -> None:
    result = run("ask", "中国在基础研究上投入了多少？")
    assert result.returncode == 0
    assert result.stdout.startswith("文章（英文）中写道：\nIn 2024, China's expenditure on basic research")


def test_a_reader_that_stops_early_gets_no_traceback() -> None:
    """`python -m bot ask < questions.txt | head -1`: the pipe closes while answers are still coming."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "ask"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert process.stdin is not None and process.stdout is not None and process.stderr is not None
    process.stdin.write(b"who wrote it?\n" * 3000)  # fits a pipe buffer; the answers do not
    process.stdin.close()
    assert process.stdout.readline() == b"\xc2\xbb who wrote it?\n"  # "» question", then its answer
    assert b"Hu Weijia" in process.stdout.readline()
    process.stdout.close()
    assert process.wait(timeout=60) != 0
    assert b"Traceback" not in process.stderr.read()


def test_ask_with_an_empty_question_says_how_to_ask() -> None:
    result = run("ask", "  ", stdin="Who wrote the article?\n")
    assert result.returncode == 1
    assert "ask what?" in result.stderr and 'python -m bot ask "' in result.stderr
    assert result.stdout == ""  # not read as "questions from standard input"


def test_a_command_the_terminal_does_not_have_is_not_read_as_a_question() -> None:
    result = run("ask", "/stats")
    assert result.returncode == 0
    assert (
        result.stdout.strip() == "/stats is not a command here; /help lists them (the statistics: python -m bot stats)."
    )


def test_a_content_folder_that_is_missing_or_a_file_is_named_as_such(tmp_path: Path) -> None:
    for folder, expected in ((tmp_path / "nowhere", "no such folder"), (ROOT / "README.md", "not a folder")):
        for command in (["ask", "who wrote it?"], ["check"]):
            result = run(*command, env={"ARTICLE_BOT_CONTENT_DIR": str(folder)})
            assert result.returncode == 1
            assert (
                result.stderr.strip()
                == f"{folder}: {expected} (the content folder: ARTICLE_BOT_CONTENT_DIR or --content)"
            )


def test_stats_of_a_log_that_does_not_exist_says_so_and_creates_nothing(tmp_path: Path) -> None:
    log = tmp_path / "typo" / "questions.sqlite3"
    result = run("stats", env={"ARTICLE_BOT_DB": str(log)})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: no question log at {log} (the bot writes it when it first answers; ARTICLE_BOT_DB names it)"
    ]
    assert not (tmp_path / "typo").exists()
