"""Turning inbox items into notifications, and notifications into e-mails.

A scan asks every provider what each active user must act on and records what is new (one row per user and
item, in the user's language). Each row shows under the bell at once; by e-mail it goes at once, in the day's
digest or not at all, as the user chose for its kind. E-mails are sent by durable jobs enqueued in the
scan's transaction: an SMTP failure is retried with backoff and never touches the action behind the item.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from avbase.core import inbox
from avbase.core.accounts.models import User
from avbase.core.accounts.principal import Principal
from avbase.core.audit import Actor
from avbase.core.db import session_scope, utcnow
from avbase.core.errors import AvbaseError, NotFound
from avbase.core.i18n import _, ngettext, reset_locale, set_locale
from avbase.core.jobs import service as jobs
from avbase.core.notifications.channels import OutgoingMessage, SmtpChannel
from avbase.core.notifications.models import Delivery, EmailState, Notification, NotificationPreference
from avbase.kit.dates import today
from avbase.settings import get_settings

log = logging.getLogger(__name__)

EMAIL_JOB = "notifications.email"
SEND_ATTEMPTS = 6


# --- preferences -------------------------------------------------------------------------------------


def default_delivery(urgency: inbox.Urgency) -> Delivery:
    """Without a choice: what is overdue comes at once, the rest in the daily digest."""
    return Delivery.immediate if urgency is inbox.Urgency.overdue else Delivery.digest


def preferences(session: Session, user_id: int) -> dict[str, Delivery]:
    return dict(
        session.execute(
            select(NotificationPreference.kind, NotificationPreference.delivery).where(
                NotificationPreference.user_id == user_id
            )
        ).all()
    )


def set_preference(session: Session, principal: Principal, *, kind: str, delivery: str) -> None:
    inbox.load_providers()
    if kind not in inbox.ITEM_KINDS:
        raise AvbaseError("Unknown kind of notification: {kind}.", field="kind", kind=kind)
    if delivery not in {d.value for d in Delivery}:
        raise AvbaseError("Choose immediately, in the daily digest or off.", field=kind)
    row = session.scalar(
        select(NotificationPreference).where(
            NotificationPreference.user_id == principal.user_id, NotificationPreference.kind == kind
        )
    )
    if row is None:
        session.add(NotificationPreference(user_id=principal.user_id, kind=kind, delivery=Delivery(delivery)))
    else:
        row.delivery = Delivery(delivery)
    session.flush()


# --- making notifications ----------------------------------------------------------------------------


def _email_possible(user: User) -> bool:
    return bool(user.email and get_settings().smtp_host)


def notify(session: Session, user: User, *, on: date) -> list[Notification]:
    """Records the user's inbox items not told yet; queues one e-mail for those that go at once."""
    token = set_locale(user.locale or get_settings().default_locale)
    try:
        items = inbox.collect(session, Principal.of(user), on=on)
    finally:
        reset_locale(token)
    return deliver(session, user, items)


def deliver(session: Session, user: User, items: Sequence[inbox.InboxItem]) -> list[Notification]:
    """Notifications for items the user has not been told of (by kind and key), in the app and by e-mail as
    the user's preferences say. Also the way to send a one-off message such as a park's reminder."""
    told = set(session.scalars(select(Notification.key).where(Notification.user_id == user.id)))
    chosen = preferences(session, user.id)
    made = []
    for item in items:
        # The kind is part of the key: a review that turns overdue, or a report past its deadline, is news.
        key = f"{item.kind}|{item.key}"[:200]
        if key in told:
            continue
        told.add(key)
        delivery = chosen.get(item.kind, default_delivery(item.urgency))
        if delivery is Delivery.off or not _email_possible(user):
            state = EmailState.skipped
        else:
            state = EmailState.queued if delivery is Delivery.immediate else EmailState.pending
        made.append(
            Notification(
                user_id=user.id,
                key=key,
                kind=item.kind,
                domain=item.domain,
                title=item.title[:300],
                detail=item.detail[:300],
                link=item.link[:300],
                urgency=item.urgency.value,
                due_on=item.due_on,
                delivery=delivery,
                email_state=state,
            )
        )
    session.add_all(made)
    session.flush()
    now = [n.id for n in made if n.email_state is EmailState.queued]
    if now:
        _queue_email(session, user, now, digest=False)
    return made


def _queue_email(session: Session, user: User, ids: Sequence[int], *, digest: bool) -> None:
    jobs.enqueue(
        session,
        kind=EMAIL_JOB,
        title=f"E-mail to {user.username}" + (" (digest)" if digest else ""),
        payload={"user_id": user.id, "notification_ids": list(ids), "digest": digest},
        max_attempts=SEND_ATTEMPTS,
    )


def digest_cutoff(now: datetime) -> datetime:
    """The latest digest time (``digest_hour`` local) at or before ``now``, in UTC."""
    settings = get_settings()
    zone = ZoneInfo(settings.timezone)
    local = now.astimezone(zone)
    cutoff = datetime.combine(local.date(), time(settings.digest_hour), tzinfo=zone)
    if cutoff > local:
        cutoff -= timedelta(days=1)
    return cutoff.astimezone(ZoneInfo("UTC"))


def queue_digests(session: Session, *, now: datetime) -> int:
    """One digest e-mail per user for what waited for it and was made before the last digest time."""
    cutoff = digest_cutoff(now)
    waiting = session.execute(
        select(Notification.user_id, Notification.id)
        .where(Notification.email_state == EmailState.pending, Notification.created_at <= cutoff)
        .order_by(Notification.user_id, Notification.id)
    ).all()
    by_user: dict[int, list[int]] = {}
    for user_id, notification_id in waiting:
        by_user.setdefault(user_id, []).append(notification_id)
    for user_id, ids in by_user.items():
        user = session.get(User, user_id)
        if user is None:
            continue
        session.execute(
            update(Notification).where(Notification.id.in_(ids)).values(email_state=EmailState.queued)
        )
        _queue_email(session, user, ids, digest=True)
    return len(by_user)


def scan_and_queue(engine: Engine, *, on: date | None = None, now: datetime | None = None) -> int:
    """Notifies every active user of new items (one transaction each, so one failure stops no one else),
    then queues the digests that are due. Returns how many notifications were made."""
    on = on or today()
    now = now or utcnow()
    with session_scope(engine) as session:
        user_ids = list(session.scalars(select(User.id).where(User.is_active).order_by(User.id)))
    made = 0
    for user_id in user_ids:
        try:
            with session_scope(engine) as session:
                session.info["actor"] = Actor(name="notifications")
                user = session.get(User, user_id)
                if user is not None:
                    made += len(notify(session, user, on=on))
        except Exception:  # one user's broken item must not keep the others from hearing of theirs
            log.exception("notifying user %s failed", user_id)
    with session_scope(engine) as session:
        session.info["actor"] = Actor(name="notifications")
        queue_digests(session, now=now)
    return made


# --- sending -----------------------------------------------------------------------------------------


def _message(user: User, notifications: Sequence[Notification], *, digest: bool) -> OutgoingMessage:
    base = get_settings().base_url.rstrip("/")
    count = len(notifications)
    if digest:
        subject = ngettext(
            "avbase daily digest: {count} item", "avbase daily digest: {count} items", count, count=count
        )
    elif count == 1:
        subject = f"avbase: {notifications[0].title}"
    else:
        subject = ngettext(
            "avbase: {count} item needs you", "avbase: {count} items need you", count, count=count
        )
    lines = [_("Hello {name},", name=user.display_name), ""]
    lines.append(_("These need you in avbase:") if not digest else _("Today's digest of what needs you:"))
    lines.append("")
    for n in notifications:
        due = f" ({_('due {date}', date=n.due_on.isoformat())})" if n.due_on else ""
        lines.append(f"- {n.title}{due}")
        if n.detail:
            lines.append(f"  {n.detail}")
        lines.append(f"  {base}{n.link}")
    lines += ["", _("Choose what reaches you by e-mail: {link}", link=f"{base}/notifications/preferences")]
    return OutgoingMessage(to=user.email or "", subject=subject[:200], body="\n".join(lines) + "\n")


def send_email(session: Session, *, user_id: int, notification_ids: Sequence[int], digest: bool) -> int:
    """Sends one e-mail for the notifications still queued; raises on a refusal (the job retries)."""
    channel = SmtpChannel(get_settings())
    if not channel.configured:
        raise AvbaseError("No SMTP server is configured (smtp_host).", field="smtp_host")
    user = session.get(User, user_id)
    notifications = list(
        session.scalars(
            select(Notification)
            .where(
                Notification.id.in_(notification_ids),
                Notification.user_id == user_id,
                Notification.email_state == EmailState.queued,
            )
            .order_by(Notification.id)
        )
    )
    if user is None or not notifications:
        return 0
    if not user.email or not user.is_active:
        for n in notifications:
            n.email_state = EmailState.skipped
        return 0
    token = set_locale(user.locale or get_settings().default_locale)
    try:
        message = _message(user, notifications, digest=digest)
    finally:
        reset_locale(token)
    channel.send(message)
    sent_at = utcnow()
    for n in notifications:
        n.email_state, n.emailed_at = EmailState.sent, sent_at
    return len(notifications)


# --- reading -----------------------------------------------------------------------------------------


def unread_count(session: Session, user_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def recent(session: Session, user_id: int, *, limit: int = 100) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )


def mark_read(session: Session, principal: Principal, notification_id: int) -> Notification:
    found = session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == principal.user_id
        )
    )
    if found is None:
        raise NotFound("Notification not found.")
    if found.read_at is None:
        found.read_at = utcnow()
    session.flush()
    return found


def mark_all_read(session: Session, principal: Principal) -> int:
    unread = list(
        session.scalars(
            select(Notification).where(
                Notification.user_id == principal.user_id, Notification.read_at.is_(None)
            )
        )
    )
    stamp = utcnow()
    for n in unread:
        n.read_at = stamp
    session.flush()
    return len(unread)
