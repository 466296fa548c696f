"""The works registry and the library watch on a real database, jobs and file store: a registered work is
deposited and fingerprinted by its media job; another organisation's upload of a copy is found by the
watch; the rights holder sees the suspected copy, the uploader only that its asset matched."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from avbase.core import inbox
from avbase.core.accounts.models import Organisation, Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.errors import AvbaseError, Forbidden
from avbase.core.jobs.models import Job, JobState
from avbase.core.jobs.worker import Worker
from avbase.kit.dates import today
from avbase.media import service as media
from avbase.media.models import Asset
from avbase.rights import certificates, tracing, works
from avbase.rights.fingerprint import audio
from avbase.rights.fingerprint import search as fingerprints
from avbase.rights.fingerprint.index import FingerprintIndex
from avbase.rights.models import SuspectedCopy, WorkAsset, WorkType
from tests.conftest import init_with_studio, run_cli
from tests.rights.clips import X264, _wait, iou, run


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from tests.conftest import find_corpus

    corpus = find_corpus()
    if corpus is None:
        pytest.skip("../shared/corpus is not here")
    folder = tmp_path_factory.mktemp("registry")
    source = str(corpus / "bbb_0_30.webm")
    out = {"work": folder / "work.mp4", "copy": folder / "copy.mp4", "unrelated": folder / "unrelated.mp4"}
    _wait([
        run(["-ss", "6", "-i", source, "-t", "7", "-vf", "scale=480:270", *X264, str(out["work"])]),
        run(["-ss", "8", "-i", source, "-t", "4", "-vf", "hflip,scale=320:180", *X264, str(out["copy"])]),
        run(["-i", str(corpus / "person.mp4"), "-t", "3", "-vf", "scale=320:-2", *X264, str(out["unrelated"])]),
    ])  # fmt: skip
    return out


def test_shares_must_sum_to_100() -> None:
    works.check_shares([works.HolderShare("A", Decimal("60")), works.HolderShare("B", Decimal("40"))])
    with pytest.raises(AvbaseError, match="add up"):
        works.check_shares([works.HolderShare("A", Decimal("60")), works.HolderShare("B", Decimal("30"))])
    with pytest.raises(AvbaseError, match="named twice"):
        works.check_shares([works.HolderShare("A", Decimal("50")), works.HolderShare("A", Decimal("50"))])
    with pytest.raises(AvbaseError, match="NAME=SHARE"):
        works.HolderShare.parse("no share")
    assert works.HolderShare.parse("星河影业=62.5%").share == Decimal("62.5")


# The whole flow analyses media (OCR included): once, on SQLite; the services are the same on PostgreSQL.
@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_register_deposit_fingerprint_watch_and_inbox(
    db: Session,
    clean_engine: Engine,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
    clips: dict[str, Path],
) -> None:
    studio = make_org("星河影业")
    holder = Principal.of(make_user(role=Role.enterprise_staff, org=studio))
    uploader_org = make_org("某短视频平台")
    uploader = Principal.of(make_user(role=Role.enterprise_staff, org=uploader_org))
    reviewer = Principal.of(make_user(role=Role.reviewer, org=studio))

    with pytest.raises(Forbidden):
        works.register(db, reviewer, works.WorkIn(title="x"), [clips["work"]])
    work, certificate = works.register(
        db,
        holder,
        works.WorkIn(
            title="山海之间",
            work_type=WorkType.micro_drama,
            holders=[works.HolderShare("星河影业", Decimal(70)), works.HolderShare("李明", Decimal(30))],
            creators=[{"role": "导演", "name": "李明"}],
        ),
        [clips["work"]],
    )
    db.commit()
    document = certificates.parse(certificate.document)
    assert certificates.verify(document, [clips["work"]], trusted=certificates.trusted_keys()).valid
    Worker(clean_engine).run_until_idle()  # analysis with its fingerprint step: the work is indexed
    db.expire_all()
    link = db.scalar(select(WorkAsset).where(WorkAsset.work_id == work.id))
    assert link is not None and link.fingerprinted_at is not None

    copy, _ = media.ingest(db, uploader, clips["copy"], file_name="热门短剧.mp4", move=False)
    unrelated, _ = media.ingest(db, uploader, clips["unrelated"], file_name="vlog.mp4", move=False)
    db.commit()
    Worker(clean_engine).run_until_idle()  # their analysis queues the watch, which runs when idle
    db.expire_all()
    found = db.scalars(select(SuspectedCopy)).all()
    assert [(f.asset_id, f.work_id, f.org_id) for f in found] == [(copy.id, work.id, uploader_org.id)]
    # the copy is 8–12 s of the source, the work starts at 6 s: 2–6 s of the work
    assert iou((found[0].reference_start, found[0].reference_end), (2.0, 6.0)) > 0.6

    holder_items = [i for i in inbox.collect(db, holder, on=today()) if i.domain == "rights"]
    assert len(holder_items) == 1 and "某短视频平台" in holder_items[0].title
    assert holder_items[0].link == f"/rights/matches/{found[0].id}"
    uploader_items = [i for i in inbox.collect(db, uploader, on=today()) if i.domain == "rights"]
    assert len(uploader_items) == 1
    assert "山海之间" not in uploader_items[0].title + uploader_items[0].detail  # nothing about the work
    assert uploader_items[0].link == f"/media/{copy.id}"

    # An explicit match of the uploader's asset: the work is not disclosed to them, fully to the holder.
    matches = tracing.match_asset(db, uploader, copy.id)
    assert [m.work_id for m in matches] == [work.id]
    shown = matches[0].to_json(disclosed=tracing.may_see_work(uploader, matches[0].work_org_id))
    assert shown["work_id"] is None and shown["title"] is None
    assert tracing.match_asset(db, uploader, unrelated.id) == []

    # The work's video print came from the decoding pass of its pictures: the file was decoded once.
    work_asset = db.get(Asset, link.asset_id)
    assert work_asset is not None and work_asset.derived["fingerprint"]["video_from_pictures"] is True

    # A damaged index is not half-read: matching says so and queues its rebuild from the stored prints.
    (tracing.index_root() / "video" / "manifest.json").write_text("{damaged")
    with pytest.raises(tracing.IndexRebuilding):
        tracing.match_asset(db, uploader, copy.id)
    db.rollback()
    queued = db.scalars(select(Job).where(Job.kind == tracing.REINDEX_JOB)).all()
    assert [job.state for job in queued] == [JobState.queued]
    Worker(clean_engine).run_until_idle()
    assert [m.work_id for m in tracing.match_asset(db, uploader, copy.id)] == [work.id]

    # An upgrade of the audio keys (version 1 pairs before): the stored print and the index of the old keys
    # are not mixed with new ones; matching queues the rebuild, which fingerprints the work again.
    stored = tracing.prints_folder(work_asset.sha256)
    old_print = fingerprints.load(stored).audio
    assert old_print is not None and old_print.version == audio.VERSION
    old_print.version = 1
    old_print.save(stored / fingerprints.AUDIO_PRINT)
    manifest_path = tracing.index_root() / "audio" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest_path.write_text(json.dumps({**manifest, "keys": 1}))
    assert fingerprints.stale(stored) and fingerprints.load(stored).audio is None
    with pytest.raises(tracing.IndexRebuilding):
        tracing.match_asset(db, uploader, copy.id)
    db.rollback()
    Worker(clean_engine).run_until_idle()  # the rebuild, then the work's fingerprint job
    db.expire_all()
    assert not fingerprints.stale(stored)
    assert FingerprintIndex(tracing.index_root() / "audio").keys_version() == audio.VERSION
    assert FingerprintIndex(tracing.index_root() / "audio").references() == {work_asset.id}
    assert db.get(WorkAsset, link.id).fingerprinted_at is not None  # type: ignore[union-attr]
    assert [m.work_id for m in tracing.match_asset(db, uploader, copy.id)] == [work.id]


def test_cli_register_works_match_verify(tmp_path: Path, clips: dict[str, Path]) -> None:
    var_dir = tmp_path / "var"
    init_with_studio(var_dir)
    added = run_cli(var_dir, "user", "add", "maker", "--role", "enterprise_staff", "--org", "Studio",
                    "--password", "correct-horse-42")  # fmt: skip
    assert added.returncode == 0, added.stderr
    bad = run_cli(var_dir, "rights", "register", str(clips["work"]), "--title", "T", "--as", "maker",
                  "--holder", "A=50", "--holder", "B=40", "--json")  # fmt: skip
    assert bad.returncode == 2 and "holders" in bad.stderr
    done = run_cli(var_dir, "rights", "register", str(clips["work"]), "--title", "山海之间", "--as", "maker",
                   "--type", "film", "--wait", "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    registered = json.loads(done.stdout)
    assert registered["title"] == "山海之间" and registered["holders"] == [{"name": "Studio", "share": "100"}]
    cert = tmp_path / "work.cert.json"
    cert.write_text(json.dumps(registered["certificate_document"]), encoding="utf-8")
    assert run_cli(var_dir, "rights", "verify", str(clips["work"]), str(cert)).returncode == 0
    assert run_cli(var_dir, "rights", "verify", str(clips["copy"]), str(cert)).returncode == 3

    listed = json.loads(run_cli(var_dir, "rights", "works", "--json").stdout)
    assert [w["id"] for w in listed] == [registered["id"]]
    matched = run_cli(var_dir, "rights", "match", str(clips["copy"]), "--json")
    assert matched.returncode == 0, matched.stderr
    best = json.loads(matched.stdout)["matches"][0]
    assert set(best) == {"work_id", "title", "reference_start", "reference_end", "query_start", "query_end",
                         "score", "modality"}  # fmt: skip
    assert best["work_id"] == registered["id"] and best["title"] == "山海之间"
    none = run_cli(var_dir, "rights", "match", str(clips["unrelated"]), "--json")
    assert none.returncode == 0 and json.loads(none.stdout) == {"matches": []}
