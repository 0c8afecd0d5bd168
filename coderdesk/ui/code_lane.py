# SPDX-License-Identifier: GPL-3.0-or-later
"""The code lane: every code-set job (search, validation) on one background thread.

The search index and the rules engine each hold a code-set library connection and
in-memory tables that are not meant for concurrent use; running all their work on a
single worker thread keeps them consistent without locks, and keeps the UI thread free.
The backend is opened once (index build or load, the ICD-10-CM table) off the UI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, QThreadPool, Signal

from coderdesk.core.errors import Cancelled
from coderdesk.ui.tasks import Task, TaskRunner

if TYPE_CHECKING:
    from collections.abc import Callable

    from coderdesk.core.codes.catalog import CodeDetail, IndexEntry
    from coderdesk.core.progress import CancelToken, ProgressCallback
    from coderdesk.core.rules.findings import Finding
    from coderdesk.core.search.engine import SearchResponse


class CodeBackend(Protocol):
    """What the workstation asks of the code sets."""

    def open(self, progress: ProgressCallback, cancel: CancelToken) -> None:
        """Load or build what searching and validating need (slow: off the UI thread)."""

    def search(self, text: str, limit: int) -> SearchResponse:
        """Codes for what the coder typed, best first."""
        ...

    def validate(self, claim: dict[str, Any]) -> list[Finding]:
        """The findings of the coding rules on a claim in the interchange format."""
        ...

    def children(self, code: str, day: str) -> list[tuple[str, str]]:
        """An ICD-10-CM code's children (code, title) in the version in force on `day`."""
        ...

    def detail(self, code: str, day: str | None) -> CodeDetail:
        """The tabular detail of a code (path, notes, children, 7th characters)."""
        ...

    def versions(self) -> list[str]:
        """The label of each code set's version in force today."""
        ...

    def index_terms(self, prefix: str, system: str) -> list[IndexEntry]:
        """Main terms of an index or table starting with `prefix`."""
        ...

    def index_children(self, term_id: int, system: str) -> list[IndexEntry]:
        """The terms one level below a term."""
        ...


class LibraryBackend:
    """The real backend: the code-set library, its search index and the rules engine."""

    def __init__(self) -> None:
        self._search: Any = None
        self._rules: Any = None
        self._catalog: Any = None

    def open(self, progress: ProgressCallback, cancel: CancelToken) -> None:
        """Open (building when needed) the search index, then load the rules' tables."""
        from coderdesk.core.codes.catalog import Catalog
        from coderdesk.core.codes.library import CodeSetLibrary
        from coderdesk.core.rules.custom import load_user_rules
        from coderdesk.core.rules.engine import RuleEngine
        from coderdesk.core.search.engine import SearchEngine

        library = CodeSetLibrary()
        self._search = SearchEngine.open(library, progress=progress, cancel=cancel)
        self._catalog = Catalog(library)
        progress(0, 0, "Loading the coding rules")
        self._rules = RuleEngine(CodeSetLibrary(), custom=load_user_rules())

    def search(self, text: str, limit: int) -> SearchResponse:
        """Search every loaded code set."""
        return self._search.search(text, limit=limit)  # type: ignore[no-any-return]

    def validate(self, claim: dict[str, Any]) -> list[Finding]:
        """Run the rules on a claim."""
        from coderdesk.core.rules.claim import parse_claim

        return self._rules.validate(parse_claim(claim))  # type: ignore[no-any-return]

    def children(self, code: str, day: str) -> list[tuple[str, str]]:
        """The children of `code` in the tabular version in force on `day`."""
        from coderdesk.core.rules.claim import parse_claim

        icd = self._rules.icd_for(parse_claim({"date_of_service": day}))
        node = icd.get(code)
        if node is None:
            return []
        return [(child, icd.nodes[child].title) for child in icd.children.get(node.code, [])]

    def versions(self) -> list[str]:
        """Labels of the versions in force today, one per code system."""
        return self._catalog.library.labels_in_force()  # type: ignore[no-any-return]

    def index_terms(self, prefix: str, system: str) -> list[IndexEntry]:
        """Main terms from the imported index (NotFound when none is imported)."""
        return self._catalog.main_terms(prefix, system)  # type: ignore[no-any-return]

    def index_children(self, term_id: int, system: str) -> list[IndexEntry]:
        """Subterms from the imported index."""
        return self._catalog.subterms(term_id, system)  # type: ignore[no-any-return]

    def detail(self, code: str, day: str | None) -> CodeDetail:
        """The catalog's detail of `code` in force on `day` (today when None)."""
        import datetime as dt

        when = dt.date.fromisoformat(day) if day else None
        return self._catalog.detail(code, when)  # type: ignore[no-any-return]


class CodeLane(QObject):
    """Runs backend jobs one at a time off the UI thread; says when the backend is ready."""

    ready = Signal()
    progressed = Signal(int, int, str)
    failed = Signal(object)

    def __init__(self, backend: CodeBackend, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.is_ready = False
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._runner = TaskRunner(self, self._pool)
        self._opening: Task | None = None

    def start(self) -> None:
        """Open the backend in the background (again after an import: the new release
        is indexed and the rules see it; jobs queued meanwhile wait their turn)."""
        self._opening = self._runner.start(
            lambda progress, cancel: self.backend.open(progress, cancel),
            self._opened,
            self._open_failed,
            self.progressed.emit,
        )

    def _opened(self, _result: object) -> None:
        self._opening = None
        self.is_ready = True
        self.ready.emit()

    def _open_failed(self, exc: BaseException) -> None:
        self._opening = None
        if not isinstance(exc, Cancelled):  # cancelled at quit: nothing to tell
            self.failed.emit(exc)

    def stop(self) -> None:
        """At quit: cancel an index build still running, so the app does not wait on it."""
        if self._opening is not None:
            self._opening.cancel()

    def run(
        self,
        job: Callable[[CodeBackend], Any],
        on_done: Callable[[Any], None],
        on_failure: Callable[[BaseException], None],
    ) -> None:
        """Queue `job(backend)`; its result comes back on the UI thread."""
        self._runner.start(lambda _p, _c: job(self.backend), on_done, on_failure)

    def wait(self, msecs: int = 30_000) -> bool:
        """Wait for queued jobs (at quit and in tests)."""
        return self._runner.wait_all(msecs)
