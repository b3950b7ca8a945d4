"""`datapact report --serve`: the reports folder over HTTP on 127.0.0.1, read-only, nothing
outside it, Ctrl-C ends it quietly."""

from __future__ import annotations

import http.client
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from tests.commands.test_exit_codes import cli_env


def test_the_reports_folder_is_served_and_nothing_outside_it(
    project_root: Path, tmp_path: Path
) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "run-abc.html").write_text("<html>evidence of run abc</html>")
    (tmp_path / "evidence.db").write_text("secret outside the reports folder")
    (reports / "link-out").symlink_to(tmp_path / "evidence.db")
    server = subprocess.Popen(
        [sys.executable, "-m", "datapact_dagster.cli", "report", "--serve", "--port", "0"],
        cwd=project_root,
        env=cli_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        parts = urlsplit(url)
        assert parts.hostname == "127.0.0.1", url

        with urllib.request.urlopen(url + "run-abc.html", timeout=10) as response:
            assert response.status == 200
            assert response.read() == b"<html>evidence of run abc</html>"
        for path in ("/../evidence.db", "/%2e%2e/evidence.db", "/..%2fevidence.db", "/link-out"):
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            connection.close()
            assert response.status in (403, 404), (path, response.status)
            assert b"secret" not in body
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        connection.request("PUT", "/run-abc.html", body=b"overwritten")
        assert connection.getresponse().status == 501
        connection.close()
        assert (reports / "run-abc.html").read_text() == "<html>evidence of run abc</html>"
    finally:
        server.send_signal(signal.SIGINT)
        _, stderr = server.communicate(timeout=30)
    assert server.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert "DATAPACT_REPORT_BASE_URL" in stderr
