"""Downloads against a local HTTP server on 127.0.0.1 serving the real published files.

No test touches the internet: every address points at a server started here on a random port
(shut down by the fixture), or at a port with nothing listening. Every request loop is bounded
(small retries, timeouts of a fraction of a second).
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from assess.config import CSPConfig
from assess.fetch import (
    ChecksumMismatchError,
    DownloadTimeoutError,
    FetchError,
    IncompleteDownloadError,
    NoNetworkError,
    SourceMovedError,
    SourcesError,
    download,
    fetch,
    load_downloads,
    load_sources,
)
from assess.fetch.addresses import (
    ENV_BASE_URL,
    ENV_SOURCES,
    PACKAGED_SOURCES,
    rebase_url,
)
from assess.fetch.download import part_path
from assess.fetch.fetcher import archive_groups, population_years, resolve_months
from assess.measure.indicators import INDICATOR_KINDS, IndicatorKind

STREET = "police_street/hampshire/2017-04-hampshire-street.csv"
STREET_MAY = "police_street/hampshire/2017-05-hampshire-street.csv"
LSOA_WARD = "lookups/Lower_Layer_Super_Output_Area_2011_to_Ward_2017_Lookup_in_England_and_Wales.csv"
LAD_CSP = "lookups/Local_Authority_District_to_Community_Safety_Partnerships_to_Police_Force_Areas__December_2016__Lookup_in_England_and_Wales.csv"
LAD_RGN = "lookups/Local_Authority_District_to_Region_December_2018_Lookup_in_England.csv"
IOD = "population/File_6_-_IoD2019_Population_Denominators.xlsx"
PRC = "home_office_prc/prc-pfa-mar2013-onwards-tables201718.csv"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------------------------------------
# a local server with scripted behaviours


@dataclass
class Route:
    """What the server does for one path.

    kind: "file" (200, or 206 for a Range request), "norange" (always 200, whole body),
    "truncate" (announces the whole Content-Length, sends the first half, closes), "slow" (waits
    ``delay`` seconds before answering), "fail" (answers ``status`` for the first ``failures``
    requests, then behaves as "file").
    """

    body: bytes = b""
    kind: str = "file"
    delay: float = 0.0
    status: int = 503
    failures: int = 0


@dataclass
class Server:
    base: str
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, str | None]] = field(default_factory=list)  # (path, Range header)

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:  # noqa: N802
            rng = self.headers.get("Range")
            server.requests.append((self.path, rng))
            route = server.routes.get(self.path)
            if route is None:
                self.send_error(404, "Not Found")
                return
            body = route.body
            if route.kind == "slow":
                time.sleep(route.delay)
            if route.kind == "fail" and server.hits(self.path) <= route.failures:
                self.send_error(route.status)
                return
            if route.kind == "truncate":
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            if rng and route.kind != "norange":
                start = int(rng.removeprefix("bytes=").split("-")[0])
                if start >= len(body):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(body)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                self.send_header("Content-Length", str(len(body) - start))
                self.end_headers()
                self.wfile.write(body[start:])
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def server() -> Server:
    state = Server(base="")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    httpd.handle_error = lambda request, client_address: None  # a client that timed out is expected
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def free_port() -> int:
    """A port on 127.0.0.1 with nothing listening."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def street_bytes(shared_data: Path) -> bytes:
    return (shared_data / STREET).read_bytes()


# ------------------------------------------------------------------------------------------------
# download()


def test_download_real_file_with_matching_sha256(server: Server, street_bytes: bytes, shared_data: Path, tmp_path: Path) -> None:
    server.routes["/police/2017-04-hampshire-street.csv"] = Route(street_bytes)
    expected = sha((shared_data / STREET).read_bytes())
    dest = tmp_path / "raw" / "2017-04-hampshire-street.csv"
    res = download(server.url("/police/2017-04-hampshire-street.csv"), dest, expected_sha256=expected, progress=False)
    assert res.sha256 == expected
    assert res.bytes == len(street_bytes) == 3829901
    assert res.path == dest and not res.resumed
    assert dest.read_bytes() == street_bytes
    assert not part_path(dest).exists()


def test_refused_connection_fails_fast_with_clear_error(free_port: int, tmp_path: Path) -> None:
    dest = tmp_path / "x.csv"
    started = time.monotonic()
    with pytest.raises(NoNetworkError) as info:
        download(f"http://127.0.0.1:{free_port}/x.csv", dest, timeout=2, progress=False)
    assert time.monotonic() - started < 2  # not retried: the host cannot be reached at all
    msg = str(info.value)
    assert f"cannot reach 127.0.0.1:{free_port}" in msg and "network connection" in msg
    assert not dest.exists() and not part_path(dest).exists()


def test_dns_failure_is_reported_as_no_network(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def no_dns(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    with pytest.raises(NoNetworkError) as info:
        download("https://data.police.uk/data/archive/2017-05.zip", tmp_path / "a.zip", progress=False)
    assert "cannot reach data.police.uk" in str(info.value) and "Name or service not known" in str(info.value)


def test_progress_bar_draws_on_a_terminal(server: Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import rich.console

    monkeypatch.setattr(rich.console.Console, "is_terminal", property(lambda self: True))
    server.routes["/p.csv"] = Route(b"x" * 200_000)
    res = download(server.url("/p.csv"), tmp_path / "p.csv", progress=True)
    assert res.bytes == 200_000


def test_404_says_the_source_moved_names_the_key_and_is_not_retried(server: Server, tmp_path: Path) -> None:
    dest = tmp_path / "lookup.csv"
    with pytest.raises(SourceMovedError) as info:
        download(server.url("/gone.csv"), dest, source_key="ons_lsoa_ward", page="https://example.org/page", backoff=0.01, progress=False)
    msg = str(info.value)
    assert "the source has moved" in msg
    assert "src/assess/sources.yaml key 'ons_lsoa_ward'" in msg
    assert "https://example.org/page" in msg and "HTTP 404" in msg
    assert server.hits("/gone.csv") == 1
    assert not dest.exists()


def test_slow_server_is_retried_then_times_out_within_bounded_time(server: Server, tmp_path: Path) -> None:
    server.routes["/slow.csv"] = Route(b"a,b\n1,2\n", kind="slow", delay=1.5)
    started = time.monotonic()
    with pytest.raises(DownloadTimeoutError) as info:
        download(server.url("/slow.csv"), tmp_path / "slow.csv", timeout=0.2, retries=2, backoff=0.05, progress=False)
    elapsed = time.monotonic() - started
    assert server.hits("/slow.csv") == 3  # 1 attempt + 2 retries
    assert elapsed < 3
    assert "timed out after 3 attempts" in str(info.value) and "--timeout" in str(info.value)
    assert not (tmp_path / "slow.csv").exists()


def test_server_errors_are_retried_with_backoff_then_succeed(server: Server, tmp_path: Path) -> None:
    body = b"x" * 1000
    server.routes["/flaky.csv"] = Route(body, kind="fail", status=503, failures=2)
    res = download(server.url("/flaky.csv"), tmp_path / "flaky.csv", retries=3, backoff=0.01, progress=False)
    assert server.hits("/flaky.csv") == 3
    assert res.sha256 == sha(body) and (tmp_path / "flaky.csv").read_bytes() == body


def test_cut_off_download_keeps_part_then_resumes_with_range(server: Server, street_bytes: bytes, tmp_path: Path) -> None:
    path = "/police/cut.csv"
    server.routes[path] = Route(street_bytes, kind="truncate")
    dest = tmp_path / "2017-04-hampshire-street.csv"
    with pytest.raises(IncompleteDownloadError) as info:
        download(server.url(path), dest, retries=1, backoff=0.01, progress=False)
    half = len(street_bytes) // 2
    assert not dest.exists()
    assert part_path(dest).stat().st_size == half
    assert part_path(dest).read_bytes() == street_bytes[:half]
    assert ".part" in str(info.value) and "resume" in str(info.value)
    assert server.hits(path) == 2

    # the server now completes files and supports Range: only the rest is asked for
    server.routes[path] = Route(street_bytes, kind="file")
    res = download(server.url(path), dest, expected_sha256=sha(street_bytes), progress=False)
    assert res.resumed
    assert server.requests[-1] == (path, f"bytes={half}-")
    assert res.sha256 == sha(street_bytes) and res.bytes == len(street_bytes)
    assert dest.read_bytes() == street_bytes
    assert not part_path(dest).exists()


def test_part_is_restarted_when_server_ignores_range(server: Server, street_bytes: bytes, tmp_path: Path) -> None:
    server.routes["/norange.csv"] = Route(street_bytes, kind="norange")
    dest = tmp_path / "f.csv"
    part_path(dest).write_bytes(b"stale bytes that must not be kept")
    res = download(server.url("/norange.csv"), dest, progress=False)
    assert server.requests[-1][1] == "bytes=33-"  # it asked to resume ...
    assert not res.resumed  # ... the server sent the whole file, which replaced the stale part
    assert dest.read_bytes() == street_bytes


def test_complete_part_is_finished_without_downloading_again(server: Server, tmp_path: Path) -> None:
    body = b"0123456789" * 50
    server.routes["/done.csv"] = Route(body)
    dest = tmp_path / "done.csv"
    part_path(dest).write_bytes(body)  # a previous run stopped between the last byte and the rename
    res = download(server.url("/done.csv"), dest, expected_sha256=sha(body), progress=False)
    assert res.resumed and dest.read_bytes() == body and not part_path(dest).exists()


def test_changed_checksum_is_an_error_naming_both(server: Server, street_bytes: bytes, tmp_path: Path) -> None:
    server.routes["/f.csv"] = Route(street_bytes)
    dest = tmp_path / "f.csv"
    recorded = "ab" * 32
    with pytest.raises(ChecksumMismatchError) as info:
        download(server.url("/f.csv"), dest, expected_sha256=recorded, source_key="ons_lsoa_ward", progress=False)
    msg = str(info.value)
    assert recorded in msg and sha(street_bytes) in msg
    assert info.value.expected == recorded and info.value.actual == sha(street_bytes)
    assert not dest.exists() and not part_path(dest).exists()
    assert dest.with_name("f.csv.unverified").read_bytes() == street_bytes


# ------------------------------------------------------------------------------------------------
# sources.yaml


def test_packaged_sources_cover_every_publisher() -> None:
    s = load_sources(PACKAGED_SOURCES)
    assert s["police_uk_archive"].url == "https://data.police.uk/data/archive/{month}.zip"
    assert s["police_uk_archive"].member_name(month="2017-04", force="hampshire", kind="street") == (
        "2017-04/2017-04-hampshire-street.csv"
    )
    roles = {src.role for src in s.sources.values()}
    assert roles == {"police_uk_archive", "police_uk_custom", "lookup", "population", "recorded_crime",
                     "rough_sleeping", "fingertips"}
    assert len(s.by_role("lookup")) == 3
    assert all(src.page and src.page.startswith("https://") for src in s.sources.values())
    # every entry carries a comment line directly above it
    lines = PACKAGED_SOURCES.read_text(encoding="utf-8").splitlines()
    for key in s.sources:
        i = lines.index(f"  {key}:")
        assert lines[i - 1].strip().startswith("#"), key


def test_sources_override_by_env_and_base_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alt = tmp_path / "alt.yaml"
    alt.write_text(
        yaml.safe_dump(
            {
                "sources": {
                    "x": {"role": "lookup", "publisher": "ONS", "url": "https://ons.example/a/b.csv?x=1", "filename": "b.csv", "folder": "ons"}
                }
            }
        )
    )
    monkeypatch.setenv(ENV_SOURCES, str(alt))
    assert load_sources()["x"].url == "https://ons.example/a/b.csv?x=1"
    monkeypatch.setenv(ENV_BASE_URL, "http://127.0.0.1:9")
    assert load_sources()["x"].url == "http://127.0.0.1:9/a/b.csv?x=1"
    assert rebase_url("https://data.police.uk/data/archive/{month}.zip", "http://h:1/mirror/") == "http://h:1/mirror/data/archive/{month}.zip"
    with pytest.raises(SourcesError, match="no source 'nope'"):
        load_sources()["nope"]


def test_bad_sources_file_names_entry_and_placeholder(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"sources": {"y": {"role": "lookup", "publisher": "ONS", "url": "https://h/{monht}.csv", "filename": "y.csv", "folder": "ons"}}}))
    with pytest.raises(SourcesError) as info:
        load_sources(bad)
    assert "entry 'sources.y.url'" in str(info.value) and "{monht}" in str(info.value)
    with pytest.raises(SourcesError, match="no such sources file"):
        load_sources(tmp_path / "absent.yaml")


def test_periods_and_archive_windows() -> None:
    assert resolve_months(["2017-05"], ["2017/18"])[:3] == ["2017-04", "2017-05", "2017-06"]
    assert len(resolve_months(None, ["2016/17", "2017/18"])) == 24
    assert archive_groups(["2017-04", "2017-05"]) == [("2017-05", ["2017-04", "2017-05"])]
    months = resolve_months(None, ["2014/15", "2015/16", "2016/17", "2017/18"])  # 48 months
    groups = archive_groups(months)
    assert [a for a, _ in groups] == ["2018-03", "2015-03"]
    assert len(groups[0][1]) == 36 and len(groups[1][1]) == 12
    assert population_years(["2017-02", "2017-04"], None) == ["2016", "2017"]


# ------------------------------------------------------------------------------------------------
# fetch()


@pytest.fixture(scope="module")
def archive(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A zip in the police.uk archive layout: two Hampshire months plus another force's file."""
    path = tmp_path_factory.mktemp("archive") / "2017-05.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.write(shared_data / STREET, "2017-04/2017-04-hampshire-street.csv")
        zf.write(shared_data / STREET_MAY, "2017-05/2017-05-hampshire-street.csv")
        zf.writestr("2017-05/2017-05-surrey-street.csv", "Crime ID,Month\n,2017-05\n")
    return path.read_bytes()


@pytest.fixture
def southampton() -> CSPConfig:
    return CSPConfig(
        name="Southampton",
        code="E22000120",
        local_authorities=[{"code": "E06000045", "name": "Southampton"}],
        police_force={"name": "Hampshire", "code": "E23000030", "police_uk": "hampshire"},
    )


def _serve_publishers(server: Server, shared_data: Path, archive: bytes, tmp_path: Path) -> Path:
    """Serve every source at its published path on the local server; write a sources file for it."""
    files = {
        "/data/archive/2017-05.zip": archive,
        "/ons/lsoa-ward.csv": (shared_data / LSOA_WARD).read_bytes(),
        "/ons/lad-csp.csv": (shared_data / LAD_CSP).read_bytes(),
        "/ons/lad-region.csv": (shared_data / LAD_RGN).read_bytes(),
        "/mhclg/file6.xlsx": (shared_data / IOD).read_bytes(),
        "/ho/prc-pfa.csv": (shared_data / PRC).read_bytes(),
    }
    for p, body in files.items():
        server.routes[p] = Route(body)
    entries = {
        "police_uk_archive": {
            "role": "police_uk_archive", "publisher": "data.police.uk", "url": "https://data.police.uk/data/archive/{month}.zip",
            "filename": "police-uk-archive-{month}.zip", "folder": "police_uk", "member": "{month}/{month}-{force}-{kind}.csv",
        },
        "police_uk_custom": {
            "role": "police_uk_custom", "publisher": "data.police.uk", "url": "{link}", "filename": "custom.zip",
            "folder": "police_uk", "member": "{month}/{month}-{force}-{kind}.csv",
        },
        "ons_lsoa_ward": {"role": "lookup", "publisher": "ONS", "url": "https://ons.example/ons/lsoa-ward.csv", "filename": Path(LSOA_WARD).name, "folder": "ons"},
        "ons_lad_csp_pfa": {"role": "lookup", "publisher": "ONS", "url": "https://ons.example/ons/lad-csp.csv", "filename": Path(LAD_CSP).name, "folder": "ons"},
        "ons_lad_region": {"role": "lookup", "publisher": "ONS", "url": "https://ons.example/ons/lad-region.csv", "filename": Path(LAD_RGN).name, "folder": "ons"},
        "iod2019_population_denominators": {
            "role": "population", "publisher": "MHCLG", "url": "https://gov.example/mhclg/file6.xlsx", "filename": Path(IOD).name, "folder": "population",
        },
        "ons_mid_year_lsoa": {"role": "population", "publisher": "ONS", "folder": "population", "editions": {"2016": {"url": "https://ons.example/none.zip", "filename": "none.zip"}}},
        "home_office_prc_pfa": {"role": "recorded_crime", "publisher": "Home Office", "url": "https://ho.example/ho/prc-pfa.csv", "filename": Path(PRC).name, "folder": "home_office"},
        "home_office_prc_csp": {"role": "recorded_crime", "publisher": "Home Office", "url": None, "filename": "prc-csp.ods", "folder": "home_office", "page": "https://gov.example/prc"},
    }
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "sources": entries}))
    return path


def test_fetch_downloads_records_and_is_idempotent(
    server: Server, shared_data: Path, archive: bytes, southampton: CSPConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_BASE_URL, server.base)  # every address -> the local server, same paths
    sources = load_sources(_serve_publishers(server, shared_data, archive, tmp_path))
    raw = tmp_path / "raw"
    report = fetch(southampton, ["2017-04", "2017-05"], None, raw, sources, kinds=("street", "outcomes"), progress=False, backoff=0.01)

    # police.uk: only the force's members, as published, from one archive; the zip removed after
    for month, rel in (("2017-04", STREET), ("2017-05", STREET_MAY)):
        got = raw / "police_uk" / month / f"{month}-hampshire-street.csv"
        assert got.read_bytes() == (shared_data / rel).read_bytes()
    assert not list(raw.rglob("*surrey*"))
    assert not list(raw.rglob("*.zip")) and not list(raw.rglob("*.part"))
    assert server.hits("/data/archive/2017-05.zip") == 1
    # the other publishers, under their published names
    assert (raw / "ons" / Path(LSOA_WARD).name).read_bytes() == (shared_data / LSOA_WARD).read_bytes()
    assert (raw / "population" / Path(IOD).name).read_bytes() == (shared_data / IOD).read_bytes()
    assert (raw / "home_office" / Path(PRC).name).read_bytes() == (shared_data / PRC).read_bytes()

    # what could not be fetched is reported, with what to do
    missing = {p.what: p.reason for p in report.missing}
    assert "no member '2017-04/2017-04-hampshire-outcomes.csv'" in missing["police_uk/2017-04/2017-04-hampshire-outcomes.csv"]
    assert "no edition for mid-2017" in missing["mid-2017 edition"]
    assert "paste the link from https://gov.example/prc" in missing["home_office/prc-csp.ods"]
    assert report.ok and not report.failed

    # downloads.json cites every file: url, sha256 (checked independently), bytes, time
    record = json.loads((raw / "downloads.json").read_text())
    files = record["files"]
    assert set(files) == {
        "police_uk/2017-04/2017-04-hampshire-street.csv",
        "police_uk/2017-05/2017-05-hampshire-street.csv",
        f"ons/{Path(LSOA_WARD).name}", f"ons/{Path(LAD_CSP).name}", f"ons/{Path(LAD_RGN).name}",
        f"population/{Path(IOD).name}",
        f"home_office/{Path(PRC).name}",
    }
    street = files["police_uk/2017-04/2017-04-hampshire-street.csv"]
    assert street["sha256"] == sha((shared_data / STREET).read_bytes())
    assert street["bytes"] == 3829901
    assert street["url"] == server.url("/data/archive/2017-05.zip")
    assert street["member"] == "2017-04/2017-04-hampshire-street.csv"
    assert street["source"] == "police_uk_archive" and street["downloaded_at"].endswith("Z")
    assert files[f"home_office/{Path(PRC).name}"]["url"] == server.url("/ho/prc-pfa.csv")
    assert load_downloads(raw)[f"ons/{Path(LAD_CSP).name}"].sha256 == sha((shared_data / LAD_CSP).read_bytes())

    # second fetch: nothing downloaded, not even the archive (the absent outcomes files are remembered)
    n = len(server.requests)
    again = fetch(southampton, ["2017-04", "2017-05"], None, raw, sources, kinds=("street", "outcomes"), progress=False)
    assert len(server.requests) == n
    assert again.downloaded == [] and len(again.skipped) == 7
    assert json.loads((raw / "downloads.json").read_text())["files"] == files

    # a file changed on disk no longer matches its record: that one (only) is fetched again
    lookup = raw / "ons" / Path(LAD_RGN).name
    lookup.write_bytes(lookup.read_bytes() + b"edited\n")
    third = fetch(southampton, ["2017-04", "2017-05"], None, raw, sources, kinds=("street",), progress=False)
    assert [r.path for r in third.downloaded] == [f"ons/{Path(LAD_RGN).name}"]
    assert lookup.read_bytes() == (shared_data / LAD_RGN).read_bytes()


def test_fetch_reports_a_moved_source_by_key_and_fetches_the_rest(
    server: Server, shared_data: Path, archive: bytes, southampton: CSPConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_BASE_URL, server.base)
    sources = load_sources(_serve_publishers(server, shared_data, archive, tmp_path))
    del server.routes["/ons/lad-region.csv"]  # the publisher moved it
    raw = tmp_path / "raw"
    with pytest.raises(FetchError) as info:
        fetch(southampton, None, None, raw, sources, include=("lookup",), progress=False, backoff=0.01)
    assert "ons_lad_region" in str(info.value) and "the source has moved" in str(info.value)
    report = info.value.report
    assert [p.source for p in report.failed] == ["ons_lad_region"]
    assert server.hits("/ons/lad-region.csv") == 1
    assert {r.source for r in report.downloaded} == {"ons_lsoa_ward", "ons_lad_csp_pfa"}
    assert set(json.loads((raw / "downloads.json").read_text())["files"]) == {f"ons/{Path(LSOA_WARD).name}", f"ons/{Path(LAD_CSP).name}"}


def test_fetch_stops_at_once_without_network(free_port: int, southampton: CSPConfig, tmp_path: Path, shared_data: Path, archive: bytes) -> None:
    dummy = Server(base="http://127.0.0.1:1")
    sources = load_sources(_serve_publishers(dummy, shared_data, archive, tmp_path), base_url=f"http://127.0.0.1:{free_port}")
    started = time.monotonic()
    with pytest.raises(NoNetworkError, match="cannot reach"):
        fetch(southampton, ["2017-04"], None, tmp_path / "raw", sources, progress=False)
    assert time.monotonic() - started < 3
    assert json.loads((tmp_path / "raw" / "downloads.json").read_text())["files"] == {}


def test_fetch_from_a_custom_download_link(
    server: Server, shared_data: Path, archive: bytes, southampton: CSPConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_BASE_URL, server.base)
    sources = load_sources(_serve_publishers(server, shared_data, archive, tmp_path))
    server.routes["/data/fetch/abc123/"] = Route(archive)
    raw = tmp_path / "raw"
    report = fetch(
        southampton, ["2017-05"], None, raw, sources, kinds=("street",), include=("police_uk",),
        police_uk_link=server.url("/data/fetch/abc123/"), keep_archives=True, progress=False,
    )
    assert (raw / "police_uk/2017-05/2017-05-hampshire-street.csv").read_bytes() == (shared_data / STREET_MAY).read_bytes()
    assert (raw / "police_uk/custom.zip").read_bytes() == archive  # kept, and recorded
    assert "police_uk/custom.zip" in load_downloads(raw)
    assert server.hits("/data/archive/2017-05.zip") == 0
    assert {r.path for r in report.downloaded} == {"police_uk/custom.zip", "police_uk/2017-05/2017-05-hampshire-street.csv"}



# ------------------------------------------------------------------------------------------------
# the public statistics: ONS mid-year estimate workbooks, the rough sleeping tables, Fingertips

MYE16 = "population/ukmidyearestimates2016.xls"
MYE17 = "population/ukmidyearestimates2017finalversion.xls"
RS16 = "rough_sleeping/Rough_Sleeping_Autumn_2016_Final_Tables.xls"
RS17 = "rough_sleeping/Rough sleeping statistics England autumn 2017.xlsx"
FINGERTIPS = "fingertips/indicators-CountyUA.data.csv"
FT_DATA = "/api/all_data/csv/by_indicator_id?indicator_ids=93356&child_area_type_id=102&parent_area_type_id=6"
FT_META = "/api/indicator_metadata/csv/by_indicator_id?indicator_ids=93356"
CAMPYLOBACTER = "Campylobacter incidence rate/100,000"


def metadata_csv(indicator_id: int, name: str) -> bytes:
    """The Fingertips indicator metadata CSV (its first columns) for one indicator."""
    return ('"Indicator ID","Indicator","Definition","Unit","Value type","Year type"\r\n'
            f'{indicator_id},"{name}","A definition","per 100,000","Crude rate","Calendar"\r\n').encode()


def _serve_public_statistics(server: Server, shared_data: Path, tmp_path: Path, *, name: str = CAMPYLOBACTER) -> Path:
    """The real workbooks and Fingertips download at their published paths; a sources file for them."""
    for route, rel in (("/ons/mid2016/ukmidyearestimates2016.xls", MYE16), ("/ons/mid2017/ukmidyearestimates2017finalversion.xls", MYE17),
                       ("/gov/585706/Rough_Sleeping_Autumn_2016_Final_Tables.xls", RS16),
                       ("/gov/682004/Tables_1_and_2a_2b_2c_-_revised.xlsx", RS17), (FT_DATA, FINGERTIPS)):
        server.routes[route] = Route((shared_data / rel).read_bytes())
    server.routes[FT_META] = Route(metadata_csv(93356, name))
    entries = {
        "ons_mid_year_uk": {"role": "population", "publisher": "ONS", "folder": "population", "editions": {
            "2016": {"url": "https://ons.example/ons/mid2016/ukmidyearestimates2016.xls", "filename": "ukmidyearestimates2016.xls"},
            "2017": {"url": "https://ons.example/ons/mid2017/ukmidyearestimates2017finalversion.xls",
                     "filename": "ukmidyearestimates2017finalversion.xls"}}},
        "mhclg_rough_sleeping": {"role": "rough_sleeping", "publisher": "MHCLG", "folder": "rough_sleeping", "page": "https://gov.example/rs", "editions": {
            "2016": {"url": "https://gov.example/gov/585706/Rough_Sleeping_Autumn_2016_Final_Tables.xls",
                     "filename": "Rough_Sleeping_Autumn_2016_Final_Tables.xls"},
            "2017": {"url": "https://gov.example/gov/682004/Tables_1_and_2a_2b_2c_-_revised.xlsx",
                     "filename": "Tables_1_and_2a_2b_2c_-_revised.xlsx"}}},
        "fingertips": {
            "role": "fingertips", "publisher": "OHID", "folder": "fingertips", "page": "https://ft.example/",
            "url": "https://ft.example/api/all_data/csv/by_indicator_id?indicator_ids={indicator_id}"
                   "&child_area_type_id={area_type_id}&parent_area_type_id={parent_area_type_id}",
            "metadata_url": "https://ft.example/api/indicator_metadata/csv/by_indicator_id?indicator_ids={indicator_id}",
            "filename": "fingertips-{indicator_id}-area-type-{area_type_id}.data.csv",
            "area_type_id": 102, "parent_area_type_id": 6,
            "indicators": [{"id": 93356, "name": CAMPYLOBACTER, "chapter": "drugs_alcohol", "metric": "test_metric"}],
        },
    }
    path = tmp_path / "public-sources.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "sources": entries}))
    return path


PUBLIC = ("population", "rough_sleeping", "fingertips")


def test_fetch_public_statistics_as_published_and_idempotent(
    server: Server, shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assess.sources.discover import classify

    monkeypatch.setenv(ENV_BASE_URL, server.base)
    sources = load_sources(_serve_public_statistics(server, shared_data, tmp_path))
    raw = tmp_path / "raw"
    report = fetch(None, None, ["2016/17", "2017/18"], raw, sources, include=PUBLIC, progress=False, backoff=0.01)
    assert report.ok and report.missing == []
    got = {
        "population/ukmidyearestimates2016.xls": MYE16,
        "population/ukmidyearestimates2017finalversion.xls": MYE17,
        "rough_sleeping/Rough_Sleeping_Autumn_2016_Final_Tables.xls": RS16,
        "rough_sleeping/Tables_1_and_2a_2b_2c_-_revised.xlsx": RS17,
        "fingertips/fingertips-93356-area-type-102.data.csv": FINGERTIPS,
    }
    for rel, real in got.items():
        assert (raw / rel).read_bytes() == (shared_data / real).read_bytes(), rel
    files = json.loads((raw / "downloads.json").read_text())["files"]
    assert set(files) == set(got)
    assert files["fingertips/fingertips-93356-area-type-102.data.csv"]["url"] == server.url(FT_DATA)
    assert files["rough_sleeping/Tables_1_and_2a_2b_2c_-_revised.xlsx"]["source"] == "mhclg_rough_sleeping"
    # as fetched, under the publishers' names, every file is recognised by discover
    kinds = {rel: classify(raw / rel).kind for rel in got}
    assert kinds == {
        "population/ukmidyearestimates2016.xls": "mid_year_population",
        "population/ukmidyearestimates2017finalversion.xls": "mid_year_population",
        "rough_sleeping/Rough_Sleeping_Autumn_2016_Final_Tables.xls": "rough_sleeping",
        "rough_sleeping/Tables_1_and_2a_2b_2c_-_revised.xlsx": "rough_sleeping",
        "fingertips/fingertips-93356-area-type-102.data.csv": "fingertips",
    }
    assert server.hits(FT_META) == 1
    n = len(server.requests)
    again = fetch(None, None, ["2016/17", "2017/18"], raw, sources, include=PUBLIC, progress=False)
    assert len(server.requests) == n and again.downloaded == [] and len(again.skipped) == 5
    # a year with no edition recorded is reported as missing, with what to do
    later = fetch(None, None, ["2018/19"], raw, sources, include=("rough_sleeping",), progress=False)
    assert [p.what for p in later.missing] == ["autumn 2018 edition"]
    assert "no edition for autumn 2018 (editions: 2016, 2017)" in later.missing[0].reason


def _refused_indicator(server: Server, shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                       metadata: bytes):
    """Fetch the Fingertips indicator of sources.yaml with the API's metadata ``metadata``: the one
    problem reported, having checked that nothing was downloaded (the data URL never asked)."""
    monkeypatch.setenv(ENV_BASE_URL, server.base)
    sources = load_sources(_serve_public_statistics(server, shared_data, tmp_path))
    server.routes[FT_META] = Route(metadata)
    raw = tmp_path / "raw"
    report = fetch(None, None, ["2017/18"], raw, sources, include=("fingertips",), progress=False, backoff=0.01)
    assert report.ok and report.downloaded == []
    (problem,) = report.missing
    assert server.hits(FT_DATA) == 0 and not (raw / "fingertips").exists()
    return problem


@pytest.mark.parametrize(
    ("metadata", "says"),
    [
        (metadata_csv(93356, "Salmonella incidence rate/100,000"),
         "the Fingertips API names indicator 93356 'Salmonella incidence rate/100,000', not 'Campylobacter incidence rate/100,000'"),
        (metadata_csv(93357, CAMPYLOBACTER), "the Fingertips API lists no indicator 93356 (renumbered or withdrawn?)"),
    ],
    ids=["renamed", "renumbered"],
)
def test_a_renamed_or_renumbered_indicator_is_reported_and_not_downloaded(
    server: Server, shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, metadata: bytes, says: str
) -> None:
    problem = _refused_indicator(server, shared_data, tmp_path, monkeypatch, metadata)
    assert problem.source == "fingertips" and problem.what == "fingertips/fingertips-93356-area-type-102.data.csv"
    assert says in problem.reason and "not downloaded" in problem.reason and "https://ft.example/" in problem.reason


def test_fingertips_metadata_names_are_compared_without_numbering_or_punctuation() -> None:
    from assess.fetch.fetcher import indicator_name_key

    assert indicator_name_key("B04 - First time entrants to the youth justice system") == indicator_name_key(
        "First time entrants to the youth justice system")
    assert indicator_name_key("Domestic abuse-related incidents and crimes") == indicator_name_key(
        "Domestic abuse related incidents and crimes")
    assert indicator_name_key("1.12i - Violent crime") == "violent crime"
    assert indicator_name_key("Deaths from drug misuse") != indicator_name_key("Deaths from drug poisoning")


def test_fingertips_failures_moved_retried_not_an_export(
    server: Server, shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_BASE_URL, server.base)
    sources = load_sources(_serve_public_statistics(server, shared_data, tmp_path))
    raw = tmp_path / "raw"
    # the metadata address moved: reported by key, nothing downloaded
    del server.routes[FT_META]
    with pytest.raises(FetchError) as info:
        fetch(None, None, ["2017/18"], raw, sources, include=("fingertips",), progress=False, backoff=0.01)
    assert "fingertips" in str(info.value) and "the source has moved" in str(info.value)
    assert server.hits(FT_DATA) == 0
    # a server error is retried, then the download goes on
    server.routes[FT_META] = Route(metadata_csv(93356, CAMPYLOBACTER), kind="fail", status=503, failures=1)
    report = fetch(None, None, ["2017/18"], raw, sources, include=("fingertips",), progress=False, backoff=0.01)
    assert [r.path for r in report.downloaded] == ["fingertips/fingertips-93356-area-type-102.data.csv"]
    # an answer that is not a Fingertips export (an error page served as 200) is removed, not kept
    server.routes[FT_DATA] = Route(b"<html><body>Service unavailable</body></html>")
    with pytest.raises(FetchError) as info:
        fetch(None, None, ["2017/18"], raw, sources, include=("fingertips",), progress=False, force=True)
    assert "was removed: it is not a Fingertips export" in str(info.value)
    assert not (raw / "fingertips/fingertips-93356-area-type-102.data.csv").exists()
    assert "fingertips/fingertips-93356-area-type-102.data.csv" not in load_downloads(raw)


def test_public_statistics_without_network_stop_at_once(free_port: int, shared_data: Path, tmp_path: Path) -> None:
    dummy = Server(base="http://127.0.0.1:1")
    sources = load_sources(_serve_public_statistics(dummy, shared_data, tmp_path), base_url=f"http://127.0.0.1:{free_port}")
    started = time.monotonic()
    with pytest.raises(NoNetworkError, match="cannot reach"):
        fetch(None, None, ["2017/18"], tmp_path / "raw", sources, include=("fingertips",), progress=False)
    assert time.monotonic() - started < 3


def test_a_pinned_edition_that_changed_is_a_checksum_failure(
    server: Server, shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_BASE_URL, server.base)
    path = _serve_public_statistics(server, shared_data, tmp_path)
    doc = yaml.safe_load(path.read_text())
    doc["sources"]["mhclg_rough_sleeping"]["editions"]["2017"]["sha256"] = "ab" * 32
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(FetchError) as info:
        fetch(None, None, ["2017/18"], tmp_path / "raw", load_sources(path), include=("rough_sleeping",), progress=False)
    assert "mhclg_rough_sleeping" in str(info.value) and "ab" * 32 in str(info.value)
    assert not (tmp_path / "raw" / "rough_sleeping" / "Tables_1_and_2a_2b_2c_-_revised.xlsx").exists()


def test_packaged_fingertips_indicators_feed_real_chapters() -> None:
    from assess.registry import load_registry

    s = load_sources(PACKAGED_SOURCES)
    (ft,) = s.by_role("fingertips")
    slugs = {c.slug for c in load_registry().chapters}
    assert {i.id for i in ft.indicators} == {10401, 92432, 93764, 11201, 93203}
    assert all(i.chapter in slugs and i.metric and i.checked for i in ft.indicators)
    assert ft.fingertips_address(ft.indicators[0])[0].endswith(
        "by_indicator_id?indicator_ids=10401&child_area_type_id=502&parent_area_type_id=6")
    assert set(s["ons_mid_year_uk"].editions) >= {"2016", "2017"}
    assert s["mhclg_rough_sleeping"].address("2016")[1] == "Rough_Sleeping_Autumn_2016_Final_Tables.xls"


def test_a_fingertips_entry_without_an_address_lists_its_indicators_as_missing(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({"sources": {"fingertips": {
        "role": "fingertips", "publisher": "OHID", "folder": "fingertips", "page": "https://ft.example/", "url": None,
        "metadata_url": "https://ft.example/meta?indicator_ids={indicator_id}", "filename": "ft-{indicator_id}.data.csv",
        "area_type_id": 502, "parent_area_type_id": 6,
        "indicators": [{"id": 10401, "name": "First time entrants to the youth justice system", "chapter": "young_people",
                        "metric": "fte"}]}}}))
    report = fetch(None, None, ["2017/18"], tmp_path / "raw", load_sources(path), include=("fingertips",), progress=False)
    assert report.ok and [p.what for p in report.missing] == ["fingertips/ft-10401.data.csv"]
    assert "no url recorded in src/assess/sources.yaml key 'fingertips'" in report.missing[0].reason
    bad = yaml.safe_load(path.read_text())
    bad["sources"]["fingertips"]["indicators"] = []
    path.write_text(yaml.safe_dump(bad))
    with pytest.raises(SourcesError, match="a fingertips entry needs indicators"):
        load_sources(path)


@pytest.mark.parametrize(
    ("kind", "metadata", "says"),
    [
        (IndicatorKind(100_000, "population", crude=False), metadata_csv(93356, CAMPYLOBACTER),
         "its value type is 'Crude rate', not a directly age-standardised rate"),
        (IndicatorKind(1_000, "population", crude=True), metadata_csv(93356, CAMPYLOBACTER),
         "its unit is 'per 100,000', not per 1,000"),
        (IndicatorKind(100_000, "population", crude=True),
         f'"Indicator ID","Indicator"\r\n93356,"{CAMPYLOBACTER}"\r\n'.encode(),
         "gives no 'Value type' and 'Unit' to confirm it is a crude rate per 100,000 population"),
    ],
    ids=["standardised-not-crude", "per-1000-not-100000", "no-value-type"],
)
def test_an_indicator_whose_metadata_contradicts_its_kind_is_reported_and_not_downloaded(
    server: Server, shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    kind: IndicatorKind, metadata: bytes, says: str,
) -> None:
    """The kinds the chapters describe, compare and test each indicator by (INDICATOR_KINDS) are
    checked against the API's metadata at fetch time, like its name."""
    monkeypatch.setitem(INDICATOR_KINDS, "test_metric", kind)
    problem = _refused_indicator(server, shared_data, tmp_path, monkeypatch, metadata)
    assert says in problem.reason and "not downloaded" in problem.reason and "INDICATOR_KINDS" in problem.reason


def test_an_indicator_whose_metadata_agrees_with_its_kind_is_downloaded(
    server: Server, shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_BASE_URL, server.base)
    monkeypatch.setitem(INDICATOR_KINDS, "test_metric", IndicatorKind(100_000, "population", crude=True))
    sources = load_sources(_serve_public_statistics(server, shared_data, tmp_path))
    report = fetch(None, None, ["2017/18"], tmp_path / "raw", sources, include=("fingertips",), progress=False,
                   backoff=0.01)
    assert report.ok and report.missing == [] and [r.path for r in report.downloaded] == [
        "fingertips/fingertips-93356-area-type-102.data.csv"]


def test_indicator_kinds_read_the_metadata_value_types_and_units() -> None:
    crude = IndicatorKind(100_000, "aged 10-17", crude=True)
    assert crude.disagreement("Crude rate", "per 100,000") is None
    assert crude.disagreement("Directly standardised rate", "per 100,000") is not None
    dsr = IndicatorKind(100_000, "population", crude=False)
    assert dsr.disagreement("Directly age-standardised rate", "per 100,000") is None
    share = IndicatorKind(100, "pupils", crude=True, proportion=True)
    assert share.disagreement("Proportion", "%") is None and share.disagreement("Count", "%") is not None


def test_every_listed_fingertips_indicator_has_the_kind_its_chapter_describes_it_by() -> None:
    listed = [i for s in load_sources().by_role("fingertips") for i in s.indicators]
    assert listed and {i.metric for i in listed} == set(INDICATOR_KINDS)
