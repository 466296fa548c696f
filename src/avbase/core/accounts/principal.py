"""Who is asking, and which organisations' rows they may see and change."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, or_, select, true

from avbase.core.accounts.models import Organisation, Role, User

READ_ONLY_ROLES = (Role.reviewer, Role.creator)  # they read what they may see, and change none of it
STEWARDS = (Role.admin, Role.authority_officer)  # who sets tiers, targets, budgets, parameters and lists


def jurisdiction_prefix(region_code: str) -> str:
    """GB/T 2260: 330000 (province) → "33", 330100 (city) → "3301", 330106 (county) → "330106"."""
    code = region_code
    while code.endswith("00") and len(code) > 2:
        code = code[:-2]
    return code


@dataclass(frozen=True)
class Principal:
    user_id: int
    username: str
    display_name: str
    role: Role
    org_id: int
    org_name: str
    region_code: str

    @classmethod
    def of(cls, user: User) -> Principal:
        return cls(
            user_id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            org_id=user.org_id,
            org_name=user.organisation.name,
            region_code=user.organisation.region_code,
        )

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin

    @property
    def is_authority(self) -> bool:
        return self.role is Role.authority_officer

    def visible_orgs(self) -> ColumnElement[bool]:
        """A filter on :class:`Organisation`: the organisations whose rows this principal may read."""
        if self.is_admin:
            return true()
        if self.is_authority:
            return Organisation.region_code.startswith(jurisdiction_prefix(self.region_code))
        if self.role is Role.park_operator:
            return or_(Organisation.id == self.org_id, Organisation.managed_by_id == self.org_id)
        return Organisation.id == self.org_id

    def visible_org_ids(self) -> Select[int]:
        return select(Organisation.id).where(self.visible_orgs())

    def can_read(self, org: Organisation) -> bool:
        if self.is_admin:
            return True
        if self.is_authority:
            return org.region_code.startswith(jurisdiction_prefix(self.region_code))
        if self.role is Role.park_operator:
            return self.org_id in (org.id, org.managed_by_id)
        return org.id == self.org_id

    def owns(self, org_id: int) -> bool:
        """What an organisation makes itself (its media, its works) is changed only by its own staff and the
        platform administrator: an authority's or a park's oversight is read access."""
        return self.is_admin or (self.role not in READ_ONLY_ROLES and org_id == self.org_id)

    def can_edit(self, org: Organisation) -> bool:
        """Enterprise-side users change only their own organisation's rows; authorities, their region's."""
        if self.role in READ_ONLY_ROLES:
            return False
        return self.can_read(org)


def require_steward(principal: Principal) -> None:
    from avbase.core.errors import Forbidden

    if principal.role not in STEWARDS:
        raise Forbidden("Only administrators and authority officers may change this.")
