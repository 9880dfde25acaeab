"""Fixtures shared by the test modules."""

from __future__ import annotations

import pytest

from bekostiging.messages import LANG_ENV


@pytest.fixture
def english_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Error messages in English (``BEKOSTIGING_LANG=en``), for tests that check their content.

    The messages are Dutch by default; ``tests/test_error_language.py`` checks the Dutch
    ones and that both languages carry the same file, field and row.
    """
    monkeypatch.setenv(LANG_ENV, "en")
