"""Errors that reach the user, each with the process exit code the CLI documents."""

from __future__ import annotations


class VidgistError(Exception):
    """An expected failure: the CLI prints its one-line message and exits with `exit_code`."""

    exit_code = 1


class InputError(VidgistError):
    """The input cannot be read or holds nothing we can summarize (exit code 3)."""

    exit_code = 3


class OutputError(VidgistError):
    """The output folder or a file in it cannot be written (exit code 4)."""

    exit_code = 4
