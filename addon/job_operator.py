"""Long work as a job: plain-value compute in a worker thread, Blender writes on the main thread.

An operator using `JobOperator` implements `prepare(context) -> Job`. `Job.compute(progress)`
touches no Blender data (core numpy work only) and reports progress through the callback, which
raises `Cancelled` once Esc was pressed; `Job.apply(context, result)` writes the result into the
file and runs only when compute finished. So a cancelled or failed job leaves the file as it was.
`apply` returns the report line, or (report level, line) for a job whose report is a warning.

- `execute` (Python calls, background mode): compute and apply synchronously.
- `invoke` with a window: a worker thread plus a modal timer; the panel shows the progress
  stored on the WindowManager (not saved in the file); Esc cancels.

Compute runs with one BLAS thread (blas_threads). On every path a LipSyncError becomes its
own report line, anything else (a bug) a short line plus the traceback on the console: never a
traceback in a popup.
"""

import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import bpy

from ..core.errors import LipSyncError
from .blas_threads import one_blas_thread

Progress = Callable[[float, str], None]
_TIMER_S = 0.1


class Cancelled(Exception):
    """Raised inside compute when the user cancelled the job."""


@dataclass
class Job:
    """What an operator runs: compute (no bpy) then apply (main thread)."""

    compute: Callable[[Progress], Any]
    apply: Callable[[bpy.types.Context, Any], str | tuple[str, str]]  # the report (see above)


class _Worker(threading.Thread):
    def __init__(self, job: Job):
        super().__init__(daemon=True)
        self.job = job
        self.fraction = 0.0
        self.text = "Starting"
        self.result: Any = None
        self.error: BaseException | None = None
        self.cancel = threading.Event()

    def progress(self, fraction: float, text: str) -> None:
        if self.cancel.is_set():
            raise Cancelled()
        self.fraction, self.text = fraction, text

    def run(self) -> None:
        try:
            with one_blas_thread():
                self.result = self.job.compute(self.progress)
        except BaseException as error:  # handed to the main thread, reported there
            self.error = error


def _status(context: bpy.types.Context):
    return context.window_manager.lipsync_status


def _redraw(context: bpy.types.Context) -> None:
    for window in context.window_manager.windows:
        for area in window.screen.areas:
            if area.type == "VIEW_3D":
                area.tag_redraw()


class JobOperator:
    """Mixin for operators whose work runs as a Job (see the module docstring)."""

    _worker: _Worker | None = None
    _timer = None

    def prepare(self, context: bpy.types.Context) -> Job:
        raise NotImplementedError

    def execute(self, context: bpy.types.Context) -> set[str]:
        try:
            job = self.prepare(context)
            with one_blas_thread():
                result = job.compute(lambda fraction, text: None)
            self._report_result(job.apply(context, result))
        except Exception as error:  # reported as in modal: a bug is a short line
            self._report_error(error)
            return {"CANCELLED"}
        return {"FINISHED"}

    def invoke(self, context: bpy.types.Context, event) -> set[str]:
        if bpy.app.background or context.window is None:
            return self.execute(context)
        status = _status(context)
        if status.running:
            self.report({"WARNING"}, "A lip-sync job is already running; wait or press Esc.")
            return {"CANCELLED"}
        try:
            job = self.prepare(context)
        except Exception as error:
            self._report_error(error)
            return {"CANCELLED"}
        self._worker = _Worker(job)
        self._worker.start()
        status.running, status.progress, status.text = True, 0.0, "Starting"
        self._timer = context.window_manager.event_timer_add(_TIMER_S, window=context.window)
        context.window_manager.modal_handler_add(self)
        return {"RUNNING_MODAL"}

    def modal(self, context: bpy.types.Context, event) -> set[str]:
        worker = self._worker
        if event.type == "ESC":
            worker.cancel.set()
            self._finish(context)
            self.report({"WARNING"}, "Lip sync cancelled; nothing was changed.")
            return {"CANCELLED"}
        if event.type != "TIMER":
            return {"PASS_THROUGH"}
        status = _status(context)
        status.progress, status.text = worker.fraction, worker.text
        _redraw(context)
        if worker.is_alive():
            return {"RUNNING_MODAL"}
        self._finish(context)
        if worker.error is not None:
            self._report_error(worker.error)
            return {"CANCELLED"}
        try:
            self._report_result(worker.job.apply(context, worker.result))
        except Exception as error:
            self._report_error(error)
            return {"CANCELLED"}
        return {"FINISHED"}

    def _finish(self, context: bpy.types.Context) -> None:
        context.window_manager.event_timer_remove(self._timer)
        status = _status(context)
        status.running, status.progress, status.text = False, 0.0, ""
        _redraw(context)

    def _report_result(self, result: str | tuple[str, str]) -> None:
        level, line = result if isinstance(result, tuple) else ("INFO", result)
        self.report({level}, line)

    def _report_error(self, error: BaseException) -> None:
        if isinstance(error, LipSyncError):
            self.report({"ERROR"}, str(error))
        else:  # a bug: a short line for the user, the traceback on the console
            traceback.print_exception(error)
            self.report(
                {"ERROR"},
                f"Lip sync failed unexpectedly ({type(error).__name__}); see the system console.",
            )
