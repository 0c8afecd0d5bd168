# SPDX-License-Identifier: GPL-3.0-or-later
"""File > Import code-set release: the real HCPCS file, in the background, then re-indexing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from coderdesk.core.codes.library import CodeSetLibrary

if TYPE_CHECKING:
    from pathlib import Path

    from pytestqt.qtbot import QtBot

    from coderdesk.ui.main_window import MainWindow


def test_importing_hcpcs_reports_and_reindexes(
    qtbot: QtBot, window: MainWindow, backend: Any, shared_data: Path, tmp_path: Path
) -> None:
    qtbot.waitUntil(lambda: window.codes.is_ready)
    dialog = window.file_actions.import_release()
    dialog.kind.setCurrentIndex(dialog.kind.findData("hcpcs"))
    dialog.path.setText(
        str(shared_data / "hcpcs" / "2020-anweb" / "HCPC2020_ANWEB_w_disclaimer.txt")
    )
    with qtbot.waitSignal(dialog.imported, timeout=60_000):
        dialog.import_button.click()
    assert "HCPCS Level II" in dialog.message.text()
    assert "In force today:" in dialog.message.text()
    assert dialog.import_button.isEnabled()
    qtbot.waitUntil(lambda: backend.opened == 2)  # the code lane re-opened on the new data
    library = CodeSetLibrary()
    assert any(v.system == "hcpcs" for v in library.versions())
    library.close()

    # The same file again changes nothing; a wrong file is refused and explained.
    dialog.import_button.click()
    qtbot.waitUntil(lambda: "nothing changed" in dialog.message.text(), timeout=30_000)
    bad = tmp_path / "not-hcpcs.txt"
    bad.write_text("hello\n", encoding="utf-8")
    dialog.path.setText(str(bad))
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Not imported:"), timeout=30_000)
    dialog.cancel_button.click()  # Close
