"""Demo: registered works with certificates, a pirated copy in another organisation's library (found by the
library watch once the jobs have run), and a marketplace with listings, offers and a licence.

The studio registers its Big Buck Bunny clip (an animation, 70/30 with its director) and the creator's company
its sample; the post-production house uploads a mirrored, downscaled excerpt of the clip, which the watch
reports to the studio. Safe to run twice: nothing is added when the studio's work exists.
"""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.audit import Actor
from avbase.core.db import session_scope
from avbase.media import service as media
from avbase.media.demo import CREATOR, POST_HOUSE, STUDIO
from avbase.media.models import Asset
from avbase.rights import marketplace, works
from avbase.rights.models import MediaRight, Work, WorkType

WORK_TITLE = "大雄兔"


def _acting_for(session: Session, org: Organisation) -> Principal:
    """A staff member of the organisation if the demo has one, else the operator acting for it."""
    user = session.scalar(
        select(User).where(User.org_id == org.id, User.role == Role.enterprise_staff).order_by(User.id)
    )
    if user is not None:
        session.info["actor"] = Actor(name=user.username, user_id=user.id)
        return Principal.of(user)
    return Principal(0, "demo", "demo", Role.enterprise_staff, org.id, org.name, org.region_code)


def pirate_copy(source: Path, out: Path, *, start: float = 8.0, seconds: float = 12.0) -> Path:
    """A mirrored 480×270 excerpt of the clip with a white 'station logo', as a pirate channel would post."""
    with av.open(str(source)) as reader, av.open(str(out), "w") as writer:
        stream = writer.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 480, 270, "yuv420p"
        stream.codec_context.time_base = Fraction(1, 24)
        number = 0
        for frame in reader.decode(reader.streams.video[0]):
            if frame.time is None or frame.time < start:
                continue
            if frame.time >= start + seconds:
                break
            picture = frame.reformat(width=480, height=270, format="rgb24").to_ndarray()[:, ::-1].copy()
            picture[16:40, 400:464] = 255  # the logo
            out_frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(picture, np.uint8), format="rgb24")
            out_frame.pts = number
            number += 1
            for packet in stream.encode(out_frame):
                writer.mux(packet)
        for packet in stream.encode():
            writer.mux(packet)
    return out


def _totals(session: Session) -> dict[str, int]:
    """The same figures whether this load made the works or an earlier one did."""
    return {"works": int(session.scalar(select(func.count()).select_from(Work)) or 0)}


def load(engine: Engine) -> dict[str, int]:
    from avbase.core import storage

    with session_scope(engine) as session:
        if session.scalar(select(Work.id).where(Work.title == WORK_TITLE).limit(1)):
            return _totals(session)  # loaded before: nothing to encode again
        source = session.scalar(select(Asset.sha256).where(Asset.file_name == "bbb_0_30.webm").limit(1))
    if source is None:
        return {"works": 0}
    # Encoded before the transaction: on SQLite a long write transaction would block every other writer.
    with tempfile.TemporaryDirectory() as folder:
        copy = pirate_copy(storage.path_of(source), Path(folder) / "热门动画搬运.mp4")
        return _load(engine, copy)


def _load(engine: Engine, copy: Path) -> dict[str, int]:
    with session_scope(engine) as session:
        orgs = {org.name: org for org in session.scalars(select(Organisation))}
        studio, post_house, creator = orgs.get(STUDIO), orgs.get(POST_HOUSE), orgs.get(CREATOR)
        if studio is None or post_house is None or creator is None:
            return {"works": 0}
        if session.scalar(select(Work.id).where(Work.org_id == studio.id, Work.title == WORK_TITLE)):
            return _totals(session)
        clip = session.scalar(
            select(Asset).where(Asset.org_id == studio.id, Asset.file_name == "bbb_0_30.webm")
        )
        sample = session.scalar(
            select(Asset).where(Asset.org_id == creator.id, Asset.file_name == "example_16s.mp4")
        )
        if clip is None:
            return {"works": 0}
        holder = _acting_for(session, studio)
        work = works.create_work(
            session,
            holder,
            works.WorkIn(
                title=WORK_TITLE,
                work_type=WorkType.animation,
                creators=[{"role": "导演", "name": "陈晓东"}, {"role": "编剧", "name": "林薇"}],
                holders=[
                    works.HolderShare(studio.name, Decimal(70), studio.id),
                    works.HolderShare("陈晓东", Decimal(30)),
                ],
                registration_number="国作登字-2026-I-00086531",
                registered_on=date(2026, 3, 18),
            ),
        )
        works.attach_assets(session, holder, work, [clip.id])
        works.deposit(session, holder, work)
        if sample is not None:
            other = _acting_for(session, creator)
            sample_work = works.create_work(
                session, other, works.WorkIn(title="创作者样片", work_type=WorkType.micro_drama)
            )
            works.attach_assets(session, other, sample_work, [sample.id])
            works.deposit(session, other, sample_work)

        session.info["actor"] = Actor(name="demo")
        holder = _acting_for(session, studio)
        svod = marketplace.create_listing(
            session,
            holder,
            marketplace.ListingIn(
                work.id,
                MediaRight.svod,
                "CN",
                date(2027, 1, 1),
                date(2028, 12, 31),
                True,
                Decimal("800000.00"),
                "全国网络独家首播",
            ),
        )
        short = marketplace.create_listing(
            session,
            holder,
            marketplace.ListingIn(
                work.id,
                MediaRight.short_video,
                "WW",
                date(2027, 1, 1),
                date(2027, 12, 31),
                False,
                None,
                "短视频二创授权，价格面议",
            ),
        )
        marketplace.create_listing(
            session,
            holder,
            marketplace.ListingIn(
                work.id,
                MediaRight.overseas,
                "WW",
                date(2027, 6, 1),
                date(2029, 5, 31),
                True,
                Decimal("1200000.00"),
            ),
        )
        buyer = _acting_for(session, creator)
        offer = marketplace.make_offer(
            session, buyer, marketplace.OfferIn(svod.id, Decimal("760000.00"), message="希望 2027 年元旦上线")
        )
        post = _acting_for(session, post_house)
        marketplace.make_offer(session, post, marketplace.OfferIn(short.id, Decimal("30000.00")))
        marketplace.accept_offer(session, _acting_for(session, studio), offer.id)

        # The pirated copy goes into the post-production house's library; its analysis fingerprints it and
        # the library watch reports it to the studio.
        uploaded, _known = media.ingest(
            session, _acting_for(session, post_house), copy, file_name=copy.name, move=False
        )
        uploaded.title = "热门动画（搬运）"
        return _totals(session)
