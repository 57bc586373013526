"""One error model: every error silolake raises on purpose is a :class:`SilolakeError` carrying
the exit code the command line ends with and the lines it prints.

The command line has one handler (:class:`silolake.cli.shared.common.SilolakeGroup`): it prints
:meth:`SilolakeError.report` on standard error, without a traceback, and exits with
:attr:`SilolakeError.exit_code`. Any other exception is a bug: its traceback is kept (exit 1).
The codes are tabled in README.md ("Exit codes"); ``tests/cli/test_exit_codes.py`` checks that
every subclass is in the table with its code and that every command's error path ends so.

Which base to derive from:

- :class:`UsageError` (2): the user or operator must fix an input first: a catalog, a lock
  file, an option, a plan or bundle file, a missing tool, credentials of the wrong account.
- :class:`AwsError` (1): AWS refused or failed a call; the input may be right.
- :class:`PartialError` (3): the command did what it could and left work to rerun later (a
  script can tell it from a failure).
- :class:`SilolakeError` itself (1): silolake could not do its part (an internal failure
  with a message worth more than a traceback, e.g. a synth worker that died).

This module imports nothing from silolake, so any module may raise these.
"""

from __future__ import annotations

from typing import ClassVar

EXIT_OK = 0
#: AWS refused or failed a call; or an internal error.
EXIT_AWS = 1
#: Usage, catalog and input errors: the user fixes something and reruns.
EXIT_INVALID = 2
#: The command did what it could and left work to retry later (``redrive --quarantined``: files waiting).
EXIT_PARTIAL = 3
#: The command gave up after its ``--timeout`` (the convention of timeout(1)).
EXIT_TIMEOUT = 124
#: Stopped by SIGTERM (128 + 15, the shell's convention).
EXIT_TERMINATED = 143


class SilolakeError(Exception):
    """Base of every error silolake raises on purpose. ``exit_code``: what the command line
    exits with (a class attribute; subclasses set their own)."""

    exit_code: ClassVar[int] = EXIT_AWS

    def report(self) -> list[str]:
        """The lines printed on standard error: ``error: <line>`` per line of the message."""
        return [f"error: {line}" for line in (str(self) or type(self).__name__).splitlines()]


class UsageError(SilolakeError):
    """The user or operator must fix an input first (exit 2)."""

    exit_code = EXIT_INVALID


class AwsError(SilolakeError):
    """AWS refused or failed a call (exit 1)."""

    exit_code = EXIT_AWS


class PartialError(SilolakeError):
    """Done in part; the rest must be retried later, nothing is wrong with the input (exit 3)."""

    exit_code = EXIT_PARTIAL
