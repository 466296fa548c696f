"""``avbase review check`` end to end, as an operator runs it: a programme with faults at known times
(FFmpeg lavfi) is ingested, analysed (OCR of its burned-in caption, its subtitle stream), checked and
reported exactly; a clean one passes; bad input exits 2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import init_with_studio, run_cli
from tests.review.programme import CAPTION, FAULTS, SLOW_CHANGE, STILL_STRIPES, clean, faulty, still_stripes

FRAME = 0.04


@pytest.fixture(scope="module")
def programmes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if not shutil.which("ffmpeg"):
        pytest.skip("ffmpeg is not installed")
    folder = tmp_path_factory.mktemp("programmes")
    return {"faulty": faulty(folder), "clean": clean(folder), "still": still_stripes(folder)}


@pytest.fixture(scope="module")
def var(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("review-cli") / "var"
    init_with_studio(folder)
    pack = folder.parent / "gambling.txt"
    pack.write_text("赌博,涉赌,high\n博彩,涉赌\n口交,低俗\n", encoding="utf-8")
    whitelist = folder.parent / "harmless.txt"
    whitelist.write_text("路口交通\n", encoding="utf-8")
    loaded = run_cli(folder, "review", "terms", "load", str(pack), "--name", "涉赌", "--whitelist",
                     str(whitelist), "--json")  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr
    assert json.loads(loaded.stdout) == {"pack": "涉赌", "version": 1, "terms": 3, "whitelist": 1,
                                         "sha256": json.loads(loaded.stdout)["sha256"]}  # fmt: skip
    return folder


def test_a_programme_with_faults_is_reported_exactly(var: Path, programmes: dict[str, Path]) -> None:
    done = run_cli(var, "review", "check", str(programmes["faulty"]), "--profile", "gy-t-282",
                   "--org", "Studio", "--json", timeout=600)  # fmt: skip
    assert done.returncode == 3, done.stderr
    report = json.loads(done.stdout)
    assert report["verdict"] == "fail"
    loudness = report["loudness"]
    assert loudness["integrated_lufs"] > -22  # the +23 dB stretch
    assert loudness["true_peak_dbtp"] > -2
    qc = [f for f in report["findings"] if f["source"] == "qc"]
    kinds = [f["kind"] for f in qc]
    assert kinds == ["loudness", "true_peak", "black", "freeze", "flash", "silence"], qc
    assert qc[0]["start"] == 0 and qc[0]["limit"] == -24
    for finding, (kind, start, end) in zip(qc[1:], FAULTS, strict=True):
        assert finding["kind"] == kind
        assert finding["start"] == pytest.approx(start, abs=2 * FRAME), finding
        if kind == "flash":
            # the last flash reverses into the next scene within the failing second
            assert end - FRAME <= finding["end"] <= end + 0.5, finding
        else:
            assert finding["end"] == pytest.approx(end, abs=2 * FRAME), finding
    assert all(f["thumbnail"] and f["thumbnail"].startswith("thumbs/") for f in qc)  # the frame at its start
    assert not any(SLOW_CHANGE[0] + 0.5 < f["start"] < SLOW_CHANGE[1] for f in qc if f["kind"] == "flash")
    terms = [f for f in report["findings"] if f["kind"] == "term"]
    by_source = {f["source"]: f for f in terms}
    assert set(by_source) == {"ocr", "subtitle"}, terms
    assert by_source["subtitle"]["term"] == "赌博" and "賭博" in by_source["subtitle"]["text"]
    assert by_source["subtitle"]["start"] == 27.0 and by_source["subtitle"]["end"] == 29.0
    assert by_source["ocr"]["term"] == "赌博" and "赌博" in CAPTION
    assert 21.5 <= by_source["ocr"]["start"] <= 22.6 and by_source["ocr"]["end"] <= 26.6
    assert all(f["category"] == "涉赌" for f in terms)
    # every number names its unit: a finding's value and limit in "unit", the loudness keys in their suffix
    assert {f["kind"]: f["unit"] for f in report["findings"]} == {
        "loudness": "LUFS", "true_peak": "dBTP", "black": "s", "freeze": "s", "flash": "flashes/s",
        "silence": "s", "term": "",
    }  # fmt: skip
    assert report["units"] == {"start": "s", "end": "s", "duration": "s"}
    assert set(loudness) == {"integrated_lufs", "lra_lu", "momentary_max_lufs", "short_term_max_lufs",
                             "true_peak_dbtp", "sample_peak_dbfs", "true_peak_at_s"}  # fmt: skip

    # the same asset again, by id, against another profile, as text: the same faults, EBU's limits, each
    # measured value with its unit
    asset_id = str(report["asset"])
    again = run_cli(var, "review", "check", asset_id, "--profile", "ebu-r128", env={"COLUMNS": "250"},
                    timeout=300)  # fmt: skip
    assert again.returncode == 3, again.stderr
    lines = again.stdout.splitlines()
    assert "fail (ebu-r128)" in again.stdout
    rows = {line.split("│")[1].strip(): line for line in lines if line.count("│") > 3}
    assert [kind for kind in rows if kind in kinds] == kinds, again.stdout
    assert "-1.00 dBTP" in rows["true_peak"] and " dBTP" in rows["true_peak"].split("│")[5]
    assert "-23.00 LUFS" in rows["loudness"]
    assert "flashes/s" in rows["flash"] and "3.00 flashes/s" in rows["flash"]
    for kind in ("black", "freeze", "silence"):
        measured, limit = rows[kind].split("│")[5:7]
        assert measured.strip().endswith(" s") and limit.strip() == "2.00 s", rows[kind]
    assert "00:04." in rows["black"]  # start and end as timecodes
    loudness_rows = {line.split("│")[1].strip(): line.split("│")[2].strip() for line in lines
                     if line.count("│") == 3}  # fmt: skip
    assert loudness_rows["Integrated loudness"].endswith(" LUFS")
    assert loudness_rows["Loudness range"].endswith(" LU") and loudness_rows["True peak"].endswith(" dBTP")


def test_a_clean_programme_passes(var: Path, programmes: dict[str, Path]) -> None:
    done = run_cli(var, "review", "check", str(programmes["clean"]), "--org", "Studio", "--json", timeout=600)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["verdict"] == "pass" and report["findings"] == []
    assert report["loudness"]["integrated_lufs"] == pytest.approx(-24.0, abs=0.1)


def test_still_stripes_warn_and_the_programme_passes(var: Path, programmes: dict[str, Path]) -> None:
    done = run_cli(var, "review", "check", str(programmes["still"]), "--org", "Studio", "--json", timeout=600)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["verdict"] == "pass"
    assert [(f["kind"], f["detail"], f["severity"], f["unit"], f["limit"]) for f in report["findings"]] == [
        ("pattern", "still", "warning", "pairs", 5)
    ]  # fmt: skip
    finding = report["findings"][0]
    assert (finding["start"], finding["end"]) == pytest.approx(STILL_STRIPES, abs=2 * FRAME)
    assert finding["value"] == pytest.approx(8, abs=0.6)


def test_bad_input_exits_2(var: Path, tmp_path: Path) -> None:
    assert run_cli(var, "review", "check", "99999", "--json").returncode == 2
    unknown = run_cli(var, "review", "check", "1", "--profile", "no-such", "--json")
    assert unknown.returncode == 2 and "profile" in unknown.stderr
    bad = tmp_path / "bad.txt"
    bad.write_text("赌博\n博彩,涉赌,urgent\n", encoding="utf-8")
    loaded = run_cli(var, "review", "terms", "load", str(bad), "--name", "x")
    assert loaded.returncode == 2 and "Line 2" in loaded.stderr
