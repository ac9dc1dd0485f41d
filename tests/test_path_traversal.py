"""Paths from a configuration or an input stay inside their folder (--out, --raw).

A CSP configuration with ``slug: ../../victim`` once published its bundle outside ``--out`` and
replaced the folder there; ``partner_files`` and ``ward_boundaries`` could name any file on the
machine. Every such path is refused with a message naming the field and the fix, and nothing
outside the folder is touched.
"""

from __future__ import annotations

import http.server
import os
import threading
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from assess.config import CSPConfig, load_config
from assess.errors import ConfigError
from assess.sources.partner import partner_path, read_partner

# The refusals are ConfigErrors (assess.safe_paths.UnsafePathError is one), so these tests also
# run, and fail as they should, against the code before the checks existed.
UnsafePathError = ConfigError

BASE = {
    "name": "Demo", "code": "E22999999", "local_authorities": [{"code": "E06999999", "name": "Demo"}],
    "police_force": {"name": "Demo", "police_uk": "demo"}, "synthetic": True,
}


def write_config(folder: Path, **fields: object) -> Path:
    path = folder / "demo.yaml"
    path.write_text(yaml.safe_dump({**BASE, **fields}), encoding="utf-8")
    return path


@pytest.mark.parametrize("slug", ["../../victim", "/tmp/victim", "a/b", "..", "demo/../../x", "demo slug", "démo", "-x", ""])
def test_a_slug_that_is_not_a_plain_name_is_refused_naming_the_field(tmp_path: Path, slug: str) -> None:
    path = write_config(tmp_path, slug=slug, name="Demo" if slug else "../..")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message and "'slug" in message and "letters, digits and hyphens" in message


@pytest.mark.parametrize("value", ["../../etc/passwd", "/etc/passwd", "..", "x/../../y.csv", "C:\\evil.csv", "~/x.csv"])
def test_partner_files_and_ward_boundaries_outside_raw_are_refused(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError, match=r"field 'partner_files.scorecard'.*no '\.\.' and no leading '/'"):
        load_config(write_config(tmp_path, partner_files={"scorecard": value}))
    with pytest.raises(ConfigError, match=r"field 'ward_boundaries'"):
        load_config(write_config(tmp_path, ward_boundaries=value))


def test_bundle_is_never_published_outside_out_even_if_validation_is_bypassed(tmp_path: Path) -> None:
    """A configuration changed after it was validated (model_copy skips validators) still cannot
    reach outside --out: the bundle path is checked where it is used, before anything is written."""
    from assess.report.bundle import run_bundle

    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me", encoding="utf-8")
    out = tmp_path / "deep" / "out"
    out.mkdir(parents=True)
    cfg = CSPConfig.model_validate(BASE).model_copy(update={"slug": "../../victim"})
    with pytest.raises(UnsafePathError, match="slug"):
        run_bundle(cfg, "2023/24", notebooks_dir=ROOT / "tests" / "fixtures" / "notebooks", raw_dir=tmp_path / "raw",
                   processed_dir=tmp_path / "processed", out_root=out, config_dir=ROOT / "config" / "csp", progress=False)
    assert [p.name for p in victim.iterdir()] == ["precious.txt"]
    assert (victim / "precious.txt").read_text(encoding="utf-8") == "keep me"
    assert not any(out.rglob("*")), "nothing is written under --out either"


def test_a_symbolic_link_in_out_that_leaves_it_is_refused(tmp_path: Path) -> None:
    from assess.report.bundle import bundle_path

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "demo").symlink_to(elsewhere)
    cfg = CSPConfig.model_validate(BASE)
    with pytest.raises(UnsafePathError, match=r"symbolic link .*demo points to .*elsewhere"):
        bundle_path(out, cfg, "2023/24")


def test_partner_path_refuses_a_traversal_that_skipped_validation(tmp_path: Path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("month,channel,calls\n2025-01,101,5\n", encoding="utf-8")
    raw = tmp_path / "raw"
    (raw / "partner").mkdir(parents=True)
    cfg = CSPConfig.model_validate(BASE)
    cfg = cfg.model_copy(update={"partner_files": {**cfg.partner_files, "calls_for_service": "../../secret.csv"}})
    with pytest.raises(UnsafePathError, match="partner_files.calls_for_service"):
        read_partner(raw, "calls_for_service", cfg)


def test_a_partner_file_that_is_a_link_out_of_raw_is_refused_and_one_inside_is_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.csv"
    outside.write_text("month,channel,calls\n2025-01,101,5\n", encoding="utf-8")
    raw = tmp_path / "raw"
    partner = raw / "partner"
    partner.mkdir(parents=True)
    (partner / "calls_for_service.csv").symlink_to(outside)
    with pytest.raises(UnsafePathError, match=r"partner_files.calls_for_service.*symbolic link"):
        partner_path(raw, "calls_for_service")
    (partner / "calls_for_service.csv").unlink()
    (raw / "kept").mkdir()
    (raw / "kept" / "calls.csv").write_text("month,channel,calls\n2025-01,101,7\n", encoding="utf-8")
    (partner / "calls_for_service.csv").symlink_to(raw / "kept" / "calls.csv")  # inside raw: fine
    assert read_partner(raw, "calls_for_service")["calls"].tolist() == [7]


def test_a_partner_folder_that_is_a_link_out_of_raw_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "partner").symlink_to(elsewhere)
    with pytest.raises(UnsafePathError, match="symbolic link"):
        partner_path(raw, "offenders")


def test_ward_boundaries_through_a_link_out_of_raw_are_refused(demo_ctx, tmp_path: Path) -> None:
    import dataclasses

    raw = tmp_path / "raw"
    (raw / "geography").mkdir(parents=True)
    (tmp_path / "passwd.geojson").write_text("{}", encoding="utf-8")
    (raw / demo_ctx.cfg.ward_boundaries).symlink_to(tmp_path / "passwd.geojson")
    ctx = dataclasses.replace(demo_ctx, raw_dir=raw)
    with pytest.raises(UnsafePathError, match="ward_boundaries"):
        _ = ctx.ward_boundaries


def test_a_raw_folder_that_is_itself_a_link_is_fine(tmp_path: Path) -> None:
    from assess.safe_paths import inside

    real = tmp_path / "disk" / "raw"
    (real / "partner").mkdir(parents=True)
    link = tmp_path / "raw"
    link.symlink_to(real)
    assert inside(link, "partner/offenders.csv", field="f") == link / "partner" / "offenders.csv"


def test_a_missing_ward_boundaries_file_is_refused_before_any_chapter_runs(tmp_path: Path) -> None:
    from assess.report.bundle import run_bundle

    (tmp_path / "raw").mkdir()
    cfg_path = write_config(tmp_path, ward_boundaries="geography/wards.geojson")
    cfg = load_config(cfg_path)
    with pytest.raises(ConfigError, match=r"demo.yaml: field 'ward_boundaries': .*wards.geojson does not exist; put"):
        run_bundle(cfg, "2023/24", notebooks_dir=ROOT / "tests" / "fixtures" / "notebooks", raw_dir=tmp_path / "raw",
                   processed_dir=tmp_path / "processed", out_root=tmp_path / "out", config_dir=tmp_path, progress=False)
    assert not (tmp_path / "out").exists()


# -- fetch: names from sources.yaml ------------------------------------------------------------------
def test_sources_file_names_that_leave_raw_are_refused(tmp_path: Path) -> None:
    from assess.fetch import SourcesError, load_sources

    for bad in ({"filename": "../../evil.csv"}, {"filename": "/etc/cron.d/evil"}, {"folder": "../up"}):
        entry = {"role": "lookup", "publisher": "ONS", "url": "https://ons.example/x.csv", "filename": "x.csv", "folder": "ons", **bad}
        path = tmp_path / "sources.yaml"
        path.write_text(yaml.safe_dump({"version": 1, "sources": {"ons_x": entry}}), encoding="utf-8")
        with pytest.raises(SourcesError, match=r"entry 'sources.ons_x.(filename|folder)'"):
            load_sources(path)


def test_fetch_never_saves_outside_raw_even_through_a_link(tmp_path: Path) -> None:
    """The saving side checks too: a folder of the raw data that is a link to elsewhere is refused."""
    from assess.fetch import fetch, load_sources

    body = b"LAD16CD,LAD16NM\nE06000045,Southampton\n"

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        raw = tmp_path / "raw"
        raw.mkdir()
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        (raw / "ons").symlink_to(elsewhere)
        entry = {"role": "lookup", "publisher": "ONS", "url": f"http://127.0.0.1:{httpd.server_address[1]}/x.csv",
                 "filename": "x.csv", "folder": "ons"}
        path = tmp_path / "sources.yaml"
        path.write_text(yaml.safe_dump({"version": 1, "sources": {"ons_x": entry}}), encoding="utf-8")
        with pytest.raises(UnsafePathError, match=r"sources.yaml entry 'ons_x'.*symbolic link"):
            fetch(None, None, None, raw, load_sources(path), include=("lookup",), progress=False, timeout=2, retries=0)
        assert list(elsewhere.iterdir()) == []
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_symlinked_out_root_itself_is_fine(tmp_path: Path) -> None:
    from assess.report.bundle import bundle_path

    real = tmp_path / "disk" / "reports"
    real.mkdir(parents=True)
    out = tmp_path / "reports"
    out.symlink_to(real)
    cfg = CSPConfig.model_validate(BASE)
    assert bundle_path(out, cfg, "2023/24") == out / "demo" / "2023-24"
    assert os.path.realpath(bundle_path(out, cfg, "2023/24")).startswith(str(real))
