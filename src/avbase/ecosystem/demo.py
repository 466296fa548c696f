"""Demo: a catalogue of shared datasets, models, apps and platforms with downloads and ratings; developers
and creators with a ranking, the top-ranked put forward to policy's open round; a past 马栏山杯 with its
final leaderboard and an open one with its public leaderboard; the expert think tank drawing that round's
panel; talent demands; an API key of the data service. Everything goes through the services."""

from __future__ import annotations

import json
import random
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.core.accounts.passwords import hash_password
from avbase.core.accounts.principal import Principal
from avbase.core.audit import Actor
from avbase.core.db import session_scope
from avbase.demo.data import DEMO_PASSWORD
from avbase.ecosystem import contests, dataservice, experts, profiles, resources, talent
from avbase.ecosystem.models import Contest, Expert, Resource, Submission, TalentDemand

SEED = 2026
DEVELOPERS = [
    ("dev.li", "李然（开发者）"),
    ("dev.chen", "陈思远（开发者）"),
    ("dev.he", "何佳（创作者）"),
    ("dev.xu", "徐一鸣（开发者）"),
    ("dev.tang", "唐诗雨（创作者）"),
    ("dev.luo", "罗志强（开发者）"),
]
EXPERTS = [  # username, display name, organisation, title, fields
    ("expert.zhang", None, None, "教授", ["超高清", "音视频编解码"]),
    ("expert.li", None, None, "研究员", ["音视频编解码", "人工智能"]),
    ("expert.wang", None, None, "正高级工程师", ["超高清", "广播电视"]),
    ("expert.chen", "陈教授（中南大学）", "中南大学", "教授", ["超高清", "人工智能"]),
    ("expert.zhao", "赵研究员（湖南师范大学）", "湖南师范大学", "研究员", ["超高清", "数字内容"]),
]
RESOURCES = [  # kind, title, licence, access, keywords, description, publisher index (-1: the creator)
    (
        "dataset",
        "马栏山镜头分割评测集 v2",
        "CC-BY-NC-4.0",
        "open",
        ["镜头分割", "评测"],
        "1,200 段综艺与剧集片段的硬切标注（25 fps），马栏山杯镜头分割赛道的公开部分。",
        0,
    ),
    (
        "dataset",
        "湘语方言语音数据集",
        "CC-BY-NC-SA-4.0",
        "on_request",
        ["语音识别", "方言"],
        "长沙话、湘潭话 320 小时朗读与对话语音，逐句转写。申请后使用。",
        1,
    ),
    (
        "dataset",
        "4K HDR Vivid 调色参考素材",
        "CC-BY-4.0",
        "open",
        ["HDR Vivid", "4K"],
        "PQ/HLG 双版本的 4K 参考片段与调色 LUT。",
        2,
    ),
    (
        "model",
        "8K 超分辨率模型 SR-8K",
        "Apache-2.0",
        "open",
        ["超分辨率", "8K"],
        "4K→8K 视频超分，ONNX 格式，附推理脚本。",
        3,
    ),
    (
        "model",
        "湘语语音识别模型",
        "Apache-2.0",
        "on_request",
        ["语音识别", "方言"],
        "基于湘语方言语音数据集微调的识别模型。",
        1,
    ),
    (
        "code",
        "HDR Vivid 元数据转换工具",
        "MIT",
        "open",
        ["HDR Vivid", "工具"],
        "HDR10 静态元数据到 CUVA HDR Vivid 动态元数据的转换命令行工具。",
        4,
    ),
    (
        "app",
        "芒果云剪 (Android/iOS)",
        "商业许可",
        "open",
        ["剪辑", "移动应用"],
        "面向创作者的移动端云剪辑应用。",
        -1,
    ),
    (
        "content_pack",
        "湖南非遗纪录片素材包",
        "CC-BY-NC-4.0",
        "on_request",
        ["非遗", "纪录片"],
        "湘绣、花鼓戏、土家织锦的 4K 素材与同期声。",
        5,
    ),
    (
        "platform",
        "马栏山视频云渲染公共服务平台",
        "服务协议",
        "open",
        ["渲染", "公共服务平台"],
        "按需调度的 GPU 渲染与转码服务，园区企业可申请算力补贴。",
        0,
    ),
    (
        "platform",
        "超高清制播公共技术服务平台",
        "服务协议",
        "open",
        ["超高清", "公共服务平台"],
        "8K 制作、HDR 质检与 Audio Vivid 母版制作的共享设施。",
        2,
    ),
]
TALENT = [  # role, field, level, count
    ("HDR 调色师", "超高清", "senior", 3),
    ("8K 摄影指导", "超高清", "leading", 1),
    ("视频编解码算法工程师", "音视频编解码", "senior", 4),
    ("AIGC 视频算法研究员", "人工智能", "leading", 2),
    ("声音设计师", "沉浸式音频", "senior", 2),
    ("后期剪辑师", "内容制作", "junior", 6),
    ("虚拟制片技术导演", "虚拟制作", "leading", 1),
    ("数据标注工程师", "人工智能", "junior", 8),
]


def _user(session: Session, username: str, display: str, org_id: int, role: Role, password: str) -> User:
    found = session.scalar(select(User).where(User.username == username))
    if found is not None:
        return found
    user = User(username=username, display_name=display, password_hash=password, role=role, org_id=org_id)
    session.add(user)
    session.flush()
    return user


def _org(session: Session, name: str) -> Organisation:
    found = session.scalar(select(Organisation).where(Organisation.name == name))
    if found is None:
        found = Organisation(name=name, kind=OrgKind.other, region_code="430100")
        session.add(found)
        session.flush()
    return found


def _shot_truth(rng: random.Random, videos: int) -> dict[str, Any]:
    truth: dict[str, Any] = {}
    for number in range(videos):
        at, cuts = 0.0, []
        for _ in range(rng.randint(8, 20)):
            at += rng.uniform(1.0, 6.0)
            cuts.append(round(at, 2))
        truth[f"mls-{number:03d}"] = {"fps": 25, "cuts": cuts}
    return {"videos": truth}


def _shot_guess(rng: random.Random, truth: dict[str, Any], skill: float) -> bytes:
    guess = {}
    for name, video in truth["videos"].items():
        cuts = [
            round(t + rng.choice((-3, -1, 0, 0, 1, 2)) / 25, 3) for t in video["cuts"] if rng.random() < skill
        ]
        cuts += [
            round(rng.uniform(0, video["cuts"][-1]), 2) for _ in range(rng.randint(0, int((1 - skill) * 6)))
        ]
        guess[name] = {"cuts": sorted(cuts)}
    return json.dumps({"videos": guess}).encode()


def _copy_truth(rng: random.Random, queries: int) -> dict[str, Any]:
    truth = {}
    for number in range(queries):
        matches = []
        for _ in range(rng.randint(0, 3)):
            start = round(rng.uniform(0, 200), 1)
            matches.append(
                {
                    "work": f"W-{rng.randint(1, 40):03d}",
                    "start": start,
                    "end": round(start + rng.uniform(8, 60), 1),
                }
            )
        truth[f"q-{number:03d}"] = {"matches": matches}
    return {"queries": truth}


def _copy_guess(rng: random.Random, truth: dict[str, Any], skill: float) -> bytes:
    guess = {}
    for name, query in truth["queries"].items():
        found = []
        for match in query["matches"]:
            if rng.random() < skill:
                shift = rng.uniform(-4, 4) * (1.2 - skill)
                found.append(
                    {**match, "start": max(0.0, match["start"] + shift), "end": match["end"] + shift}
                )
        if rng.random() > skill:
            found.append({"work": f"W-{rng.randint(1, 40):03d}", "start": 10.0, "end": 30.0})
        guess[name] = {"matches": found}
    return json.dumps({"queries": guess}).encode()


def _score_now(session: Session, submission_ids: list[int]) -> None:
    """Scores the demo's submissions in place (as their jobs would) and records those jobs as done, so the
    demo needs no second worker while its own job runs."""
    from avbase.core.db import utcnow
    from avbase.core.jobs import Job, JobState

    for submission_id in submission_ids:
        scored = contests.score_submission(session, submission_id)
        job = session.get(Job, scored.job_id) if scored.job_id else None
        if job is not None:
            job.state, job.progress, job.finished_at = JobState.succeeded, 1.0, utcnow()
            job.result = {"submission": scored.id, "public_score": scored.public_score}


def _totals(session: Session) -> dict[str, int]:
    """What the ecosystem holds: the same figures whether this load added them or an earlier one did."""

    def count(model: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)

    return {
        "resources": count(Resource),
        "contests": count(Contest),
        "submissions": count(Submission),
        "experts": count(Expert),
        "talent_demands": count(TalentDemand),
    }


def load(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as session:
        if session.scalar(select(func.count()).select_from(Contest)):
            return _totals(session)
    rng = random.Random(SEED)
    password = hash_password(DEMO_PASSWORD)
    with session_scope(engine) as session:
        session.info["actor"] = Actor(name="demo")
        officer_user = session.scalar(select(User).where(User.username == "hn.officer"))
        assert officer_user is not None, "the demo users come first"
        officer = Principal.of(officer_user)
        hunan = list(
            session.scalars(
                select(Organisation)
                .where(Organisation.kind == OrgKind.enterprise, Organisation.region_code.startswith("43"))
                .order_by(Organisation.id)
                .limit(40)
            )
        )
        people = [
            _user(session, username, display, hunan[3 + 4 * n].id, Role.creator, password)
            for n, (username, display) in enumerate(DEVELOPERS)
        ]
        creator = session.scalar(select(User).where(User.username == "creator"))
        publishers = [Principal.of(u) for u in people]
        made = 0
        folder = Path(tempfile.mkdtemp(prefix="avbase-demo-eco-"))
        for kind, title, licence, access, keywords, description, who in RESOURCES:
            publisher = Principal.of(creator) if who < 0 and creator else publishers[max(who, 0)]
            resource = resources.publish(
                session,
                publisher,
                kind=kind,
                title=title,
                description=description,
                licence=licence,
                access=access,
                keywords=keywords,
                landing_url="https://cloud.malanshan.example.cn" if kind in ("platform", "app") else None,
            )
            for version in ("1.0", "2.0")[: 1 + (made % 2)]:
                sample = folder / f"{made}-{version}"
                sample.write_text(json.dumps({"resource": title, "version": version}, ensure_ascii=False))
                resources.add_version(
                    session,
                    publisher,
                    resource.id,
                    version=version,
                    notes="首次发布" if version == "1.0" else "扩充样本、修正标注",
                    files=[(sample, f"{kind}-{version}.json")],
                )
            made += 1
        session.flush()
        readers = [
            Principal.of(u) for u in session.scalars(select(User).where(User.role != Role.admin).limit(12))
        ]
        for resource in resources.list_resources(session):
            for reader in rng.sample(readers, rng.randint(1, len(readers))):
                if reader.user_id == resource.publisher_id:
                    continue
                if resource.access.value == "on_request":
                    asked = resources.request_access(
                        session, reader, resource.id, purpose="用于算法研发与测试"
                    )
                    if rng.random() < 0.3:
                        continue  # still waiting for the publisher
                    resources.decide(
                        session,
                        Principal.of(session.get(User, resource.publisher_id)),  # type: ignore[arg-type]
                        asked.id,
                        approve=True,
                    )
                for _ in range(rng.randint(1, 4)):
                    resources.download(session, reader, resource.versions[0].files[0].id)
                resources.rate(session, reader, resource.id, rng.choice((3, 4, 4, 5, 5)))

        # Experts: the three of policy's demo and two more, with fields and their own organisations.
        for username, display, org_name, title, fields in EXPERTS:
            user = session.scalar(select(User).where(User.username == username))
            if user is None and display and org_name:
                user = _user(session, username, display, _org(session, org_name).id, Role.reviewer, password)
            if user is not None:
                org = session.get(Organisation, user.org_id)
                experts.register(
                    session,
                    officer,
                    user_id=user.id,
                    title=title,
                    affiliation=org.name if org else "",
                    fields=fields,
                )

        # Talent demands from Hunan enterprises.
        for number, (role, field, level, count) in enumerate(TALENT * 2):
            org = hunan[(number * 5) % len(hunan)]
            staff = Principal(0, "demo", "demo", Role.enterprise_staff, org.id, org.name, org.region_code)
            talent.post(
                session, staff, role=role, field=field, level=level, count=max(1, count - number // 8)
            )
        dataservice.create_key(
            session,
            officer,
            holder="湖南师范大学数据新闻实验室",
            contact="data@hunnu.example.cn",
            daily_quota=500,
        )

        # The past contest (closed, final leaderboard) and the open one (public leaderboard).
        shot_truth = _shot_truth(rng, 60)
        past = contests.create_contest(
            session,
            officer,
            title="第三届马栏山杯音视频算法大赛 · 镜头分割赛道",
            metric="shot-f1",
            truth=json.dumps(shot_truth).encode(),
            truth_name="shots-truth.json",
            public_share=0.4,
            daily_limit=5,
            description="在 60 段综艺与剧集片段中找出所有硬切（±2 帧内算命中），按 F1 排名。",
        )
        copy_truth = _copy_truth(rng, 50)
        current = contests.create_contest(
            session,
            officer,
            title="第四届马栏山杯音视频算法大赛 · 盗版片段检测赛道",
            metric="copy-segment-f1",
            truth=json.dumps(copy_truth).encode(),
            truth_name="copies-truth.json",
            public_share=0.5,
            daily_limit=3,
            deadline=datetime(2027, 3, 31, 15, 59, 59, tzinfo=UTC),
            description="对每段待查视频，指出其中复制自哪部作品的哪一段（作品一致且 IoU ≥ 0.5 算命中）。",
        )
        entrants = [
            *publishers,
            *(
                Principal.of(u)
                for u in session.scalars(select(User).where(User.role == Role.enterprise_staff))
            ),
        ]
        if creator:
            entrants.append(Principal.of(creator))
        team = contests.create_team(session, entrants[0], past.id, "芒果智能实验室")
        contests.join_team(session, entrants[1], team.id)
        past_ids, current_ids, past_task = past.id, current.id, past.tasks[0].id
    submitted: list[int] = []
    with session_scope(engine) as session:
        session.info["actor"] = Actor(name="demo")
        for number, entrant in enumerate(entrants):
            skill = 0.55 + 0.4 * rng.random()
            for attempt in range(1 + number % 3):
                if not (number == 1 and attempt):  # the team's second member leaves the tries to the first
                    made_sub = contests.submit(
                        session,
                        entrant,
                        past_ids,
                        data=_shot_guess(rng, shot_truth, min(skill + 0.04 * attempt, 0.98)),
                        file_name=f"shots-{attempt + 1}.json",
                    )
                    submitted.append(made_sub.id)
            if number % 2 == 0:
                made_sub = contests.submit(
                    session,
                    entrant,
                    current_ids,
                    data=_copy_guess(rng, copy_truth, skill),
                    file_name="copies.json",
                )
                submitted.append(made_sub.id)
        session.flush()
        for submission_id in submitted:  # the closed contest's entries came in during October
            sent = session.get(Submission, submission_id)
            if sent is not None and sent.task_id == past_task:
                sent.created_at = datetime(
                    2026, 10, rng.randint(1, 30), rng.randint(1, 15), rng.randint(0, 59), tzinfo=UTC
                )
        _score_now(session, submitted)
    with session_scope(engine) as session:
        session.info["actor"] = Actor(name="demo")
        officer = Principal.of(session.scalar(select(User).where(User.username == "hn.officer")))  # type: ignore[arg-type]
        finished = contests.get_contest(session, past_ids)
        finished.deadline = datetime(2026, 10, 31, 15, 59, 59, tzinfo=UTC)  # the entries came in before it
        contests.close_contest(session, officer, past_ids)
    with session_scope(engine) as session:
        session.info["actor"] = Actor(name="demo")
        officer = Principal.of(session.scalar(select(User).where(User.username == "hn.officer")))  # type: ignore[arg-type]
        from avbase.policy import rounds

        # Hunan's open call (hn.officer's): the demo's creators and developers work in Hunan.
        open_round = next(iter(rounds.open_rounds_run_by(session, officer)), None)
        nominated = 0
        if open_round is not None:
            period = profiles.parse_period(str(datetime.now(UTC).year))
            nominated = len(
                profiles.nominate(
                    session,
                    officer,
                    round_id=open_round.id,
                    period=period,
                    ranking_scheme=profiles.scheme(session),
                    top=3,
                )
            )
            experts.draw_panel(session, officer, open_round.id, field="超高清", size=3)
        del made, submitted, nominated  # the totals below are what a second load reports too
        return _totals(session)
