"""`datapact report --serve`: the reports folder, read-only over HTTP on 127.0.0.1 only.

Runs write their HTML evidence reports to `<state dir>/reports/run-<run id>.html`; with
DATAPACT_REPORT_BASE_URL set to the URL this prints, the UI links each table's report there.
"""

from __future__ import annotations

import functools
import sys
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from datapact_dagster.commands.base import EXIT_OK, EXIT_SYSTEM_ERROR, UserError

HOST = "127.0.0.1"
DEFAULT_PORT = 8765


class ReadOnlyReports(SimpleHTTPRequestHandler):
    """GET and HEAD of files under one folder; no '..', no symlink leading out of it."""

    root: Path

    def __init__(self, *args: object, directory: str, **kwargs: object) -> None:
        self.root = Path(directory).resolve()
        super().__init__(*args, directory=directory, **kwargs)  # type: ignore[arg-type]

    def send_head(self):  # type: ignore[no-untyped-def]
        segments = unquote(urlsplit(self.path).path).replace("\\", "/").split("/")
        if ".." in segments:
            self.send_error(HTTPStatus.FORBIDDEN, "'..' is not allowed")
            return None
        target = Path(self.translate_path(self.path)).resolve()
        if target != self.root and self.root not in target.parents:
            self.send_error(HTTPStatus.FORBIDDEN, "outside the reports folder")
            return None
        return super().send_head()

    def log_message(self, format: str, *args: object) -> None:
        sys.stderr.write(f"datapact report: {self.address_string()} {format % args}\n")


def serve_reports(folder: Path, port: int) -> int:
    """Serve `folder` until Ctrl-C; print its URL on stdout first."""
    folder.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(ReadOnlyReports, directory=str(folder))
    try:
        server = ThreadingHTTPServer((HOST, port), handler)
    except OSError as exc:
        raise UserError(
            f"cannot listen on {HOST}:{port} ({exc.strerror or exc}); pick another --port",
            EXIT_SYSTEM_ERROR,
        ) from exc
    url = f"http://{HOST}:{server.server_address[1]}/"
    print(url, flush=True)
    print(
        f"Serving {folder} read-only at {url} (Ctrl-C stops). For links from the UI, "
        f"start the pipeline with DATAPACT_REPORT_BASE_URL={url}",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("datapact report: stopped serving", file=sys.stderr)
    finally:
        server.server_close()
    return EXIT_OK
