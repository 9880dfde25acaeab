"""Click's own errors in the user's language: usage line, hint and message.

Click writes its usage errors (a missing argument, an unknown option, a bad value)
in English. :class:`InLanguage` wraps such an error and shows it through
:func:`bekostiging.messages.localise`: Dutch by default, English with ``--lang en``
or ``BEKOSTIGING_LANG=en``; the exit code stays click's (2 for a usage error).
"""

from __future__ import annotations

from typing import IO, Any

import click

from bekostiging.messages import Lang, current_lang, line_word, localise

LANG_DEFAULT_SHOWN = "nl, or $BEKOSTIGING_LANG"  # --help's default of every output --lang (env_lang)
USAGE_PREFIX = "Usage:"  # how click's ``Context.get_usage`` starts the usage line


def usage_line(ctx: click.Context, lang: Lang) -> str:
    """``Gebruik: bekostiging solve [OPTIONS] [CASE_DIR]`` (click's usage line, its word translated)."""
    usage = ctx.get_usage()
    if usage.startswith(USAGE_PREFIX):
        usage = line_word("usage", lang) + usage[len(USAGE_PREFIX) :]
    return usage


def help_hint(ctx: click.Context, lang: Lang) -> str | None:
    """``Zie 'bekostiging solve --help' voor uitleg.``; None for a command without a help option."""
    if ctx.command.get_help_option(ctx) is None:
        return None
    names = ctx.command.get_help_option_names(ctx)
    english = f"Try '{ctx.command_path} {max(names, key=len)}' for help."
    return localise(english, lang)


def error_line(message: str, lang: Lang) -> str:
    """``Fout: …`` / ``Error: …`` with the message in ``lang``."""
    return line_word("error", lang).format(message=localise(message, lang))


class InLanguage(click.ClickException):
    """A click error shown in the language of the command line (same message, same exit code)."""

    def __init__(self, original: click.ClickException) -> None:
        super().__init__(original.message)
        self.original = original
        self.exit_code = original.exit_code  # type: ignore[misc]  # 2 for click's usage errors

    def format_message(self) -> str:
        return localise(self.original.format_message())

    def show(self, file: IO[Any] | None = None) -> None:
        lang = current_lang()
        to_stderr = file is None  # click's own default: standard error
        ctx = self.original.ctx if isinstance(self.original, click.UsageError) else None
        if ctx is not None:
            hint = help_hint(ctx, lang)
            text = usage_line(ctx, lang) + "\n" + (hint + "\n" if hint else "")
            click.echo(text, file=file, err=to_stderr, color=ctx.color)
        click.echo(error_line(self.original.format_message(), lang), file=file, err=to_stderr)


# A group called without a command shows its help (click's own ``show``; help texts stay as they are).
_SHOWS_HELP: tuple[type[click.ClickException], ...] = tuple(
    t for t in (getattr(click.exceptions, "NoArgsIsHelpError", None),) if t is not None
)


def in_language(exc: click.ClickException) -> click.ClickException:
    """``exc`` ready to be shown in the current language (errors that already are, and a group's
    help shown for a missing command: unchanged)."""
    if isinstance(exc, (InLanguage, *_SHOWS_HELP)) or getattr(exc, "speaks_user_language", False):
        return exc
    return InLanguage(exc)


messages_lang_option = click.option(
    "--lang",
    type=click.Choice(["nl", "en"]),
    default=None,
    expose_value=False,
    help="Language of the messages (default $BEKOSTIGING_LANG, else nl).",
)
"""``--lang`` for a command whose only words are its messages (errors, the closing line):
read before parsing (``messages.lang_from_args``), so the command itself needs no value."""
